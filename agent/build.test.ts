import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { buildAgentBundle } from './build.mjs';

function node(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('the lean launch bundle (agent/build.mjs)', { timeout: 120_000 }, () => {
  let out: string;
  beforeAll(async () => {
    // inside agent/ so that better-sqlite3 (external) resolves from agent's node_modules
    const dist = path.join(import.meta.dirname, 'dist');
    await mkdir(dist, { recursive: true });
    out = path.join(await mkdtemp(path.join(dist, 'bundle-test-')), 'bundle');
    await buildAgentBundle(out);
  }, 120_000);
  afterAll(() => rm(path.dirname(out), { recursive: true, force: true }));

  it('runs the same commands as the tsc output', async () => {
    const entry = pathToFileURL(path.join(out, 'cli.mjs')).href;
    const script = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(process.argv.slice(1));`;
    const help = await node(['--input-type=module', '-e', script, 'run', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--enroll-secret S');
    const unknown = await node(['--input-type=module', '-e', script, 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('Unknown command "frobnicate"');
  });

  it('imports only node built-ins and better-sqlite3, and leaves out what the agent never uses', async () => {
    const files = (await readdir(out)).filter((f) => f.endsWith('.mjs'));
    expect(files).toContain('cli.mjs');
    const code = (await Promise.all(files.map((f) => readFile(path.join(out, f), 'utf8')))).join('\n');
    const specs = [...code.matchAll(/\bimport\s*(?:[\w$*{},\s]+?\s*from\s*)?["`]([^"`]+)["`]/g)].map(
      (m) => m[1]!,
    );
    const dynamic = [...code.matchAll(/\bimport\(\s*["`]([^"`]+)["`]\s*\)/g)].map((m) => m[1]!);
    expect(specs).toContain('better-sqlite3');
    for (const spec of [...specs, ...dynamic]) {
      expect(spec === 'better-sqlite3' || spec.startsWith('node:') || spec.startsWith('./')).toBe(true);
    }
    // the console's REST schemas (shared/src/api/) are not part of the service
    expect(code).not.toContain('name at least one group or device');
  });
});
