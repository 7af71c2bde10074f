// HTTP API security beyond the console's own role matrix (console/server/src/http/routes.test.ts):
// malformed bodies and ids on every route, CSRF on cookie-authenticated writes, cookie flags and
// security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestConsole, type TestConsole } from '../../console/server/src/test-support.js';

let t: TestConsole;

beforeAll(async () => {
  t = await startTestConsole();
});
afterAll(async () => {
  await t.close();
});

async function raw(path: string, init: RequestInit) {
  const res = await fetch(t.url + path, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return {
    status: res.status,
    body: body as { error?: { code: string; message: string } },
    headers: res.headers,
  };
}

async function login() {
  const r = await t.api('POST', '/api/v1/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  expect(r.status).toBe(200);
  const cookies = r.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('sluimer_session='))!;
  const csrf = cookies.find((c) => c.startsWith('sluimer_csrf='))!;
  return {
    cookies,
    session,
    csrfCookie: csrf,
    cookie: `${session.split(';')[0]}; ${csrf.split(';')[0]}`,
    csrf: r.body.csrfToken as string,
  };
}

const MALFORMED: { name: string; body: string | Buffer; type?: string }[] = [
  { name: 'invalid JSON', body: '{"name": ' },
  { name: 'a JSON array', body: '[1,2,3]' },
  { name: 'JSON null', body: 'null' },
  { name: 'a JSON string', body: '"hello"' },
  {
    name: 'wrong field types',
    body: '{"name":12,"role":["admin"],"password":{},"groupIds":"x","settings":7}',
  },
  { name: 'huge and negative numbers', body: '{"parentId":-1e308,"expiresAt":1e400,"rawRetentionDays":-5}' },
  { name: 'deep nesting', body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}` },
  { name: 'prototype keys', body: '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"x":1}}}' },
  { name: 'a 2 MB body', body: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}` },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { name: 'text/plain', body: '{"name":"x"}', type: 'text/plain' },
  { name: 'form data', body: 'name=x&role=admin', type: 'application/x-www-form-urlencoded' },
];

describe('malformed input on every route', () => {
  it('answers malformed bodies on every write route with a 4xx JSON error, never a 500', async () => {
    const writes = t.c.routes.filter(
      (r) =>
        r.url.startsWith('/api/') &&
        ['POST', 'PUT', 'PATCH'].includes(r.method) &&
        r.url !== '/api/v1/logout',
    );
    expect(writes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const r of writes) {
      const path = r.url.replace(/:(\w+)/g, '1');
      for (const m of MALFORMED) {
        const res = await raw(path, {
          method: r.method,
          headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': m.type ?? 'application/json' },
          body: m.body,
        });
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          typeof res.body === 'object' &&
          typeof res.body.error?.code === 'string' &&
          typeof res.body.error?.message === 'string';
        if (!ok)
          failures.push(
            `${r.method} ${r.url} with ${m.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
          );
      }
    }
    expect(failures).toEqual([]);
    // and the console still answers
    expect((await t.api('GET', '/api/v1/health')).status).toBe(200);
  });

  it('answers bad ids in paths on every route with 400 or 404, never a 500', async () => {
    const withId = t.c.routes.filter((r) => r.url.startsWith('/api/') && r.url.includes(':'));
    const failures: string[] = [];
    for (const r of withId) {
      for (const id of ['abc', '-1', '0', '1.5', '1e309', '99999999999999999999', '%00', "1'%20OR%201=1"]) {
        const path = r.url.replace(/:(\w+)/g, id);
        const res = await raw(path, {
          method: r.method,
          headers: {
            authorization: `Bearer ${t.adminToken}`,
            ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { 'content-type': 'application/json' } : {}),
          },
          ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { body: '{}' } : {}),
        });
        if (![400, 404].includes(res.status) || !res.body.error?.code)
          failures.push(`${r.method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('sessions and CSRF', () => {
  it('sets the session cookie HttpOnly and SameSite=Strict, and a readable SameSite=Strict CSRF cookie', async () => {
    const l = await login();
    expect(l.session).toMatch(/HttpOnly/i);
    expect(l.session).toMatch(/SameSite=Strict/i);
    expect(l.session).toMatch(/Path=\//i);
    expect(l.session).not.toMatch(/Secure/i); // plain HTTP here; under TLS see tls.test.ts
    expect(l.csrfCookie).toMatch(/SameSite=Strict/i);
    expect(l.csrfCookie).not.toMatch(/HttpOnly/i);
    expect(l.csrfCookie.split(';')[0]).toBe(`sluimer_csrf=${l.csrf}`);
  });

  it('refuses a cookie-authenticated write without the CSRF header, with a wrong one or from another origin', async () => {
    const l = await login();
    const post = (headers: Record<string, string>) =>
      raw('/api/v1/groups', {
        method: 'POST',
        headers: { cookie: l.cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'CSRF-school' }),
      });
    const missing = await post({});
    expect(missing.status).toBe(403);
    expect(missing.body.error?.code).toBe('csrf_failed');
    const wrong = await post({ 'x-csrf-token': `${l.csrf.slice(0, -2)}xx` });
    expect(wrong.status).toBe(403);
    // another session's token does not fit this session
    const other = await login();
    expect((await post({ 'x-csrf-token': other.csrf })).status).toBe(403);
    const foreign = await post({ 'x-csrf-token': l.csrf, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await t.api('GET', '/api/v1/groups', { token: t.adminToken })).body).not.toContainEqual(
      expect.objectContaining({ name: 'CSRF-school' }),
    );
    // the web app's way: header = cookie value, same origin
    const good = await post({ 'x-csrf-token': l.csrf, origin: t.url });
    expect(good.status).toBe(201);
    // reads need no CSRF token; API tokens need none either
    expect((await raw('/api/v1/groups', { headers: { cookie: l.cookie } })).status).toBe(200);
    const viaToken = await t.api('POST', '/api/v1/groups', { token: t.adminToken, body: { name: 'script' } });
    expect(viaToken.status).toBe(201);
  });

  it('ends the session at logout: the cookie no longer works', async () => {
    const l = await login();
    const out = await raw('/api/v1/logout', { method: 'POST', headers: { cookie: l.cookie } });
    expect(out.status).toBe(204);
    expect((await raw('/api/v1/me', { headers: { cookie: l.cookie } })).status).toBe(401);
  });
});

describe('security headers', () => {
  it('sends CSP, frame, sniffing and referrer headers on the web app and the API, and no-store on the API', async () => {
    for (const path of ['/', '/devices/1', '/api/v1/health']) {
      const res = await fetch(t.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      await res.text();
    }
    const api = await fetch(`${t.url}/api/v1/health`);
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });
});
