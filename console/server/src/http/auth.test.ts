import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../auth/crypto.js';
import { SqliteStore } from '../store/sqlite.js';
import { ADMIN, installAuth, installRouteAccess } from './auth.js';
import { installCanonicalPaths } from './canonical-path.js';
import { installErrorHandler } from './errors.js';
import { hostPolicy } from './host-check.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function bareApp(): FastifyInstance {
  const app = Fastify();
  installCanonicalPaths(app);
  installRouteAccess(app);
  cleanup.push(() => app.close());
  return app;
}

describe('route declarations', () => {
  it('stops a route without a declared access from being registered', () => {
    const app = bareApp();
    expect(() => app.get('/api/v1/forgotten', async () => ({}))).toThrow(/declares no valid access/);
    expect(() => app.post('/api/v1/empty', { config: { access: [] } }, async () => ({}))).toThrow(
      /declares no valid access/,
    );
    expect(() =>
      // @ts-expect-error: not an access value, which the type already says
      app.get('/api/v1/typo', { config: { access: 'everyone' } }, async () => ({})),
    ).toThrow(/declares no valid access/);
    expect(() => app.get('/api/v1/fine', { config: { access: ADMIN } }, async () => ({}))).not.toThrow();
  });

  it('stops a route whose pattern the canonical-path check cannot rebuild', () => {
    const app = bareApp();
    expect(() =>
      app.get('/api/v1/range/:from-:to', { config: { access: 'public' } }, async () => ({})),
    ).toThrow(/canonical-path/);
    expect(() =>
      app.get('/api/v1/re/:id(^\\d+$)', { config: { access: 'public' } }, async () => ({})),
    ).toThrow(/canonical-path/);
  });
});

describe('agent routes', () => {
  it('let in a device with its own token and nobody else', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-auth-test-'));
    const store = new SqliteStore({ dataDir });
    cleanup.push(async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const now = Date.now();
    const group = await store.createGroup({
      name: 'Het Anker',
      parentId: null,
      kind: 'school',
      timeZone: null,
      excludedReason: null,
      now,
    });
    const { deviceId } = await store.enrollDevice({
      installId: 'install-auth-test-1',
      tokenHash: hashToken('sdt_device-token'),
      groupId: group.id,
      hostname: 'lokaal-3-pc-1',
      inventory: {},
      detectedClass: 'laptop',
      now,
    });
    const app = bareApp();
    await app.register(fastifyCookie);
    installErrorHandler(app);
    installAuth(app, store, () => now, hostPolicy({ publicUrl: null }));
    app.get('/api/v1/agent/thing', { config: { access: 'agent' } }, async (request) => ({
      deviceId: request.device?.id,
    }));
    const get = (authorization?: string, url = '/api/v1/agent/thing') =>
      app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

    const ok = await get('Bearer sdt_device-token');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ deviceId });
    for (const authorization of [undefined, 'Bearer sdt_other', 'Basic abc']) {
      const r = await get(authorization);
      expect(r.statusCode, String(authorization)).toBe(401);
      expect(r.json().error.code).toBe('unauthorized');
    }
    // and only under its own spelling
    expect((await get('Bearer sdt_device-token', '/api/v1/agent/%74hing')).statusCode).toBe(404);
  });
});
