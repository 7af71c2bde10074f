import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = (file: string, args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [file, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );

/** The packaged tray must load in Electron: main as ESM importing only electron and Node built-ins,
 * the preload as CommonJS requiring only electron (sandboxed preloads cannot load anything else). */
describe('tray build', { timeout: 60_000 }, () => {
  let out: string;
  beforeAll(async () => {
    // inside the repository, so the bundled service finds better-sqlite3 in node_modules
    await mkdir(path.join(import.meta.dirname, 'dist'), { recursive: true });
    out = await mkdtemp(path.join(import.meta.dirname, 'dist', 'test-'));
    // @ts-expect-error plain ESM build script without types
    const { buildTray } = await import('./build.mjs');
    await buildTray(out, ['main', 'preload', 'service']);
  }, 180_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('bundles the main process with only electron and node: imports', async () => {
    const main = await readFile(path.join(out, 'main.js'), 'utf8');
    const imports = [...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports).toContain('electron');
    for (const spec of imports) expect(spec === 'electron' || spec!.startsWith('node:')).toBe(true);
    expect(main).not.toMatch(/\brequire\(/);
    expect(main).toContain('contextIsolation: true');
  });

  it('builds the preload as CommonJS that requires only electron', async () => {
    const preload = await readFile(path.join(out, 'preload.cjs'), 'utf8');
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(preload).not.toMatch(/^import /m);
    expect(preload).toContain('exposeInMainWorld("sluimer"');
  });

  it('bundles the service so the installed app binary can run it as Node', async () => {
    const help = await run(path.join(out, 'service.mjs'), ['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--ipc PATH');
    expect(help.out).toContain('docs/deployment.md');
    const service = await readFile(path.join(out, 'service.mjs'), 'utf8');
    // minified: `import{a as b}from"node:fs";` (static imports only; no chunks to load later)
    const imports = [...service.matchAll(/\bimport\s*(?:[\w$*{},\s]+?\s*from\s*)?"([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(imports).toContain('better-sqlite3');
    for (const spec of imports) expect(spec === 'better-sqlite3' || spec!.startsWith('node:')).toBe(true);
  });

  it('type-checks (the tray is not part of `tsc -b`: it builds with Vite)', async () => {
    const tsc = path.resolve(import.meta.dirname, '../../node_modules/typescript/bin/tsc');
    const result = await run(tsc, ['-p', path.join(import.meta.dirname, 'tsconfig.json')]);
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  }, 240_000);
});
