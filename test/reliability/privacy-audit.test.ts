// The audit log (who changed what, when; admins only) and the AVG endpoints: export everything stored
// about one device, and erase it.
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../../console/server/src/test-support.js';

let t: TestConsole;
let db: Database.Database;
const HOUR = 3600_000;

beforeAll(async () => {
  t = await startTestConsole();
  db = (t.c.store as unknown as { db: Database.Database }).db;
});
afterAll(async () => {
  await t.close();
});

describe('audit log', () => {
  it('records every change with who, what and when, hides secrets, and shows it to admins only', async () => {
    const itToken = await t.userToken('it');
    const viewerToken = await t.userToken('viewer');
    const before = Date.now();
    const g = await t.api('POST', '/api/v1/groups', { token: itToken, body: { name: 'Audit school' } });
    await t.api('POST', '/api/v1/users', {
      token: t.adminToken,
      body: { username: 'meester.bakker', password: 'secret-password-9', role: 'viewer' },
    });
    const refused = await t.api('POST', '/api/v1/groups', { token: viewerToken, body: { name: 'nope' } });
    expect(refused.status).toBe(403);
    await t.api('POST', '/api/v1/login', {
      body: { username: 'meester.bakker', password: 'wrong-password' },
    });
    await t.api('POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, { token: itToken, body: {} });

    const r = await t.api('GET', '/api/v1/audit?limit=50', { token: t.adminToken });
    expect(r.status).toBe(200);
    const entries = r.body.entries as {
      at: number;
      username: string | null;
      role: string | null;
      method: string;
      route: string;
      status: number;
      targetId: number | null;
      details: unknown;
    }[];
    const find = (route: string, status: number) =>
      entries.find((e) => e.route === route && e.status === status);
    const group = find('/api/v1/groups', 201)!;
    expect(group).toMatchObject({ method: 'POST', role: 'it', details: { name: 'Audit school' } });
    expect(group.username).toMatch(/^it-/);
    expect(group.at).toBeGreaterThanOrEqual(before);
    const user = find('/api/v1/users', 201)!;
    expect(user.details).toEqual({ username: 'meester.bakker', password: '[redacted]', role: 'viewer' });
    expect(find('/api/v1/groups', 403)).toMatchObject({ role: 'viewer' });
    expect(find('/api/v1/login', 401)).toMatchObject({ username: 'meester.bakker', details: null });
    expect(find('/api/v1/groups/:id/enroll-secrets', 201)).toMatchObject({ targetId: g.body.id });
    // newest first
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort((a, b) => b - a));
    // plain passwords never reach the log
    expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toContain('secret-password-9');
    // reads are not changes
    expect(entries.some((e) => e.method === 'GET')).toBe(false);

    for (const token of [itToken, viewerToken]) {
      expect((await t.api('GET', '/api/v1/audit', { token })).status).toBe(403);
    }
    expect((await t.api('GET', '/api/v1/audit')).status).toBe(401);
    // paging
    const page = await t.api('GET', '/api/v1/audit?limit=2', { token: t.adminToken });
    expect(page.body.entries).toHaveLength(2);
    const page2 = await t.api('GET', `/api/v1/audit?limit=2&before=${page.body.next}`, {
      token: t.adminToken,
    });
    expect(page2.body.entries[0].id).toBeLessThan(page.body.entries[1].id);
  });
});

describe('AVG: one device’s data', () => {
  async function deviceWithData(name: string) {
    const { secret } = await t.groupWithSecret(name);
    const { deviceId, deviceToken } = await t.enroll(secret, `${name.replace(/\W/g, '')}-install`);
    const { agent } = await TestAgent.hello(t.url, deviceToken, {
      inventory: {
        os: 'windows',
        chassisType: 'Notebook',
        model: 'Latitude 3440',
        battery: { hasBattery: true },
      },
    });
    const t0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
    const intervals = [
      { start: t0, end: t0 + HOUR, state: 'active' as const, display: 'on' as const, power: 'ac' as const },
      { start: t0 + HOUR, end: t0 + 3 * HOUR, state: 'idle' as const, display: 'on' as const },
    ];
    expect(await agent.report(1, intervals, { blockers: [{ name: 'Teams.exe', kind: 'process' }] })).toEqual({
      type: 'ack',
      seq: 1,
    });
    return { deviceId, deviceToken, agent, intervals, t0 };
  }

  it('exports everything stored about a device as JSON, without its token, for admins only', async () => {
    const d = await deviceWithData('Export school');
    await t.api('PATCH', `/api/v1/devices/${d.deviceId}`, {
      token: t.adminToken,
      body: { name: 'Lokaal 12 pc 3' },
    });
    const itToken = await t.userToken('it');
    expect((await t.api('GET', `/api/v1/devices/${d.deviceId}/export`, { token: itToken })).status).toBe(403);
    const r = await t.api('GET', `/api/v1/devices/${d.deviceId}/export`, { token: t.adminToken });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain(`sluimer-device-${d.deviceId}.json`);
    const e = r.body;
    expect(e.deviceId).toBe(d.deviceId);
    expect(e.device).toMatchObject({
      id: d.deviceId,
      name: 'Lokaal 12 pc 3',
      install_id: 'Exportschool-install',
      inventory: { os: 'windows', model: 'Latitude 3440' },
      blockers: [{ name: 'Teams.exe', kind: 'process' }],
    });
    expect(e.device).not.toHaveProperty('token_hash');
    expect(JSON.stringify(e)).not.toContain(d.deviceToken);
    expect(e.intervals).toEqual(d.intervals.map((i) => ({ power: null, ...i })));
    expect(e.hourlyRollups).toHaveLength(3);
    expect(e.dailyRollups.length).toBeGreaterThanOrEqual(1);
    expect(e.audit).toContainEqual(expect.objectContaining({ method: 'PATCH', targetId: d.deviceId }));
    // when the blocker held it: name and kind, from the idle interval's start, still open
    expect(e.blockerSpans).toEqual([
      { name: 'Teams.exe', kind: 'process', possible: false, blocks: null, start: d.t0 + HOUR, end: null },
    ]);
    expect((await t.api('GET', '/api/v1/devices/999999/export', { token: t.adminToken })).status).toBe(404);
    d.agent.close();
  });

  it('erases a device: intervals, rollups, token and the device row; other devices stay', async () => {
    const keep = await deviceWithData('Keep school');
    const gone = await deviceWithData('Erase school');
    const count = (table: string, id: number) =>
      (
        db
          .prepare(`SELECT COUNT(*) n FROM ${table} WHERE ${table === 'devices' ? 'id' : 'device_id'} = ?`)
          .get(id) as {
          n: number;
        }
      ).n;
    for (const table of ['intervals', 'rollup_hour', 'rollup_day', 'blocker_spans', 'devices'])
      expect(count(table, gone.deviceId)).toBeGreaterThan(0);

    const itToken = await t.userToken('it');
    expect((await t.api('DELETE', `/api/v1/devices/${gone.deviceId}`, { token: itToken })).status).toBe(403);
    const r = await t.api('DELETE', `/api/v1/devices/${gone.deviceId}`, { token: t.adminToken });
    expect(r.status).toBe(200);
    expect(r.body.deleted).toMatchObject({ intervals: 2, hourlyRollups: 3, blockerSpans: 1, devices: 1 });
    for (const table of [
      'intervals',
      'rollup_hour',
      'rollup_day',
      'blocker_spans',
      'policy_status_history',
      'devices',
    ])
      expect(count(table, gone.deviceId)).toBe(0);
    expect((await gone.agent.waitClosed())?.code).toBe(4001);
    await expect(TestAgent.connect(t.url, gone.deviceToken)).rejects.toMatchObject({ status: 401 });
    expect((await t.api('GET', `/api/v1/devices/${gone.deviceId}`, { token: t.adminToken })).status).toBe(
      404,
    );
    // usage no longer counts it; the other device is untouched
    const usage = await t.api(
      'GET',
      `/api/v1/usage?from=${keep.t0 - HOUR}&to=${keep.t0 + 10 * HOUR}&groupBy=device`,
      { token: t.adminToken },
    );
    const keys = (usage.body.rows ?? usage.body).map((row: { key: unknown }) => String(row.key));
    expect(keys).toContain(String(keep.deviceId));
    expect(keys).not.toContain(String(gone.deviceId));
    expect(count('intervals', keep.deviceId)).toBe(2);
    expect((await t.api('DELETE', `/api/v1/devices/${gone.deviceId}`, { token: t.adminToken })).status).toBe(
      404,
    );
    keep.agent.close();
  });
});
