// The route × role × spelling test (docs/security.md "Access to the API"). It walks the routes the
// server itself registered, so a route added later is covered without editing this file.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/sqlite.js';
import { ADMIN_PASSWORD, startTestConsole, type TestConsole } from '../test-support.js';
import type { Access, DeclaredRoute } from './auth.js';

type Who = 'none' | 'viewer' | 'it' | 'admin' | 'agent';
const WHO: Who[] = ['none', 'viewer', 'it', 'admin', 'agent'];
/** the only API routes anyone may call without credentials; a new one must be added here on purpose */
const PUBLIC_API = ['GET /api/v1/health', 'POST /api/v1/login', 'POST /api/v1/logout', 'POST /api/v1/enroll'];

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  json: any;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** one HTTP request with the request target sent exactly as given (fetch would normalise it) */
function raw(
  port: number,
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<RawResponse> {
  // no bodies on GET/HEAD/OPTIONS: nothing reads them
  const body =
    opts.body === undefined || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)
      ? undefined
      : JSON.stringify(opts.body);
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...opts.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    // Node frames a DELETE body only with an explicit length
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers, agent }, (res) => {
      const done = (text: string) => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      };
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        // a live stream never ends: the status is the answer
        res.destroy();
        done('');
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => done(text));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new Error(`${method} ${target}: ${err.message}`)));
    req.end(body);
  });
}

/** Every way of writing a path that is not the path: each must answer 404, whoever asks. */
function spellings(path: string, port: number): string[] {
  const rest = path.slice('/api'.length); // e.g. /v1/devices/5
  const last = path.at(-1)!;
  const lastEncoded = `${path.slice(0, -1)}%${last.charCodeAt(0).toString(16).toUpperCase()}`;
  return [
    `/%61pi${rest}`, // percent-encoded letter (the filed bypass)
    `/%41PI${rest}`,
    lastEncoded, // encoded last character (a letter, or a digit of an id)
    `/api%2F${rest.slice(1)}`, // encoded slash
    `/api${rest.replace(/\/([^/]*)$/, '%2F$1')}`,
    `http://127.0.0.1:${port}${path}`, // absolute-form request target
    `http://x${path}`,
    `/api/v1/../v1${path.slice('/api/v1'.length)}`, // dot segments
    `/./api${rest}`,
    `/api/.${rest}`,
    `/api/v1/x/..${path.slice('/api/v1'.length)}`,
    `//api${rest}`, // doubled slashes
    `/api/${rest}`,
    `/API${rest}`, // upper case
    path.toUpperCase(),
    `${path}/`, // trailing slash
    `${path};x=1`, // ';' parameters
    `/api;x${rest}`,
    `${path}#frag`,
  ];
}

function allowed(access: Access, who: Who): boolean {
  if (access === 'public') return true;
  if (access === 'agent') return who === 'agent';
  return who !== 'none' && who !== 'agent' && access.includes(who);
}

let t: TestConsole;
let dist: string;
let port: number;
const auth = {} as Record<Who, Record<string, string>>;
/** ids of real things, so that a refused write would change something if it got through */
const ids = {} as Record<string, number>;
let adminSession: { cookie: string; csrf: string };

/** everything stored, minus the audit log (refusals are recorded there) and last-used stamps */
function digest(): string {
  const db = (t.c.store as SqliteStore).db;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const h = createHash('sha256');
  for (const { name } of tables) {
    if (name === 'audit_log') continue;
    const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
    const lines = rows.map((row) => {
      for (const k of Object.keys(row)) if (/last_used|last_seen/.test(k)) delete row[k];
      return JSON.stringify(row);
    });
    for (const line of lines.sort()) h.update(`${name}:${line}\n`);
  }
  return h.digest('hex');
}

/** a concrete path for a route pattern: real ids, or one that does not exist */
function pathFor(url: string, real: boolean): string {
  return url.replace(/\/([a-z-]+)\/:id/g, (_m, seg: string) => `/${seg}/${real ? (ids[seg] ?? 1) : 999999}`);
}

/** bodies that would succeed, so a refused write that slipped through would show in the digest */
function bodyFor(method: string, url: string): unknown {
  const bodies: Record<string, unknown> = {
    'POST /api/v1/login': { username: 'admin', password: ADMIN_PASSWORD },
    'POST /api/v1/tokens': { name: 'intruder' },
    'POST /api/v1/users': { username: 'intruder', password: 'xxxxxxxxxxxx', role: 'admin' },
    'PATCH /api/v1/users/:id': { role: 'admin' },
    'POST /api/v1/groups': { name: 'intruder' },
    'PATCH /api/v1/groups/:id': { name: 'renamed' },
    'POST /api/v1/groups/:id/enroll-secrets': {},
    'PATCH /api/v1/devices/:id': { name: 'renamed' },
    'POST /api/v1/policies': { name: 'Uit om 9:00', settings: { sleepAfterSec: { ac: 60 } } },
    'PUT /api/v1/policies/:id': { name: 'Uit om 9:00', settings: { sleepAfterSec: { ac: 60 } } },
    'POST /api/v1/policies/:id/assign': { deviceIds: [ids.devices] },
    'POST /api/v1/policies/unassign': { groupIds: [ids.schools] },
    'PUT /api/v1/settings': { rawRetentionDays: 31 },
    'POST /api/v1/what-if': { policy: { settings: { sleepAfterSec: { ac: 900 } } } },
  };
  // retire is sent bodyless, the way the filed cross-origin fetch did it
  return bodies[`${method} ${url}`] ?? (method === 'DELETE' || url.endsWith('/retire') ? undefined : {});
}

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'sluimer-access-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root">Sluimer app</div>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
  t = await startTestConsole({ webDist: dist });
  port = t.c.port;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  auth.none = {};
  auth.admin = bearer(t.adminToken);
  auth.it = bearer(await t.userToken('it'));
  auth.viewer = bearer(await t.userToken('viewer'));
  const school = await t.groupWithSecret('Het Anker');
  ids.schools = school.groupId;
  const device = await t.enroll(school.secret);
  auth.agent = bearer(device.deviceToken);
  ids.devices = device.deviceId;
  const empty = await t.api('POST', '/api/v1/groups', { token: t.adminToken, body: { name: 'Leeg' } });
  ids.groups = empty.body.id;
  const secrets = await t.api('GET', '/api/v1/enroll-secrets', { token: t.adminToken });
  ids['enroll-secrets'] = secrets.body[0].id;
  const victim = await t.api('POST', '/api/v1/users', {
    token: t.adminToken,
    body: { username: 'juf.anna', password: 'a-long-password-1', role: 'viewer' },
  });
  ids.users = victim.body.id;
  const policy = await t.api('POST', '/api/v1/policies', {
    token: t.adminToken,
    body: { name: 'Standaard', settings: { sleepAfterSec: { ac: 1800 } } },
  });
  ids.policies = policy.body.id;
  const tokens = await t.api('GET', '/api/v1/tokens', { token: t.adminToken });
  ids.tokens = tokens.body.find((x: { name: string }) => x.name === 'tests').id;
  const login = await t.api('POST', '/api/v1/login', {
    body: { username: 'admin', password: ADMIN_PASSWORD },
  });
  adminSession = {
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
    csrf: login.body.csrfToken,
  };
});
afterAll(async () => {
  await t.close();
  rmSync(dist, { recursive: true, force: true });
  agent.destroy();
});

const apiRoutes = (): DeclaredRoute[] => t.c.routes.filter((r) => r.url.startsWith('/api/'));

describe('every route declares who may call it', () => {
  it('lists the routes from the server itself, API and web files alike', () => {
    const keys = t.c.routes.map((r) => `${r.method} ${r.url}`);
    expect(keys).toContain('POST /api/v1/users');
    expect(keys).toContain('POST /api/v1/devices/:id/retire');
    expect(keys).toContain('GET /api/v1/audit');
    expect(keys).toContain('GET /assets/app.js');
    expect(keys).toContain('GET /');
    expect(apiRoutes().length).toBeGreaterThan(35);
  });

  it('makes only the known API routes and the web files public', () => {
    for (const r of t.c.routes) {
      const key = `${r.method} ${r.url}`;
      if (!r.url.startsWith('/api/')) expect(r.access, key).toBe('public');
      else expect(r.access === 'public', key).toBe(PUBLIC_API.includes(key));
    }
    expect(t.c.routes.filter((r) => r.access === 'public' && r.url.startsWith('/api/')).length).toBe(
      PUBLIC_API.length,
    );
  });
});

describe('route × role × spelling', () => {
  it('answers each route only to the roles it declares, and a refused call changes nothing', {
    timeout: 60_000,
  }, async () => {
    const checked: string[] = [];
    for (const r of apiRoutes()) {
      const key = `${r.method} ${r.url}`;
      // refused callers first, with real ids and bodies that would work: the store must not change
      const before = digest();
      for (const who of WHO.filter((w) => !allowed(r.access, w))) {
        const res = await raw(port, r.method, pathFor(r.url, true), {
          headers: auth[who],
          body: bodyFor(r.method, r.url),
        });
        const expected = who === 'none' || who === 'agent' || r.access === 'agent' ? 401 : 403;
        expect(res.status, `${key} as ${who}: ${res.text}`).toBe(expected);
        expect(res.json?.error?.code, key).toBe(expected === 401 ? 'unauthorized' : 'forbidden');
        expect(res.headers['cache-control'], key).toBe('no-store');
      }
      expect(digest(), `${key} changed something for a refused caller`).toBe(before);
      // allowed callers get through the guard; ids that do not exist and empty bodies keep the fixtures
      for (const who of WHO.filter((w) => allowed(r.access, w))) {
        const body = r.method === 'DELETE' || r.url.endsWith('/retire') ? undefined : {};
        const res = await raw(port, r.method, pathFor(r.url, false), { headers: auth[who], body });
        const what = `${key} as ${who}: ${res.status} ${res.text.slice(0, 200)}`;
        expect([401, 403, 421], what).not.toContain(res.status);
        if (!r.url.includes(':id')) expect(res.status, what).not.toBe(404);
      }
      checked.push(key);
    }
    expect(checked.length).toBe(apiRoutes().length);
  });

  it('answers every other spelling of every API path with the JSON 404, for every role, and changes nothing', {
    timeout: 120_000,
  }, async () => {
    for (const r of apiRoutes()) {
      const key = `${r.method} ${r.url}`;
      const before = digest();
      for (const target of spellings(pathFor(r.url, true), port)) {
        for (const who of WHO) {
          const res = await raw(port, r.method, target, {
            headers: auth[who],
            body: bodyFor(r.method, r.url),
          });
          const what = `${key} as ${r.method} ${target} by ${who}: ${res.status} ${res.text.slice(0, 120)}`;
          expect(res.status, what).toBe(404);
          expect(res.headers['content-type'], what).toContain('application/json');
          expect(res.json?.error?.code, what).toBe('not_found');
        }
      }
      expect(digest(), `${key}: a non-canonical spelling changed something`).toBe(before);
    }
  });

  it('answers methods a path does not have with the JSON 404', async () => {
    const byPath = new Map<string, Set<string>>();
    for (const r of apiRoutes()) {
      const set = byPath.get(r.url) ?? new Set<string>();
      set.add(r.method);
      byPath.set(r.url, set);
    }
    // whether some route of this method takes the path (e.g. GET /api/v1/policies/unassign is GET /policies/:id)
    const taken = (method: string, path: string) =>
      apiRoutes().some(
        (r) =>
          r.method === method &&
          new RegExp(`^${r.url.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}$`).test(path),
      );
    const before = digest();
    let tried = 0;
    for (const url of byPath.keys()) {
      const path = pathFor(url, true);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        if (taken(method, path)) continue;
        tried++;
        const res = await raw(port, method, path, { headers: auth.admin, body: {} });
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.json?.error?.code, `${method} ${url}`).toBe('not_found');
        // no CORS: a preflight is never granted
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(digest()).toBe(before);
  });

  it('gives HEAD the same access as GET', async () => {
    for (const r of apiRoutes().filter((x) => x.method === 'GET' && x.access !== 'public')) {
      const res = await raw(port, 'HEAD', pathFor(r.url, true));
      expect(res.status, r.url).toBe(401);
    }
  });

  it('keeps the filed bypass out: a stranger cannot create an admin by any spelling', async () => {
    const body = { username: 'x', password: 'xxxxxxxxxxxx', role: 'admin' };
    for (const target of ['/api/v1/users', ...spellings('/api/v1/users', port)]) {
      const res = await raw(port, 'POST', target, { body });
      expect([401, 404], target).toContain(res.status);
    }
    const login = await raw(port, 'POST', '/api/v1/login', {
      body: { username: 'x', password: 'xxxxxxxxxxxx' },
    });
    expect(login.status).toBe(401);
  });

  it('never serves the web page for a path under /api, however it is spelled', async () => {
    for (const target of [
      '/api',
      '/api/',
      '/API',
      '/api/v1/nothing-here',
      '/%61pi/v1/nothing',
      '/./api/v1/users',
      '//api/v1/users',
      '/Api/v1/me',
      '/api;x',
      'http://x/api/v1/audit',
      '/assets/../api/v1/users',
      '/%zzpi/v1/users', // malformed escapes
      '/api/v1/devices/%',
      `/api/v1/devices/${'1'.repeat(150)}`, // longer than any parameter may be
    ]) {
      const res = await raw(port, 'GET', target, { headers: auth.admin });
      expect(res.status, target).toBe(404);
      expect(res.headers['content-type'], target).toContain('application/json');
      expect(res.text, target).not.toContain('Sluimer app');
    }
    // plain app paths still get the app, which routes them itself
    const page = await raw(port, 'GET', '/apparaten/12');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sluimer app');
    // and a web file only under its own name
    expect((await raw(port, 'GET', '/assets/app.js')).status).toBe(200);
    expect((await raw(port, 'GET', '/assets/%61pp.js')).status).toBe(404);
    expect((await raw(port, 'GET', `http://127.0.0.1:${port}/assets/app.js`)).status).toBe(404);
  });

  it('refuses WebSocket upgrades on any spelling but the agent path itself', async () => {
    for (const target of [
      '/%61pi/v1/agent',
      '/api/v1/agent/',
      '/API/v1/agent',
      'http://x/api/v1/agent',
      '//api/v1/agent',
    ]) {
      const status = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () =>
          s.write(
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
              `${Object.entries(auth.agent)
                .map(([k, v]) => `${k}: ${v}\r\n`)
                .join('')}\r\n`,
          ),
        );
        let d = '';
        s.on('data', (c) => (d += c));
        s.on('close', () => resolve(d.split('\r\n')[0] ?? ''));
        s.on('error', reject);
      });
      expect(status, target).toBe('HTTP/1.1 404 Not Found');
    }
  });
});

describe('cross-origin writes with a session cookie', () => {
  const retire = () => `/api/v1/devices/${ids.devices}/retire`;

  it('refuses a bodyless cross-origin POST and retires nothing', async () => {
    const before = digest();
    for (const origin of ['https://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
      // without the CSRF header (what a page elsewhere can send), and with it (if it ever got the value)
      for (const headers of [{}, { 'x-csrf-token': adminSession.csrf }] as Record<string, string>[]) {
        const res = await raw(port, 'POST', retire(), {
          headers: { cookie: adminSession.cookie, origin, ...headers },
        });
        expect(res.status, origin).toBe(403);
        expect(res.json.error.code).toBe('csrf_failed');
      }
    }
    // no Origin at all and no CSRF header: refused too
    const bare = await raw(port, 'POST', retire(), { headers: { cookie: adminSession.cookie } });
    expect(bare.status).toBe(403);
    expect(bare.json.error.code).toBe('csrf_failed');
    expect(digest()).toBe(before);
  });

  it('lets the same origin write with the CSRF token', async () => {
    const res = await raw(port, 'PATCH', `/api/v1/groups/${ids.groups}`, {
      headers: {
        cookie: adminSession.cookie,
        origin: `http://127.0.0.1:${port}`,
        'x-csrf-token': adminSession.csrf,
      },
      body: { name: 'Leeg (hernoemd)' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.name).toBe('Leeg (hernoemd)');
  });
});
