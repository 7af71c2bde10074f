import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Test files and test doubles are type-checked by `npm run lint` (tsc -b builds every tsconfig the root
// tsconfig.json reaches, the no-emit test tsconfigs included) and never compiled by a product tsconfig,
// so they cannot reach a dist folder. This test keeps both true for every package, new tests included.
const root = import.meta.dirname;
const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');

/** Test files, test doubles and test helpers: what must be type-checked but never built. */
const TEST_ONLY = [
  /\.test\.tsx?$/,
  /(^|\/)fake-[^/]+\.tsx?$/,
  // test-tools.ts and the like: helpers named for tests (the Linux adapter's once reached agent/dist)
  /(^|\/)test-[^/]+\.tsx?$/,
  /(^|\/)test-support(\.tsx?$|\/)/,
  /(^|\/)testing\//,
  /^agent\/src\/platform\/contract\//,
  /^test\//,
];
const testOnly = (f: string) => TEST_ONLY.some((r) => r.test(f));

const SKIP = new Set(['node_modules', 'dist', '.git', 'test-artifacts']);
function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name) || e.name.startsWith('.')) return [];
    const p = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? walk(p) : [p];
  });
}

function parse(config: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, config), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(`${config}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    },
  });
  if (!parsed) throw new Error(`${config} cannot be read`);
  return parsed;
}

/** Every tsconfig `tsc -b` builds from the root tsconfig.json, following references. */
function builtByLint(): string[] {
  const seen = new Set<string>();
  const visit = (config: string) => {
    if (seen.has(config)) return;
    seen.add(config);
    for (const ref of parse(config).projectReferences ?? []) visit(rel(ts.resolveProjectReferencePath(ref)));
  };
  visit('tsconfig.json');
  return [...seen];
}

const files = walk('');
const sources = files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
// Product tsconfigs: what tsc, vite and the tray build compile from. Test tsconfigs and the root solution
// file are the only others.
const productConfigs = files.filter(
  (f) => path.posix.basename(f) === 'tsconfig.json' && f !== 'tsconfig.json' && !testOnly(f),
);

describe('what is built and what is type-checked', { timeout: 120_000 }, () => {
  it('type-checks every test file, test double and test helper in npm run lint', () => {
    const checked = new Set(builtByLint().flatMap((c) => parse(c).fileNames.map(rel)));
    const missing = sources.filter((f) => testOnly(f) && !checked.has(f));
    expect(missing).toEqual([]);
  });

  it('compiles no test file, test double or test helper in a product tsconfig', () => {
    expect(productConfigs).toEqual(
      expect.arrayContaining(['agent/tsconfig.json', 'console/server/tsconfig.json']),
    );
    const leaks: string[] = [];
    for (const config of productConfigs) {
      const parsed = parse(config);
      // The program follows imports, so a product module importing a test double is caught as well.
      const program = ts.createProgram({
        rootNames: parsed.fileNames,
        options: parsed.options,
        projectReferences: parsed.projectReferences ?? [],
      });
      const compiled = program
        .getSourceFiles()
        .map((s) => rel(s.fileName))
        .filter((f) => !f.startsWith('..') && !f.includes('node_modules/') && !f.endsWith('.d.ts'));
      expect(compiled.length, config).toBeGreaterThan(0);
      leaks.push(...compiled.filter(testOnly).map((f) => `${config}: ${f}`));
    }
    expect(leaks).toEqual([]);
  });
});
