import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The packaged tray must load in Electron: main as ESM importing only electron and Node built-ins,
 * the preload as CommonJS requiring only electron (sandboxed preloads cannot load anything else). */
describe('tray build', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'slm-traybuild-'));
    // @ts-expect-error plain ESM build script without types
    const { buildTray } = await import('./build.mjs');
    await buildTray(out, ['main', 'preload']);
  }, 60_000);
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
});
