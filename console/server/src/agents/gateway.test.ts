import { HOUR_MS, LIMITS, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/sqlite.js';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let secret: string;

beforeAll(async () => {
  t = await startTestConsole();
  ({ secret } = await t.groupWithSecret());
});
afterAll(async () => {
  await t.close();
});

const db = () => (t.c.store as SqliteStore).db;
const count = (deviceId: number) =>
  Number(
    (db().prepare('SELECT COUNT(*) AS n FROM intervals WHERE device_id = ?').get(deviceId) as { n: number })
      .n,
  );
const maxSeq = (deviceId: number) =>
  Number(
    (db().prepare('SELECT max_seq FROM devices WHERE id = ?').get(deviceId) as { max_seq: number }).max_seq,
  );
const rollupWh = (deviceId: number) =>
  Number(
    (
      db()
        .prepare('SELECT COALESCE(SUM(energy_wh), 0) AS e FROM rollup_hour WHERE device_id = ?')
        .get(deviceId) as {
        e: number;
      }
    ).e,
  );

/** an hour-aligned moment a day ago, so intervals are recent and never in the future */
const base = Math.floor((Date.now() - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const iv = (startMin: number, endMin: number, state: 'active' | 'idle' | 'asleep' | 'off' = 'idle') => ({
  start: base + startMin * MINUTE_MS,
  end: base + endMin * MINUTE_MS,
  state,
});

async function connected() {
  const dev = await t.enroll(secret);
  const { agent, welcome } = await TestAgent.hello(t.url, dev.deviceToken);
  return { ...dev, agent, welcome };
}

describe('agent gateway', () => {
  it('refuses an upgrade without a valid device token with HTTP 401 and no socket', async () => {
    const missing = await TestAgent.connect(t.url, null).catch((e) => e);
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body).error.code).toBe('unauthorized');
    const wrong = await TestAgent.connect(t.url, 'sdt_not-a-token').catch((e) => e);
    expect(wrong.status).toBe(401);
  });

  it('answers hello with a welcome carrying the audit-only console default policy and the school time zone', async () => {
    const { welcome, deviceId, agent } = await connected();
    expect(welcome).toMatchObject({ type: 'welcome', deviceId, ackedSeq: 0 });
    if (welcome.type !== 'welcome') throw new Error('not a welcome');
    expect(welcome.policy).toMatchObject({
      auditOnly: true,
      idleThresholdSec: 300,
      timeZone: 'Europe/Amsterdam',
    });
    expect(typeof welcome.etag).toBe('string');
    expect(Math.abs(welcome.serverTime - Date.now())).toBeLessThan(5000);
    agent.close();
  });

  it('requires hello as the first frame', async () => {
    const dev = await t.enroll(secret);
    const agent = await TestAgent.connect(t.url, dev.deviceToken);
    const err = await agent.report(1, [iv(0, 10)]);
    expect(err).toMatchObject({ type: 'error', code: 'hello_required' });
    expect(count(dev.deviceId)).toBe(0);
    agent.close();
  });

  it('acks a report only once it is stored, with rollups, and re-acks a duplicate without storing it twice', async () => {
    const { agent, deviceId, deviceToken } = await connected();
    const ack = await agent.report(1, [iv(0, 30, 'active'), iv(30, 90, 'idle')]);
    expect(ack).toEqual({ type: 'ack', seq: 1 });
    expect(count(deviceId)).toBe(2);
    expect(maxSeq(deviceId)).toBe(1);
    // laptop: 0.5 h active at 15 W + 1 h idle (display on) at 8 W
    expect(rollupWh(deviceId)).toBeCloseTo(7.5 + 8, 9);

    const again = await agent.report(1, [iv(0, 30, 'active'), iv(30, 90, 'idle')]);
    expect(again).toEqual({ type: 'ack', seq: 1 });
    expect(count(deviceId)).toBe(2);
    expect(rollupWh(deviceId)).toBeCloseTo(15.5, 9);

    // a reconnecting agent learns what is stored
    agent.close();
    const { welcome, agent: a2 } = await TestAgent.hello(t.url, deviceToken);
    expect(welcome).toMatchObject({ type: 'welcome', ackedSeq: 1 });
    // and an older seq is acked with its own seq, not stored
    expect(await a2.report(1, [iv(200, 210)])).toEqual({ type: 'ack', seq: 1 });
    expect(count(deviceId)).toBe(2);
    a2.close();
  });

  it('rejects overlapping intervals, with stored data or within the report, and changes nothing', async () => {
    const { agent, deviceId } = await connected();
    expect(await agent.report(5, [iv(0, 60)])).toEqual({ type: 'ack', seq: 5 });
    const withStored = await agent.report(6, [iv(50, 70)]);
    expect(withStored).toMatchObject({ type: 'error', code: 'interval_overlap', seq: 6 });
    const inside = await agent.report(6, [iv(100, 130), iv(120, 140)]);
    expect(inside).toMatchObject({ type: 'error', code: 'interval_overlap', seq: 6 });
    // an interval before the stored one that reaches into it
    const before = await agent.report(6, [iv(-30, 1)]);
    expect(before).toMatchObject({ type: 'error', code: 'interval_overlap', seq: 6 });
    expect(count(deviceId)).toBe(1);
    expect(maxSeq(deviceId)).toBe(5);
    // touching ends are fine, also when the report fills a gap before stored data
    expect(await agent.report(6, [iv(60, 70), iv(-30, 0)])).toEqual({ type: 'ack', seq: 6 });
    expect(count(deviceId)).toBe(3);
    agent.close();
  });

  it('rejects intervals in the future and older than the raw retention, keeping the stored seq', async () => {
    const { agent, deviceId } = await connected();
    const now = Date.now();
    const future = await agent.report(1, [
      { start: now, end: now + LIMITS.maxFutureSkewMs + 60_000, state: 'active' },
    ]);
    expect(future).toMatchObject({ type: 'error', code: 'interval_in_future', seq: 1 });
    const old = now - 91 * 24 * HOUR_MS;
    const tooOld = await agent.report(1, [{ start: old, end: old + 60_000, state: 'off' }]);
    expect(tooOld).toMatchObject({ type: 'error', code: 'interval_too_old', seq: 1 });
    expect(maxSeq(deviceId)).toBe(0);
    expect(count(deviceId)).toBe(0);
    // within the skew allowance is accepted
    const skew = await agent.report(1, [{ start: now - 60_000, end: now + 60_000, state: 'active' }]);
    expect(skew).toEqual({ type: 'ack', seq: 1 });
    agent.close();
  });

  it('answers every kind of bad frame with an error frame and changes nothing', async () => {
    const { agent, deviceId } = await connected();
    const cases: [unknown, string, number?][] = [
      ['{not json', 'bad_json'],
      [JSON.stringify([1, 2]), 'bad_frame'],
      [{ type: 'reboot' }, 'unknown_type'],
      [{ type: 'report', seq: 0, intervals: [] }, 'bad_seq'],
      [{ type: 'report', seq: 'x', intervals: [] }, 'bad_seq'],
      [
        { type: 'report', seq: 3, intervals: [{ start: base + 10, end: base, state: 'idle' }] },
        'bad_interval',
        3,
      ],
      [{ type: 'report', seq: 3, intervals: [{ ...iv(0, 5), state: 'dozing' }] }, 'bad_interval', 3],
      [{ type: 'report', seq: 3, intervals: 'none' }, 'bad_interval', 3],
      [
        {
          type: 'report',
          seq: 3,
          intervals: Array.from({ length: LIMITS.maxIntervalsPerReport + 1 }, (_, i) => iv(i, i + 1)),
        },
        'too_many_intervals',
        3,
      ],
      [{ type: 'report', seq: 3, intervals: [], blockers: [{ name: 'x', kind: 'gremlin' }] }, 'bad_frame', 3],
      [{ type: 'hello', protocol: 1, agentVersion: 'again' }, 'bad_frame'],
      [{ type: 'policy_status', etag: 'x', ok: 'yes' }, 'bad_frame'],
    ];
    for (const [frame, code, seq] of cases) {
      agent.send(frame);
      const err = await agent.next();
      expect(err, `frame ${JSON.stringify(frame).slice(0, 60)}`).toMatchObject({ type: 'error', code });
      if (err.type === 'error') expect(err.seq).toBe(seq);
    }
    // binary frames
    agent.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'binary_frame' });
    // above the soft size limit, below the hard one
    const big = {
      type: 'report',
      seq: 4,
      intervals: [iv(0, 1)],
      blockers: [{ name: 'x', kind: 'process', reason: 'y'.repeat(LIMITS.maxFrameBytes) }],
    };
    agent.send(big);
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'frame_too_large', seq: 4 });
    expect(count(deviceId)).toBe(0);
    expect(maxSeq(deviceId)).toBe(0);
    // the socket stays open and serves a good report
    expect(await agent.report(3, [iv(0, 5)])).toEqual({ type: 'ack', seq: 3 });
    agent.close();
  });

  it('closes a socket that keeps sending bad frames', async () => {
    const { agent } = await connected();
    for (let i = 0; i < LIMITS.maxConsecutiveBadFrames; i++) agent.send('nope');
    const closed = await agent.waitClosed();
    expect(closed?.code).toBe(1008);
  });

  it('closes the socket when a frame exceeds the hard size limit', async () => {
    const { agent } = await connected();
    agent.send('x'.repeat(LIMITS.hardMaxFrameBytes + 10));
    const closed = await agent.waitClosed();
    expect(closed?.code).toBe(1009);
  });

  it('stores blockers and agent counters from reports and policy status frames', async () => {
    const { agent, deviceId, welcome } = await connected();
    if (welcome.type !== 'welcome') throw new Error('no welcome');
    await agent.report(1, [iv(0, 10)], {
      blockers: [{ name: 'Teams.exe', kind: 'process', reason: 'call' }],
      counters: { droppedReports: 2, nudges: { idle: { shown: 1, dismissed: 1, snoozed: 0 } } },
    });
    await agent.report(2, [iv(10, 20)], { counters: { droppedReports: 1 } });
    agent.send({
      type: 'policy_status',
      etag: welcome.etag,
      ok: true,
      applied: { sleepAfterSec: { ac: 900 } },
      errors: [],
    });
    // frames are handled in order: after the next ack the status is stored
    await agent.report(3, []);
    const dev = await t.api('GET', `/api/v1/devices/${deviceId}`, { token: t.adminToken });
    expect(dev.status).toBe(200);
    expect(dev.body.blockers).toEqual([{ name: 'Teams.exe', kind: 'process', reason: 'call' }]);
    expect(dev.body.counters).toEqual({
      droppedReports: 3,
      nudges: { idle: { shown: 1, dismissed: 1, snoozed: 0 } },
    });
    // acknowledged, but only the console default applies: no energy policy (device-status.ts)
    expect(dev.body.policyStatus).toBe('none');
    expect(dev.body.online).toBe(true);
    expect(dev.body.policyStatusDetail).toMatchObject({ ok: true, etag: welcome.etag });
    agent.close();
  });

  it('pushes to a whole group at once: one policy for the group, a device’s own policy kept, unknown devices refused', async () => {
    const { groupId, secret: s3 } = await t.groupWithSecret('Bulk school');
    const enrolled = await Promise.all([1, 2, 3, 4].map(() => t.enroll(s3)));
    const agents = await Promise.all(enrolled.map((e) => TestAgent.hello(t.url, e.deviceToken)));
    const policy = (name: string, ac: number) =>
      t.api('POST', '/api/v1/policies', {
        token: t.adminToken,
        body: { name, settings: { auditOnly: false, sleepAfterSec: { ac } } },
      });
    const school = await policy('Bulk', 1200);
    const own = await policy('Eigen', 300);
    const first = enrolled[0]!.deviceId;

    // a device that does not exist: refused with its id, and nothing assigned or pushed
    const refused = await t.api('POST', `/api/v1/policies/${own.body.id}/assign`, {
      token: t.adminToken,
      body: { deviceIds: [first, 987_654] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual({ groupIds: [], deviceIds: [987_654] });

    await t.api('POST', `/api/v1/policies/${own.body.id}/assign`, {
      token: t.adminToken,
      body: { deviceIds: [first] },
    });
    expect(await agents[0]!.agent.next()).toMatchObject({
      type: 'policy',
      policy: { sleepAfterSec: { ac: 300 } },
    });
    for (const a of agents.slice(1)) expect(a.agent.frames).toEqual([]);

    const assigned = await t.api('POST', `/api/v1/policies/${school.body.id}/assign`, {
      token: t.adminToken,
      body: { groupIds: [groupId] },
    });
    // the device's own policy beats the group's: only the three others get a frame
    expect(assigned.body.pushed).toBe(3);
    const frames = await Promise.all(agents.slice(1).map((a) => a.agent.next()));
    for (const f of frames)
      expect(f).toMatchObject({
        type: 'policy',
        policy: { sleepAfterSec: { ac: 1200 }, policyName: 'Bulk' },
      });
    expect(new Set(frames.map((f) => (f as { etag: string }).etag)).size).toBe(1);
    expect(agents[0]!.agent.frames).toEqual([]);
    for (const a of agents) await a.agent.close();
  });

  it('pushes a policy frame to connected agents as soon as a policy is assigned or changed', async () => {
    const { groupId, secret: s2 } = await t.groupWithSecret('Push school');
    const room = await t.api('POST', '/api/v1/groups', {
      token: t.adminToken,
      body: { name: 'Lokaal 1', parentId: groupId },
    });
    const roomSecret = await t.api('POST', `/api/v1/groups/${room.body.id}/enroll-secrets`, {
      token: t.adminToken,
    });
    const inSchool = await t.enroll(s2);
    const inRoom = await t.enroll(roomSecret.body.secret);
    const a = await TestAgent.hello(t.url, inSchool.deviceToken);
    const b = await TestAgent.hello(t.url, inRoom.deviceToken);
    const p = await t.api('POST', '/api/v1/policies', {
      token: t.adminToken,
      body: { name: 'Standaard', settings: { auditOnly: false, sleepAfterSec: { ac: 1800 } } },
    });
    expect(p.status).toBe(201);
    const assigned = await t.api('POST', `/api/v1/policies/${p.body.id}/assign`, {
      token: t.adminToken,
      body: { groupIds: [groupId] },
    });
    expect(assigned.status).toBe(200);
    const fa = await a.agent.next();
    const fb = await b.agent.next();
    expect(fa).toMatchObject({
      type: 'policy',
      policy: { auditOnly: false, sleepAfterSec: { ac: 1800 }, policyName: 'Standaard' },
    });
    expect(fb).toMatchObject({ type: 'policy', policy: { sleepAfterSec: { ac: 1800 } } });

    // a room policy beats the school's for the room only
    const roomPolicy = await t.api('POST', '/api/v1/policies', {
      token: t.adminToken,
      body: { name: 'Lokaal', settings: { sleepAfterSec: { ac: 600 } } },
    });
    await t.api('POST', `/api/v1/policies/${roomPolicy.body.id}/assign`, {
      token: t.adminToken,
      body: { groupIds: [room.body.id] },
    });
    expect(await b.agent.next()).toMatchObject({
      type: 'policy',
      policy: { auditOnly: false, sleepAfterSec: { ac: 600 } },
    });
    expect(a.agent.frames).toEqual([]);

    // changing the school policy reaches both; excluding the room reaches the room
    await t.api('PUT', `/api/v1/policies/${p.body.id}`, {
      token: t.adminToken,
      body: { name: 'Standaard', settings: { auditOnly: false, sleepAfterSec: { ac: 2400 } } },
    });
    expect(await a.agent.next()).toMatchObject({ type: 'policy', policy: { sleepAfterSec: { ac: 2400 } } });
    await t.api('PATCH', `/api/v1/groups/${room.body.id}`, {
      token: t.adminToken,
      body: { excludedReason: 'kiosk' },
    });
    expect(await b.agent.next()).toMatchObject({ type: 'policy', policy: { excludedReason: 'kiosk' } });

    // unassigning the school policy falls back to the console default
    await t.api('POST', '/api/v1/policies/unassign', { token: t.adminToken, body: { groupIds: [groupId] } });
    expect(await a.agent.next()).toMatchObject({
      type: 'policy',
      policy: { auditOnly: true, policyId: null },
    });
    a.agent.close();
    b.agent.close();
  });

  it('closes the old socket and refuses the old token once a device enrolls again', async () => {
    const installId = 'reinstall-abcdefgh';
    const first = await t.enroll(secret, installId);
    const { agent } = await TestAgent.hello(t.url, first.deviceToken);
    const second = await t.enroll(secret, installId);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.deviceToken).not.toBe(first.deviceToken);
    expect((await agent.waitClosed())?.code).toBe(4001);
    const refused = await TestAgent.connect(t.url, first.deviceToken).catch((e) => e);
    expect(refused.status).toBe(401);
    const { welcome, agent: a2 } = await TestAgent.hello(t.url, second.deviceToken);
    expect(welcome).toMatchObject({ type: 'welcome', deviceId: first.deviceId });
    a2.close();
  });

  it('commits reports from many sockets together and acks each of them', async () => {
    const agents = await Promise.all(Array.from({ length: 20 }, () => connected()));
    const before = { ...t.c.gateway.stats };
    const acks = await Promise.all(
      agents.map((a, i) => a.agent.report(1, [iv(i, i + 1), iv(i + 1, i + 3, 'active')])),
    );
    for (const ack of acks) expect(ack).toEqual({ type: 'ack', seq: 1 });
    expect(t.c.gateway.stats.reports - before.reports).toBe(20);
    // group commit: fewer transactions than reports
    expect(t.c.gateway.stats.batches - before.batches).toBeLessThan(20);
    for (const a of agents) expect(count(a.deviceId)).toBe(2);
    for (const a of agents) a.agent.close();
  });
});
