// Login lockout, API token lifetime and password re-hashing against a real console over real HTTP.
// Different client addresses are real too: the requests leave from other loopback addresses
// (127.0.0.2, 127.0.0.3, …), which Linux routes to the console on 127.0.0.1.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/crypto.js';
import type { SqliteStore } from '../store/sqlite.js';
import { ADMIN_PASSWORD, startTestConsole, TEST_PASSWORD_COST, type TestConsole } from '../test-support.js';

const DAY = 24 * 3600 * 1000;
let t: TestConsole;
let clock = Date.UTC(2026, 8, 1, 8, 0);

beforeAll(async () => {
  t = await startTestConsole({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  body: any;
}

/** a JSON request that leaves from the local address `from` */
function from(
  address: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const url = new URL(t.url + path);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: address,
        headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const login = (address: string, username: string, password: string) =>
  from(address, 'POST', '/api/v1/login', { username, password });

async function newUser(username: string, role: 'admin' | 'it' | 'viewer', password = 'a-long-password-1') {
  const r = await t.api('POST', '/api/v1/users', { token: t.adminToken, body: { username, password, role } });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

/** logs the user in (from 127.0.0.1) and makes an API token; returns both */
async function sessionAndToken(username: string, password = 'a-long-password-1', body: object = {}) {
  const l = await t.api('POST', '/api/v1/login', { body: { username, password } });
  expect(l.status).toBe(200);
  const cookie = (l.headers.get('set-cookie') ?? '').split(';')[0]!;
  const tk = await t.api('POST', '/api/v1/tokens', {
    cookie,
    headers: { 'x-csrf-token': l.body.csrfToken },
    body: { name: `${username} script`, ...body },
  });
  expect(tk.status).toBe(201);
  return { cookie, token: tk.body.token as string, tokenId: tk.body.id as number };
}

describe('login throttling', () => {
  it('locks a burst of wrong passwords out from that address only; the right password from another address still logs in', async () => {
    for (let i = 0; i < 5; i++) {
      const bad = await login('127.0.0.2', 'admin', `guess-${i}`);
      expect(bad.status).toBe(401);
      expect(bad.body.error.code).toBe('unauthorized');
    }
    const locked = await login('127.0.0.2', 'admin', ADMIN_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('login_locked');
    expect(locked.headers['retry-after']).toBe('60');
    expect(locked.body.error.details).toEqual({ retryAfterSeconds: 60 });
    // the real admin elsewhere, with no failures of their own
    const real = await login('127.0.0.3', 'admin', ADMIN_PASSWORD);
    expect(real.status).toBe(200);
    expect(real.body.user.username).toBe('admin');
  });

  it('grows the delay: after the first minute one more wrong password locks that address for two', async () => {
    clock += 60_000;
    expect((await login('127.0.0.2', 'admin', 'guess-after-wait')).status).toBe(401);
    const again = await login('127.0.0.2', 'admin', ADMIN_PASSWORD);
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('120');
    clock += 120_000;
    // waiting it out with the right password works, and starts the count over
    expect((await login('127.0.0.2', 'admin', ADMIN_PASSWORD)).status).toBe(200);
    expect((await login('127.0.0.2', 'admin', 'one-typo')).status).toBe(401);
    expect((await login('127.0.0.2', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('answers an unknown user name exactly like a wrong password', async () => {
    const unknown = await login('127.0.0.6', 'nobody-here', 'whatever-1');
    const wrong = await login('127.0.0.6', 'admin', 'whatever-1');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('stops password spraying: 20 failures from one address over many accounts lock that address', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await login('127.0.0.4', `leerling${i}`, 'Welkom2026!')).status).toBe(401);
    }
    const sprayed = await login('127.0.0.4', 'admin', ADMIN_PASSWORD);
    expect(sprayed.status).toBe(429);
    expect(sprayed.body.error.code).toBe('login_locked');
    expect(Number(sprayed.headers['retry-after'])).toBe(60);
    expect((await login('127.0.0.5', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });
});

describe('API tokens', () => {
  it('expire after 90 days by default or the days asked for, then answer 401 token_expired', async () => {
    await newUser('script.user', 'it');
    const { token, cookie } = await sessionAndToken('script.user', undefined, { expiresInDays: 1 });
    const mine = await t.api('GET', '/api/v1/tokens', { cookie });
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0]).toMatchObject({ username: 'script.user', status: 'active', expiresAt: clock + DAY });
    const defaultOne = await t.api('POST', '/api/v1/tokens', { token, body: { name: 'default' } });
    expect(defaultOne.body.expiresAt - defaultOne.body.createdAt).toBe(90 * DAY);
    for (const days of [0, 366, 1.5]) {
      const bad = await t.api('POST', '/api/v1/tokens', { token, body: { name: 'x', expiresInDays: days } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].path).toBe('expiresInDays');
    }
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(200);
    clock += DAY;
    const expired = await t.api('GET', '/api/v1/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('token_expired');
    expect((await t.api('GET', '/api/v1/me', { token: defaultOne.body.token })).status).toBe(200);
    const listed = await t.api('GET', '/api/v1/tokens', { token: defaultOne.body.token });
    expect(listed.body.map((x: { status: string }) => x.status)).toEqual(['expired', 'active']);
  });

  it('records when a token was last used, at most once a minute', async () => {
    await newUser('last.used', 'viewer');
    const { token, tokenId } = await sessionAndToken('last.used');
    const lastUsed = async () => {
      const all = await t.api('GET', '/api/v1/admin/tokens', { token: t.adminToken });
      return all.body.find((x: { id: number }) => x.id === tokenId).lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();
    const first = clock;
    await t.api('GET', '/api/v1/me', { token });
    expect(await lastUsed()).toBe(first);
    clock += 30_000;
    await t.api('GET', '/api/v1/me', { token });
    expect(await lastUsed()).toBe(first);
    clock += 31_000;
    await t.api('GET', '/api/v1/me', { token });
    expect(await lastUsed()).toBe(clock);
  });

  it('lets an admin see every user’s tokens and revoke any of them', async () => {
    const anna = await newUser('juf.anna', 'viewer');
    const { token, tokenId } = await sessionAndToken('juf.anna');
    const all = await t.api('GET', '/api/v1/admin/tokens', { token: t.adminToken });
    expect(all.status).toBe(200);
    expect(new Set(all.body.map((x: { username: string }) => x.username))).toEqual(
      new Set(['admin', 'script.user', 'last.used', 'juf.anna']),
    );
    const hers = await t.api('GET', `/api/v1/admin/tokens?userId=${anna}`, { token: t.adminToken });
    expect(hers.body).toEqual([expect.objectContaining({ id: tokenId, userId: anna, username: 'juf.anna' })]);
    expect(JSON.stringify(hers.body)).not.toContain(token);
    expect((await t.api('GET', '/api/v1/admin/tokens?userId=999999', { token: t.adminToken })).status).toBe(
      404,
    );
    // she cannot revoke through the admin route; an admin can
    expect((await t.api('DELETE', `/api/v1/admin/tokens/${tokenId}`, { token })).status).toBe(403);
    expect((await t.api('DELETE', `/api/v1/admin/tokens/${tokenId}`, { token: t.adminToken })).status).toBe(
      204,
    );
    const gone = await t.api('GET', '/api/v1/me', { token });
    expect(gone.status).toBe(401);
    expect(gone.body.error.code).toBe('unauthorized');
    expect((await t.api('DELETE', `/api/v1/admin/tokens/${tokenId}`, { token: t.adminToken })).status).toBe(
      404,
    );
  });

  it('revokes a user’s tokens when the user is deleted', async () => {
    const id = await newUser('weg.gaat', 'it');
    const { token } = await sessionAndToken('weg.gaat');
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(200);
    expect((await t.api('DELETE', `/api/v1/users/${id}`, { token: t.adminToken })).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    const all = await t.api('GET', '/api/v1/admin/tokens', { token: t.adminToken });
    expect(all.body.some((x: { userId: number }) => x.userId === id)).toBe(false);
  });

  it('revokes a user’s tokens on a demotion, not on a promotion', async () => {
    const id = await newUser('meester.bas', 'it');
    const { token } = await sessionAndToken('meester.bas');
    const up = await t.api('PATCH', `/api/v1/users/${id}`, { token: t.adminToken, body: { role: 'admin' } });
    expect(up.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', { token })).body.role).toBe('admin');
    const down = await t.api('PATCH', `/api/v1/users/${id}`, {
      token: t.adminToken,
      body: { role: 'viewer' },
    });
    expect(down.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await t.api('GET', `/api/v1/admin/tokens?userId=${id}`, { token: t.adminToken })).body).toEqual(
      [],
    );
  });

  it('revokes a user’s tokens and ends their sessions when the password is reset', async () => {
    const id = await newUser('juf.kim', 'it');
    const { token, cookie } = await sessionAndToken('juf.kim');
    expect((await t.api('GET', '/api/v1/me', { cookie })).status).toBe(200);
    const reset = await t.api('PATCH', `/api/v1/users/${id}`, {
      token: t.adminToken,
      body: { password: 'a-brand-new-password' },
    });
    expect(reset.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { cookie })).status).toBe(401);
    expect((await login('127.0.0.7', 'juf.kim', 'a-long-password-1')).status).toBe(401);
    expect((await login('127.0.0.7', 'juf.kim', 'a-brand-new-password')).status).toBe(200);
  });
});

describe('changing your own password', () => {
  it('revokes your tokens and ends all your sessions, this one too', async () => {
    await newUser('meester.jan', 'viewer');
    const { token, cookie } = await sessionAndToken('meester.jan');
    const other = await sessionAndToken('meester.jan'); // a second session, elsewhere
    const l = await login('127.0.0.9', 'meester.jan', 'a-long-password-1');
    const mine = (l.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
    const change = (currentPassword: string, newPassword: string) =>
      from(
        '127.0.0.9',
        'POST',
        '/api/v1/me/password',
        { currentPassword, newPassword },
        { cookie: mine, 'x-csrf-token': l.body.csrfToken },
      );
    const wrong = await change('not-my-password', 'my-new-password-22');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ path: 'currentPassword', message: 'wrong password' }]);
    const weak = await change('a-long-password-1', 'short');
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0].path).toBe('newPassword');
    const ok = await change('a-long-password-1', 'my-new-password-22');
    expect(ok.status).toBe(204);
    expect(String(ok.headers['set-cookie'])).toMatch(/sluimer_session=;/);
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { cookie })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { cookie: other.cookie })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { cookie: mine })).status).toBe(401);
    expect((await login('127.0.0.9', 'meester.jan', 'my-new-password-22')).status).toBe(200);
  });

  it('counts a wrong current password as a failed login, so a stolen session cannot guess it', async () => {
    await newUser('juf.lotte', 'viewer');
    const { token } = await sessionAndToken('juf.lotte');
    const change = (currentPassword: string) =>
      from(
        '127.0.0.10',
        'POST',
        '/api/v1/me/password',
        { currentPassword, newPassword: 'taken-over-password' },
        { authorization: `Bearer ${token}` },
      );
    for (let i = 0; i < 5; i++) expect((await change(`guess-${i}`)).status).toBe(400);
    const locked = await change('a-long-password-1');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('login_locked');
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(200);
  });
});

describe('password hashes', () => {
  it('re-hashes a password stored at a lower cost on the next successful login, and only then', async () => {
    const store = t.c.store as SqliteStore;
    const weak = await hashPassword('an-old-password-9', { N: 2 ** 10, r: 8, p: 1 });
    const user = await store.createUser({
      username: 'oud.account',
      passwordHash: weak,
      role: 'viewer',
      now: clock,
    });
    expect((await login('127.0.0.8', 'oud.account', 'not-the-password')).status).toBe(401);
    expect((await store.getUser(user.id))!.passwordHash).toBe(weak);
    expect((await login('127.0.0.8', 'oud.account', 'an-old-password-9')).status).toBe(200);
    const upgraded = (await store.getUser(user.id))!.passwordHash;
    expect(upgraded).not.toBe(weak);
    expect(upgraded.startsWith(`scrypt$${TEST_PASSWORD_COST.N}$8$1$`)).toBe(true);
    expect((await login('127.0.0.8', 'oud.account', 'an-old-password-9')).status).toBe(200);
    expect((await store.getUser(user.id))!.passwordHash).toBe(upgraded);
  });
});
