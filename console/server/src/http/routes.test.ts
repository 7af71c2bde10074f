import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT_POLICY } from '../auth/login-lockout.js';
import { ADMIN_PASSWORD, startTestConsole, type TestConsole } from '../test-support.js';

type Role = 'admin' | 'it' | 'viewer';
const ANY: Role[] = ['admin', 'it', 'viewer'];
const STAFF: Role[] = ['admin', 'it'];
const ADMIN: Role[] = ['admin'];

/** Every non-public API route, who may call it, and a harmless call (ids that do not exist). */
const MATRIX: {
  method: string;
  url: string;
  path: string;
  body?: unknown;
  roles: Role[];
  stream?: boolean;
}[] = [
  { method: 'GET', url: '/api/v1/me', path: '/api/v1/me', roles: ANY },
  { method: 'GET', url: '/api/v1/openapi.json', path: '/api/v1/openapi.json', roles: ANY },
  { method: 'POST', url: '/api/v1/me/password', path: '/api/v1/me/password', body: {}, roles: ANY },
  { method: 'GET', url: '/api/v1/tokens', path: '/api/v1/tokens', roles: ANY },
  { method: 'POST', url: '/api/v1/tokens', path: '/api/v1/tokens', body: {}, roles: ANY },
  { method: 'DELETE', url: '/api/v1/tokens/:id', path: '/api/v1/tokens/999999', roles: ANY },
  { method: 'GET', url: '/api/v1/admin/tokens', path: '/api/v1/admin/tokens', roles: ADMIN },
  {
    method: 'DELETE',
    url: '/api/v1/admin/tokens/:id',
    path: '/api/v1/admin/tokens/999999',
    roles: ADMIN,
  },
  { method: 'GET', url: '/api/v1/users', path: '/api/v1/users', roles: ADMIN },
  { method: 'POST', url: '/api/v1/users', path: '/api/v1/users', body: {}, roles: ADMIN },
  { method: 'PATCH', url: '/api/v1/users/:id', path: '/api/v1/users/999999', body: {}, roles: ADMIN },
  { method: 'DELETE', url: '/api/v1/users/:id', path: '/api/v1/users/999999', roles: ADMIN },
  { method: 'GET', url: '/api/v1/groups', path: '/api/v1/groups', roles: ANY },
  { method: 'GET', url: '/api/v1/groups/:id', path: '/api/v1/groups/999999', roles: ANY },
  { method: 'POST', url: '/api/v1/groups', path: '/api/v1/groups', body: {}, roles: STAFF },
  { method: 'PATCH', url: '/api/v1/groups/:id', path: '/api/v1/groups/999999', body: {}, roles: STAFF },
  { method: 'DELETE', url: '/api/v1/groups/:id', path: '/api/v1/groups/999999', roles: STAFF },
  {
    method: 'POST',
    url: '/api/v1/groups/:id/enroll-secrets',
    path: '/api/v1/groups/999999/enroll-secrets',
    body: {},
    roles: STAFF,
  },
  {
    method: 'GET',
    url: '/api/v1/groups/:id/enroll-secrets',
    path: '/api/v1/groups/999999/enroll-secrets',
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/enroll-secrets', path: '/api/v1/enroll-secrets', roles: STAFF },
  {
    method: 'DELETE',
    url: '/api/v1/enroll-secrets/:id',
    path: '/api/v1/enroll-secrets/999999',
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/devices', path: '/api/v1/devices', roles: STAFF },
  { method: 'GET', url: '/api/v1/devices/:id', path: '/api/v1/devices/999999', roles: STAFF },
  { method: 'PATCH', url: '/api/v1/devices/:id', path: '/api/v1/devices/999999', body: {}, roles: STAFF },
  { method: 'GET', url: '/api/v1/policies', path: '/api/v1/policies', roles: STAFF },
  { method: 'POST', url: '/api/v1/policies', path: '/api/v1/policies', body: {}, roles: STAFF },
  { method: 'GET', url: '/api/v1/policies/:id', path: '/api/v1/policies/999999', roles: STAFF },
  { method: 'PUT', url: '/api/v1/policies/:id', path: '/api/v1/policies/999999', body: {}, roles: STAFF },
  { method: 'DELETE', url: '/api/v1/policies/:id', path: '/api/v1/policies/999999', roles: STAFF },
  {
    method: 'POST',
    url: '/api/v1/policies/:id/assign',
    path: '/api/v1/policies/999999/assign',
    body: {},
    roles: STAFF,
  },
  {
    method: 'POST',
    url: '/api/v1/policies/unassign',
    path: '/api/v1/policies/unassign',
    body: {},
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/usage', path: '/api/v1/usage?from=1&to=2&groupBy=day', roles: ANY },
  { method: 'GET', url: '/api/v1/settings', path: '/api/v1/settings', roles: ADMIN },
  { method: 'PUT', url: '/api/v1/settings', path: '/api/v1/settings', body: {}, roles: ADMIN },
  // proof of impact (http/impact.ts)
  {
    method: 'GET',
    url: '/api/v1/policies/recommended',
    path: '/api/v1/policies/recommended',
    roles: ANY,
  },
  { method: 'POST', url: '/api/v1/what-if', path: '/api/v1/what-if', body: {}, roles: ANY },
  { method: 'GET', url: '/api/v1/savings', path: '/api/v1/savings', roles: ANY },
  { method: 'GET', url: '/api/v1/policy-history', path: '/api/v1/policy-history', roles: ANY },
  {
    method: 'GET',
    url: '/api/v1/waste-causes',
    path: '/api/v1/waste-causes?from=1&to=2',
    roles: ANY,
  },
  // school calendars (http/calendar.ts)
  {
    method: 'GET',
    url: '/api/v1/groups/:id/google-admin',
    path: '/api/v1/groups/999999/google-admin',
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/groups/:id/calendar', path: '/api/v1/groups/999999/calendar', roles: ANY },
  {
    method: 'PUT',
    url: '/api/v1/groups/:id/calendar',
    path: '/api/v1/groups/999999/calendar',
    body: {},
    roles: STAFF,
  },
  {
    method: 'DELETE',
    url: '/api/v1/groups/:id/calendar',
    path: '/api/v1/groups/999999/calendar',
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/calendar/template', path: '/api/v1/calendar/template', roles: ANY },
  // device lifecycle (http/lifecycle.ts)
  { method: 'GET', url: '/api/v1/lifecycle', path: '/api/v1/lifecycle', roles: ANY },
  {
    method: 'POST',
    url: '/api/v1/lifecycle/purchases',
    path: '/api/v1/lifecycle/purchases',
    body: {},
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/reports/annual', path: '/api/v1/reports/annual', roles: ANY },
  // audit and device privacy (http/audit.ts, http/device-privacy.ts)
  { method: 'GET', url: '/api/v1/audit', path: '/api/v1/audit', roles: ADMIN },
  {
    method: 'POST',
    url: '/api/v1/devices/:id/retire',
    path: '/api/v1/devices/999999/retire',
    body: {},
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/devices/:id/export', path: '/api/v1/devices/999999/export', roles: ADMIN },
  { method: 'DELETE', url: '/api/v1/devices/:id', path: '/api/v1/devices/999999', roles: ADMIN },
  // endpoints made for the web app (http/web-devices.ts, http/events.ts)
  { method: 'GET', url: '/api/v1/web/devices', path: '/api/v1/web/devices', roles: STAFF },
  {
    method: 'GET',
    url: '/api/v1/web/devices/:id/timeline',
    path: '/api/v1/web/devices/999999/timeline',
    roles: STAFF,
  },
  { method: 'GET', url: '/api/v1/web/device-reasons', path: '/api/v1/web/device-reasons', roles: ANY },
  { method: 'GET', url: '/api/v1/web/events', path: '/api/v1/web/events', roles: ANY, stream: true },
];
const PUBLIC = ['GET /api/v1/health', 'POST /api/v1/login', 'POST /api/v1/logout', 'POST /api/v1/enroll'];
/** routes for agents, with their device token (never a user's) */
const AGENT = ['GET /api/v1/agent/device'];

let t: TestConsole;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await startTestConsole({
    httpLimits: {
      loginLockout: {
        ...DEFAULT_LOCKOUT_POLICY,
        perPair: { ...DEFAULT_LOCKOUT_POLICY.perPair, threshold: 3 },
      },
    },
  });
  tokens.admin = t.adminToken;
  tokens.it = await t.userToken('it');
  tokens.viewer = await t.userToken('viewer');
});
afterAll(async () => {
  await t.close();
});

describe('roles on every route', () => {
  it('the matrix names every API route the console serves', () => {
    const served = t.c.routes
      .filter((r) => r.url.startsWith('/api/'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const named = [...MATRIX.map((r) => `${r.method} ${r.url}`), ...PUBLIC, ...AGENT].sort();
    expect(served).toEqual(named);
    for (const r of t.c.routes) {
      if (PUBLIC.includes(`${r.method} ${r.url}`)) expect(r.access).toBe('public');
      if (AGENT.includes(`${r.method} ${r.url}`)) expect(r.access).toBe('agent');
    }
  });

  it('answers the agent route only to a device token it knows, never to a user', async () => {
    const anon = await t.api('GET', '/api/v1/agent/device');
    expect(anon.status).toBe(401);
    for (const role of ANY) {
      const res = await t.api('GET', '/api/v1/agent/device', { token: tokens[role] });
      expect(res.status, role).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    const group = await t.api('POST', '/api/v1/groups', {
      body: { name: 'agent-route' },
      token: t.adminToken,
    });
    const secret = await t.api('POST', `/api/v1/groups/${group.body.id}/enroll-secrets`, {
      token: t.adminToken,
    });
    const enroll = (installId: string) =>
      t.api('POST', '/api/v1/enroll', {
        body: { enrollSecret: secret.body.secret, installId, hostname: 'cb-01', inventory: {} },
      });
    const first = await enroll('agent-route-device-1');
    const ok = await t.api('GET', '/api/v1/agent/device', { token: first.body.deviceToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ deviceId: first.body.deviceId });
    // enrolled again: the old token is refused, the new one accepted
    const again = await enroll('agent-route-device-1');
    expect((await t.api('GET', '/api/v1/agent/device', { token: first.body.deviceToken })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/agent/device', { token: again.body.deviceToken })).body).toEqual({
      deviceId: first.body.deviceId,
    });
  });

  it.each(MATRIX)(
    '$method $url answers 401 without credentials and 403 to roles outside $roles',
    async (r) => {
      const anon = await t.api(r.method, r.path, { body: r.body });
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('unauthorized');
      const badToken = await t.api(r.method, r.path, { body: r.body, token: 'sat_nope' });
      expect(badToken.status).toBe(401);
      for (const role of ANY) {
        if (r.stream && r.roles.includes(role)) {
          // a live stream: the status is enough, then hang up
          const ac = new AbortController();
          const res = await fetch(t.url + r.path, {
            headers: { authorization: `Bearer ${tokens[role]}` },
            signal: ac.signal,
          });
          expect(res.status, role).toBe(200);
          ac.abort();
          continue;
        }
        const res = await t.api(r.method, r.path, { body: r.body, token: tokens[role] });
        if (r.roles.includes(role)) {
          expect([401, 403], `${role} ${res.status} ${JSON.stringify(res.body)}`).not.toContain(res.status);
        } else {
          expect(res.status, role).toBe(403);
          expect(res.body.error.code).toBe('forbidden');
        }
      }
    },
  );

  it('answers unknown API paths with a JSON 404 and other paths with the web page', async () => {
    const r = await t.api('GET', '/api/v1/nothing-here', { token: t.adminToken });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('webapp is nog niet gebouwd');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('sessions', () => {
  async function login(username: string, password: string) {
    return t.api('POST', '/api/v1/login', { body: { username, password } });
  }

  it('sets an HttpOnly SameSite=Strict session cookie that logout ends', async () => {
    const r = await login('admin', ADMIN_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = setCookie.split(';')[0]!;
    expect((await t.api('GET', '/api/v1/me', { cookie })).status).toBe(200);
    expect((await t.api('POST', '/api/v1/logout', { cookie })).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', { cookie })).status).toBe(401);
  });

  it('refuses a cookie-authenticated change from another origin', async () => {
    const r = await login('admin', ADMIN_PASSWORD);
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    const res = await t.api('POST', '/api/v1/groups', {
      cookie,
      body: { name: 'x' },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_failed');
  });

  it('locks an account out for the address that failed, even with the right password afterwards', async () => {
    const created = await t.api('POST', '/api/v1/users', {
      token: t.adminToken,
      body: { username: 'juf.anna', password: 'the-right-password', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const bad = await login('juf.anna', 'wrong-password');
      expect(bad.status).toBe(401);
      expect(bad.body.error.code).toBe('unauthorized');
    }
    const limited = await login('juf.anna', 'the-right-password');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('login_locked');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // another account is not affected
    expect((await login('admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('limits login attempts per address', async () => {
    const small = await startTestConsole({ httpLimits: { loginAttemptsPerAddress: 4 } });
    try {
      // startTestConsole logged in once already
      for (let i = 0; i < 3; i++) {
        expect(
          (await small.api('POST', '/api/v1/login', { body: { username: `u${i}`, password: 'x' } })).status,
        ).toBe(401);
      }
      const r = await small.api('POST', '/api/v1/login', {
        body: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(r.status).toBe(429);
    } finally {
      await small.close();
    }
  });
});

describe('groups', () => {
  it('renames, moves and deletes groups, refusing cycles and non-empty groups', async () => {
    const school = await t.api('POST', '/api/v1/groups', {
      token: t.adminToken,
      body: { name: 'Het Anker' },
    });
    expect(school.status).toBe(201);
    expect(school.body).toMatchObject({ name: 'Het Anker', kind: 'school', parentId: null });
    const room = await t.api('POST', '/api/v1/groups', {
      token: t.adminToken,
      body: { name: 'Lokaal 3', parentId: school.body.id },
    });
    expect(room.body.kind).toBe('room');
    const renamed = await t.api('PATCH', `/api/v1/groups/${room.body.id}`, {
      token: tokens.it,
      body: { name: 'Lokaal 3b', timeZone: 'Europe/Brussels' },
    });
    expect(renamed.body).toMatchObject({ name: 'Lokaal 3b', timeZone: 'Europe/Brussels' });
    const badZone = await t.api('PATCH', `/api/v1/groups/${room.body.id}`, {
      token: t.adminToken,
      body: { timeZone: 'Mars/Olympus' },
    });
    expect(badZone.status).toBe(400);
    const cycle = await t.api('PATCH', `/api/v1/groups/${school.body.id}`, {
      token: t.adminToken,
      body: { parentId: room.body.id },
    });
    expect(cycle.status).toBe(409);
    expect((await t.api('DELETE', `/api/v1/groups/${school.body.id}`, { token: t.adminToken })).status).toBe(
      409,
    );
    expect((await t.api('DELETE', `/api/v1/groups/${room.body.id}`, { token: t.adminToken })).status).toBe(
      204,
    );
    expect((await t.api('DELETE', `/api/v1/groups/${school.body.id}`, { token: t.adminToken })).status).toBe(
      204,
    );
    expect((await t.api('GET', `/api/v1/groups/${school.body.id}`, { token: t.adminToken })).status).toBe(
      404,
    );
  });
});

describe('users', () => {
  it('refuses a taken user name with 409 and keeps at least one admin', async () => {
    const dup = await t.api('POST', '/api/v1/users', {
      token: t.adminToken,
      body: { username: 'admin', password: 'another-password', role: 'it' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const users = await t.api('GET', '/api/v1/users', { token: t.adminToken });
    const admin = users.body.find((u: { username: string }) => u.username === 'admin');
    expect(users.body.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
    const del = await t.api('DELETE', `/api/v1/users/${admin.id}`, { token: t.adminToken });
    expect(del.status).toBe(409);
  });

  it('validates request bodies and names the field', async () => {
    const r = await t.api('POST', '/api/v1/users', {
      token: t.adminToken,
      body: { username: 'x y', password: 'short', role: 'boss' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    const paths = (r.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['password', 'role', 'username']);
    const notJson = await fetch(`${t.url}/api/v1/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });
});
