import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let clock = Date.now();

beforeAll(async () => {
  t = await startTestConsole({ now: () => clock, httpLimits: { enrollBurst: 50, enrollPerSec: 1 } });
});
afterAll(async () => {
  await t.close();
});

const enroll = (body: Record<string, unknown>) => t.api('POST', '/api/v1/enroll', { body });
const base = { installId: 'install-0001-abcdef', hostname: 'lokaal12-pc03', inventory: {} };

describe('enrollment', () => {
  it('gives a device id and a token for a valid secret and puts the device in the secret’s group', async () => {
    const { groupId, secret } = await t.groupWithSecret('Basisschool De Linde');
    const r = await enroll({
      ...base,
      enrollSecret: secret,
      inventory: { os: 'macos', model: 'MacBookAir10,1' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ deviceId: expect.any(Number), deviceToken: expect.any(String) });
    const dev = await t.api('GET', `/api/v1/devices/${r.body.deviceId}`, { token: t.adminToken });
    expect(dev.body).toMatchObject({
      groupId,
      hostname: 'lokaal12-pc03',
      deviceClass: 'laptop',
      online: false,
    });
  });

  it('keeps the device id for the same installId, with a new token that replaces the old one', async () => {
    const { secret } = await t.groupWithSecret();
    const body = { ...base, installId: 'same-install-id-1', enrollSecret: secret };
    const a = await enroll(body);
    const b = await enroll({ ...body, inventory: { os: 'chromeos' } });
    expect(b.status).toBe(201);
    expect(b.body.deviceId).toBe(a.body.deviceId);
    expect(b.body.deviceToken).not.toBe(a.body.deviceToken);
    expect((await TestAgent.connect(t.url, a.body.deviceToken).catch((e) => e)).status).toBe(401);
    const ok = await TestAgent.connect(t.url, b.body.deviceToken);
    ok.close();
    const dev = await t.api('GET', `/api/v1/devices/${b.body.deviceId}`, { token: t.adminToken });
    expect(dev.body.deviceClass).toBe('chromebook');
  });

  it('refuses a wrong, expired or revoked secret with 401 and a code naming why', async () => {
    const wrong = await enroll({ ...base, enrollSecret: 'ses_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('bad_enroll_secret');

    const { groupId } = await t.groupWithSecret();
    const expiring = await t.api('POST', `/api/v1/groups/${groupId}/enroll-secrets`, {
      token: t.adminToken,
      body: { expiresAt: new Date(clock + 60_000).toISOString() },
    });
    expect(expiring.status).toBe(201);
    expect(
      (await enroll({ ...base, installId: 'expiry-test-1', enrollSecret: expiring.body.secret })).status,
    ).toBe(201);
    clock += 61_000;
    const expired = await enroll({ ...base, installId: 'expiry-test-2', enrollSecret: expiring.body.secret });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('enroll_secret_expired');
    expect(expired.body.error.message).toContain('expired');

    const revokable = await t.api('POST', `/api/v1/groups/${groupId}/enroll-secrets`, {
      token: t.adminToken,
    });
    const revoked = await t.api('DELETE', `/api/v1/enroll-secrets/${revokable.body.id}`, {
      token: t.adminToken,
    });
    expect(revoked.body.status).toBe('revoked');
    const refused = await enroll({
      ...base,
      installId: 'revoke-test-1',
      enrollSecret: revokable.body.secret,
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('enroll_secret_revoked');

    const list = await t.api('GET', `/api/v1/groups/${groupId}/enroll-secrets`, { token: t.adminToken });
    expect(list.body.map((s: { status: string }) => s.status)).toEqual(['active', 'expired', 'revoked']);
    expect(JSON.stringify(list.body)).not.toContain(revokable.body.secret);
  });

  it('enrolls at most deviceLimit devices through a secret, shows the count, and changes nothing beyond it', async () => {
    const { groupId } = await t.groupWithSecret();
    const limited = await t.api('POST', `/api/v1/groups/${groupId}/enroll-secrets`, {
      token: t.adminToken,
      body: { deviceLimit: 2, expiresAt: clock + 3_600_000 },
    });
    expect(limited.status).toBe(201);
    expect(limited.body).toMatchObject({ deviceLimit: 2, devicesEnrolled: 0, expiresAt: clock + 3_600_000 });
    const use = (installId: string) => enroll({ ...base, installId, enrollSecret: limited.body.secret });
    expect((await use('limit-test-0001')).status).toBe(201);
    // parallel enrollments cannot overshoot the limit: the count is checked in the insert's transaction
    const results = await Promise.all(['limit-test-0002', 'limit-test-0003', 'limit-test-0004'].map(use));
    expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403]);
    const refused = results.find((r) => r.status === 403)!;
    expect(refused.body.error.code).toBe('enroll_limit_reached');
    expect(refused.body.error.message).toContain('limit of 2');
    // a device that already came in through this secret may enroll again (a reinstall): not a new device
    expect((await use('limit-test-0001')).status).toBe(201);

    const db = (t.c.store as import('../store/sqlite.js').SqliteStore).db;
    const row = db
      .prepare('SELECT COUNT(*) AS n FROM devices WHERE install_id LIKE ?')
      .get('limit-test-%') as {
      n: number;
    };
    expect(row.n).toBe(2);
    const list = await t.api('GET', `/api/v1/groups/${groupId}/enroll-secrets`, { token: t.adminToken });
    expect(list.body.find((s: { id: number }) => s.id === limited.body.id)).toMatchObject({
      deviceLimit: 2,
      devicesEnrolled: 2,
      expiresAt: clock + 3_600_000,
      status: 'active',
    });
    const all = await t.api('GET', '/api/v1/enroll-secrets', { token: t.adminToken });
    expect(all.body.find((s: { id: number }) => s.id === limited.body.id).devicesEnrolled).toBe(2);

    const badLimit = await t.api('POST', `/api/v1/groups/${groupId}/enroll-secrets`, {
      token: t.adminToken,
      body: { deviceLimit: 0 },
    });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.code).toBe('validation_failed');
  });

  it('stores secrets and tokens only as hashes', async () => {
    const { secret } = await t.groupWithSecret();
    const dev = await enroll({ ...base, installId: 'hash-check-1', enrollSecret: secret });
    const db = (t.c.store as import('../store/sqlite.js').SqliteStore).db;
    const dump = JSON.stringify([
      db.prepare('SELECT * FROM enroll_secrets').all(),
      db.prepare('SELECT * FROM devices').all(),
      db.prepare('SELECT * FROM api_tokens').all(),
      db.prepare('SELECT * FROM sessions').all(),
      db.prepare('SELECT * FROM users').all(),
    ]);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(dev.body.deviceToken);
    expect(dump).not.toContain(t.adminToken);
    expect(dump).not.toContain('correct-horse-battery');
  });

  it('validates the enrollment body', async () => {
    const { secret } = await t.groupWithSecret();
    const r = await enroll({ ...base, installId: 'bad id!', enrollSecret: secret });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
  });

  it('lets a school enroll many devices at once from one address, then slows it down with 429', async () => {
    const { secret } = await t.groupWithSecret();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        enroll({ ...base, installId: `bulk-device-${i}`, enrollSecret: secret }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(30);
    const limited = results.find((r) => r.status === 429);
    expect(limited?.headers.get('retry-after')).toBeTruthy();
  });
});
