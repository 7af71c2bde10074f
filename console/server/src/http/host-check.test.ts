import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestConsole, type TestConsole } from '../test-support.js';
import { hostnameOf, hostPolicy, isAllowedHostname } from './host-check.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Res = { status: number; json: any };

/** one request with the Host (and other headers) set exactly as given */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Res> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const h: Record<string, string> = { ...headers };
  if (text !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = String(Buffer.byteLength(text));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: h, setHost: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = data ? JSON.parse(data) : undefined;
        } catch {}
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function session(t: TestConsole) {
  const login = await t.api('POST', '/api/v1/login', {
    body: { username: 'admin', password: ADMIN_PASSWORD },
  });
  return {
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
    csrf: login.body.csrfToken as string,
  };
}

describe('host names', () => {
  it('reads the host name from a Host header, refusing anything that is not name[:port]', () => {
    expect(hostnameOf('Sluimer.School.NL:8443')).toBe('sluimer.school.nl');
    expect(hostnameOf('[::1]:8080')).toBe('::1');
    expect(hostnameOf('sluimer.school.nl.')).toBe('sluimer.school.nl');
    expect(hostnameOf('evil.example@sluimer.school.nl')).toBeNull();
    expect(hostnameOf('sluimer.school.nl/x')).toBeNull();
    expect(hostnameOf('')).toBeNull();
    expect(hostnameOf(undefined)).toBeNull();
  });

  it('always allows IP literals and localhost; names only when listed', () => {
    const p = hostPolicy({ publicUrl: 'https://sluimer.school.nl', allowedHosts: ['sluimer'] });
    for (const ok of [
      '127.0.0.1',
      '10.1.2.3',
      '::1',
      'localhost',
      'app.localhost',
      'sluimer.school.nl',
      'sluimer',
    ])
      expect(isAllowedHostname(p, ok), ok).toBe(true);
    for (const bad of [
      'evil.example',
      'sluimer.school.nl.evil.example',
      'school.nl',
      hostname().toLowerCase(),
    ])
      expect(isAllowedHostname(p, bad), bad).toBe(false);
    // without a public URL the machine's own name is allowed
    expect(
      isAllowedHostname(hostPolicy({ publicUrl: null, machineNames: ['schoolserver'] }), 'schoolserver'),
    ).toBe(true);
  });
});

describe('a console without SLUIMER_PUBLIC_URL', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await startTestConsole();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses another host name with 421 host_not_allowed, on API paths and web pages alike', async () => {
    for (const path of ['/api/v1/health', '/', '/api/v1/nothing', '/apparaten/3']) {
      for (const host of ['evil.example', `evil.example:${t.c.port}`, 'rebind.attacker.test.', 'a@b']) {
        const r = await send(t.c.port, 'GET', path, { host });
        expect(r.status, `${host} ${path}`).toBe(421);
        expect(r.json.error.code).toBe('host_not_allowed');
        expect(r.json.error.message).toContain('SLUIMER_PUBLIC_URL');
      }
    }
    // a login from a rebound page is refused before the password is looked at
    const login = await send(
      t.c.port,
      'POST',
      '/api/v1/login',
      { host: 'evil.example' },
      {
        username: 'admin',
        password: ADMIN_PASSWORD,
      },
    );
    expect(login.status).toBe(421);
  });

  it('answers to loopback names, IP addresses and the machine name, so a first start just works', async () => {
    for (const host of [
      `localhost:${t.c.port}`,
      `127.0.0.1:${t.c.port}`,
      `[::1]:${t.c.port}`,
      `192.168.1.20:${t.c.port}`,
      hostname(),
    ]) {
      const r = await send(t.c.port, 'GET', '/api/v1/health', { host });
      expect(r.status, host).toBe(200);
    }
  });

  it('ignores X-Forwarded-Host and X-Forwarded-For from a proxy it does not trust', async () => {
    const r = await send(t.c.port, 'GET', '/api/v1/health', {
      host: `127.0.0.1:${t.c.port}`,
      'x-forwarded-host': 'evil.example',
    });
    expect(r.status).toBe(200);
    const made = await send(
      t.c.port,
      'POST',
      '/api/v1/groups',
      {
        host: `127.0.0.1:${t.c.port}`,
        authorization: `Bearer ${t.adminToken}`,
        'x-forwarded-for': '203.0.113.7',
      },
      { name: 'Via proxy?' },
    );
    expect(made.status).toBe(201);
    const audit = await t.api('GET', '/api/v1/audit?limit=1', { token: t.adminToken });
    expect(audit.body.entries[0]).toMatchObject({ route: '/api/v1/groups', ip: '127.0.0.1' });
  });
});

describe('a console with SLUIMER_PUBLIC_URL', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await startTestConsole({ publicUrl: 'https://sluimer.school.nl/', allowedHosts: ['sluimer'] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the public URL for other code, as an origin', () => {
    expect(t.c.publicUrl).toBe('https://sluimer.school.nl');
    expect(t.c.app.publicUrl).toBe('https://sluimer.school.nl');
  });

  it('answers to its public name and the extra names, and no longer to the machine name', async () => {
    for (const host of [
      'sluimer.school.nl',
      'SLUIMER.school.nl:443',
      'sluimer:8080',
      `127.0.0.1:${t.c.port}`,
    ])
      expect((await send(t.c.port, 'GET', '/api/v1/health', { host })).status, host).toBe(200);
    for (const host of [hostname(), 'evil.example', 'school.nl']) {
      const r = await send(t.c.port, 'GET', '/api/v1/health', { host });
      expect(r.status, host).toBe(421);
      expect(r.json.error.message).toContain('https://sluimer.school.nl');
    }
  });

  it('takes cookie-authenticated writes from the public origin only', async () => {
    const s = await session(t);
    const write = (origin: string, name: string) =>
      send(
        t.c.port,
        'POST',
        '/api/v1/groups',
        { host: 'sluimer.school.nl', cookie: s.cookie, 'x-csrf-token': s.csrf, origin },
        { name },
      );
    expect((await write('https://sluimer.school.nl', 'Het Anker')).status).toBe(201);
    for (const origin of [
      'https://evil.example',
      'http://sluimer.school.nl:8080',
      'https://sluimer.school.nl.evil.example',
    ]) {
      const r = await write(origin, 'Evil');
      expect(r.status, origin).toBe(403);
      expect(r.json.error.code).toBe('csrf_failed');
    }
    const groups = await t.api('GET', '/api/v1/groups', { token: t.adminToken });
    expect(groups.body.map((g: { name: string }) => g.name)).toEqual(['Het Anker']);
  });
});

describe('behind a trusted reverse proxy (SLUIMER_TRUST_PROXY)', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await startTestConsole({
      publicUrl: 'https://sluimer.school.nl',
      trustProxy: ['127.0.0.1'],
      httpLimits: { loginAttemptsPerAddress: 3 },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sees the client address behind the proxy, in the audit log and the login limit', async () => {
    const made = await send(
      t.c.port,
      'POST',
      '/api/v1/groups',
      { host: '127.0.0.1', authorization: `Bearer ${t.adminToken}`, 'x-forwarded-for': '203.0.113.7' },
      { name: 'Het Anker' },
    );
    expect(made.status).toBe(201);
    const audit = await t.api('GET', '/api/v1/audit?limit=1', { token: t.adminToken });
    expect(audit.body.entries[0]).toMatchObject({ route: '/api/v1/groups', ip: '203.0.113.7' });

    // one client behind the proxy uses up its login attempts; another one is not affected
    const attempt = (client: string) =>
      send(
        t.c.port,
        'POST',
        '/api/v1/login',
        { host: '127.0.0.1', 'x-forwarded-for': client },
        { username: 'nobody', password: 'wrong-password' },
      );
    for (let i = 0; i < 3; i++) expect((await attempt('198.51.100.1')).status).toBe(401);
    expect((await attempt('198.51.100.1')).status).toBe(429);
    expect((await attempt('198.51.100.2')).status).toBe(401);
  });

  it('checks the host name the proxy forwards', async () => {
    const ok = await send(t.c.port, 'GET', '/api/v1/health', {
      host: '127.0.0.1:8080',
      'x-forwarded-host': 'sluimer.school.nl',
    });
    expect(ok.status).toBe(200);
    const rebound = await send(t.c.port, 'GET', '/api/v1/health', {
      host: '127.0.0.1:8080',
      'x-forwarded-host': 'evil.example',
    });
    expect(rebound.status).toBe(421);
  });
});

/** a WebSocket upgrade to the agent path with a wrong token; resolves with the status line */
function badUpgrade(port: number, forwardedFor: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(
        'GET /api/v1/agent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          `Authorization: Bearer sdt_stale\r\nX-Forwarded-For: ${forwardedFor}\r\n\r\n`,
      ),
    );
    let d = '';
    s.on('data', (c) => (d += c));
    s.on('close', () => resolve(d.split('\r\n')[0] ?? ''));
    s.on('error', reject);
  });
}

describe('agent sockets behind a reverse proxy', () => {
  it('limit failed authentications per client behind a trusted proxy, not per proxy', async () => {
    const t = await startTestConsole({
      trustProxy: ['127.0.0.1'],
      gatewayLimits: { badAuthBurst: 2, badAuthPerSec: 0.001 },
    });
    try {
      expect(await badUpgrade(t.c.port, '198.51.100.1')).toContain('401');
      expect(await badUpgrade(t.c.port, '198.51.100.1')).toContain('401');
      expect(await badUpgrade(t.c.port, '198.51.100.1')).toContain('429');
      // another school behind the same proxy is not locked out by the first one
      expect(await badUpgrade(t.c.port, '198.51.100.2')).toContain('401');
    } finally {
      await t.close();
    }
  });

  it('ignore X-Forwarded-For when no proxy is trusted', async () => {
    const t = await startTestConsole({ gatewayLimits: { badAuthBurst: 2, badAuthPerSec: 0.001 } });
    try {
      expect(await badUpgrade(t.c.port, '198.51.100.1')).toContain('401');
      expect(await badUpgrade(t.c.port, '198.51.100.2')).toContain('401');
      expect(await badUpgrade(t.c.port, '198.51.100.3')).toContain('429');
    } finally {
      await t.close();
    }
  });
});

describe('start-up', () => {
  async function startupLog(options: Parameters<typeof startTestConsole>[0]) {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const t = await startTestConsole({ ...options, logger });
    await t.close();
    return lines.join('');
  }

  it('warns about plain HTTP on a network address, and about a missing public URL', async () => {
    const log = await startupLog({ host: '0.0.0.0' });
    expect(log).toContain('The console serves plain HTTP on a network address');
    expect(log).toContain('gewoon HTTP');
    expect(log).toContain('SLUIMER_PUBLIC_URL is not set');
  });

  it('stays quiet about plain HTTP on loopback and about the public URL once it is set', async () => {
    const log = await startupLog({ host: '127.0.0.1', publicUrl: 'https://sluimer.school.nl' });
    expect(log).not.toContain('plain HTTP');
    expect(log).not.toContain('SLUIMER_PUBLIC_URL is not set');
  });

  it('refuses to start with a bad public URL or proxy setting', async () => {
    await expect(startTestConsole({ publicUrl: 'sluimer.school.nl' })).rejects.toThrow(/SLUIMER_PUBLIC_URL/);
    await expect(startTestConsole({ publicUrl: 'https://sluimer.school.nl/console' })).rejects.toThrow(
      /SLUIMER_PUBLIC_URL/,
    );
    await expect(startTestConsole({ trustProxy: ['10.0.0.0/33'] })).rejects.toThrow(/SLUIMER_TRUST_PROXY/);
  });
});
