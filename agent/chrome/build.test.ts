import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { buildExtension } from './build.mjs';

const run = promisify(execFile);
let dir: string;
let out: { unpacked: string; zip: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluimer-chrome-build-'));
  out = await buildExtension(dir);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Chrome extension build', () => {
  it('writes an MV3 manifest with a module service worker, the managed schema and no chrome.power', async () => {
    const manifest = JSON.parse(await readFile(path.join(out.unpacked, 'manifest.json'), 'utf8'));
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.background).toEqual({ service_worker: 'background.js', type: 'module' });
    expect(manifest.storage.managed_schema).toBe('schema.json');
    expect(manifest.permissions).not.toContain('power');
    // the battery is read in an offscreen document (service workers have no getBattery)
    expect(manifest.permissions).toContain('offscreen');
    const page = await readFile(path.join(out.unpacked, 'offscreen.html'), 'utf8');
    expect(page).toContain('src="offscreen.js"');
    const script = await readFile(path.join(out.unpacked, 'offscreen.js'), 'utf8');
    expect(script).toContain('getBattery');
    expect(script).not.toContain('zod');
    const schema = JSON.parse(await readFile(path.join(out.unpacked, 'schema.json'), 'utf8'));
    expect(Object.keys(schema.properties)).toEqual(['consoleUrl', 'enrollSecret', 'idleDetectionSec']);
  });

  it('leaves the test-only policy hook out of the release build', async () => {
    const worker = await readFile(path.join(out.unpacked, 'background.js'), 'utf8');
    expect(worker).not.toContain('testPolicy');
    expect(worker).toContain('sluimer.bearer.');
  });

  it('zips exactly the unpacked folder, readable by unzip', async () => {
    const { stdout } = await run('unzip', ['-Z1', out.zip]);
    expect(stdout.trim().split('\n').sort()).toEqual((await readdir(out.unpacked)).sort());
    await run('unzip', ['-tq', out.zip]);
  });
});
