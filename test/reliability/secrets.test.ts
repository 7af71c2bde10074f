// Secrets at rest: device tokens, enroll secrets, API tokens, session ids and passwords are stored only
// as hashes (passwords with scrypt), proven by searching the SQLite files byte for byte. Enroll
// secrets expire and can be revoked; a retired device's token stops working at once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  startTestConsole,
  TestAgent,
  type TestConsole,
} from '../../console/server/src/test-support.js';

let t: TestConsole;
let now = Date.now();

beforeAll(async () => {
  t = await startTestConsole({ now: () => now });
});
afterAll(async () => {
  await t.close();
});

/** every byte of the database: main file, WAL and shared memory */
function databaseBytes(): Buffer {
  const files = readdirSync(t.dataDir).filter((f) => f.startsWith('sluimer-console.sqlite'));
  return Buffer.concat(files.map((f) => readFileSync(join(t.dataDir, f))));
}

describe('secrets at rest', () => {
  it('keeps no plain device token, enroll secret, API token, session id or password in the SQLite files', async () => {
    const userPassword = 'viewer-password-Xq7!';
    const user = await t.api('POST', '/api/v1/users', {
      token: t.adminToken,
      body: { username: 'juf.jansen', password: userPassword, role: 'viewer' },
    });
    expect(user.status).toBe(201);
    const login = await t.api('POST', '/api/v1/login', {
      body: { username: 'juf.jansen', password: userPassword },
    });
    const sid = /sluimer_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    const { secret } = await t.groupWithSecret('Secrets school');
    const { deviceId, deviceToken } = await t.enroll(secret, 'secret-test-install-1');
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    agent.close();
    const plain = {
      userPassword,
      adminPassword: ADMIN_PASSWORD,
      sid,
      secret,
      deviceToken,
      apiToken: t.adminToken,
    };
    const bytes = databaseBytes();
    expect(bytes.length).toBeGreaterThan(10_000);
    // the checks can fail: the install id (not secret) is found the same way
    expect(bytes.includes('secret-test-install-1')).toBe(true);
    for (const [name, value] of Object.entries(plain)) {
      expect(bytes.includes(value), `${name} found in plain text`).toBe(false);
      // nor base64 of it
      expect(bytes.includes(Buffer.from(value).toString('base64')), `${name} found as base64`).toBe(false);
    }
    // passwords are scrypt hashes
    const db = (t.c.store as unknown as { db: import('better-sqlite3').Database }).db;
    const hashes = db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[];
    for (const h of hashes)
      expect(h.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]{16,}\$[\w-]{32,}$/);
    expect(deviceId).toBeGreaterThan(0);
  });
});

describe('enroll secrets', () => {
  it('stop working when they expire or are revoked', async () => {
    const g = await t.api('POST', '/api/v1/groups', { token: t.adminToken, body: { name: 'Expiry school' } });
    const expiring = await t.api('POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, {
      token: t.adminToken,
      body: { expiresAt: now + 60_000 },
    });
    expect(expiring.status).toBe(201);
    const other = await t.api('POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, {
      token: t.adminToken,
      body: {},
    });
    await t.enroll(expiring.body.secret, 'expiry-install-before');
    now += 61_000;
    await expect(t.enroll(expiring.body.secret, 'expiry-install-after')).rejects.toThrow(/401.*expired/);
    await t.enroll(other.body.secret, 'revoke-install-before');
    const revoked = await t.api('DELETE', `/api/v1/enroll-secrets/${other.body.id}`, { token: t.adminToken });
    expect(revoked.body.status).toBe('revoked');
    await expect(t.enroll(other.body.secret, 'revoke-install-after')).rejects.toThrow(/401.*revoked/);
  });
});

describe('retiring a device', () => {
  it('revokes its token at once: the open socket is closed and the token refused, its history stays', async () => {
    const { secret } = await t.groupWithSecret('Retire school');
    const { deviceId, deviceToken } = await t.enroll(secret, 'retire-install-0001');
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    const iv = { start: now - 600_000, end: now - 300_000, state: 'idle' as const };
    expect(await agent.report(1, [iv])).toEqual({ type: 'ack', seq: 1 });

    const it = await t.userToken('it');
    const viewer = await t.userToken('viewer');
    expect(
      (await t.api('POST', `/api/v1/devices/${deviceId}/retire`, { token: viewer, body: {} })).status,
    ).toBe(403);
    const r = await t.api('POST', `/api/v1/devices/${deviceId}/retire`, {
      token: it,
      body: { reason: 'kapot, afgevoerd' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: deviceId, reason: 'kapot, afgevoerd' });
    const closed = await agent.waitClosed();
    expect(closed?.code).toBe(4001);
    await expect(TestAgent.connect(t.url, deviceToken)).rejects.toMatchObject({ status: 401 });
    // history stays for the reports
    const detail = await t.api('GET', `/api/v1/devices/${deviceId}`, { token: t.adminToken });
    expect(detail.status).toBe(200);
    expect(detail.body.recentIntervals ?? detail.body.intervals).toContainEqual(expect.objectContaining(iv));
    expect((await t.api('POST', '/api/v1/devices/999999/retire', { token: it, body: {} })).status).toBe(404);
  });
});
