import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support.js';

let t: TestConsole;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'sluimer-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root">Sluimer app</div>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
  t = await startTestConsole({ webDist: dist });
});
afterAll(async () => {
  await t.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('web app', () => {
  it('serves the built app, its assets, and index.html for app routes', async () => {
    const root = await fetch(`${t.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('Sluimer app');
    const asset = await fetch(`${t.url}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    const route = await fetch(`${t.url}/apparaten/12`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('Sluimer app');
    expect(route.headers.get('x-frame-options')).toBe('DENY');
  });

  it('keeps API paths out of the fallback', async () => {
    const r = await fetch(`${t.url}/api/v1/does-not-exist`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('accepts a bare JSON POST without a body', async () => {
    const r = await fetch(`${t.url}/api/v1/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(204);
  });
});
