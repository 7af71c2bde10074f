import { type Blocker, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';
import { BlockerTracker } from './blocker-spans.js';

const VLC: Blocker = { name: 'vlc.exe', kind: 'process', reason: 'video', blocks: ['display', 'system'] };
const UPDATE: Blocker = { name: 'Windows Update', kind: 'service', blocks: ['system'], possible: true };

/** whole minutes from `t0` */
const iv = (t0: number, from: number, to: number, state: Interval['state']): Interval => ({
  start: t0 + from * MINUTE_MS,
  end: t0 + to * MINUTE_MS,
  state,
  ...(state === 'off' ? {} : { display: 'on' as const, power: 'ac' as const }),
});

describe('blocker spans from real reports over the agent WebSocket', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await startTestConsole();
  });
  afterAll(async () => {
    await t.close();
  });

  it('opens a span when an idle report lists a blocker, keeps it while listed and closes it when it is gone or the device sleeps', async () => {
    const school = await t.groupWithSecret('De Regenboog');
    const dev = await t.enroll(school.secret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
    const t0 = Math.floor((Date.now() - 6 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const spans = () => t.c.store.blockerSpansOverlapping([dev.deviceId], 0, Date.now() + HOUR_MS);

    // active with vlc.exe open: nothing yet (a blocker matters only while idle)
    expect(await agent.report(1, [iv(t0, 0, 10, 'active')])).toEqual({ type: 'ack', seq: 1 });
    expect(await spans()).toEqual([]);
    // idle, vlc.exe listed: open from the idle interval's start
    expect(
      await agent.report(2, [iv(t0, 10, 20, 'active'), iv(t0, 20, 30, 'idle')], { blockers: [VLC] }),
    ).toEqual({ type: 'ack', seq: 2 });
    expect(await spans()).toEqual([
      expect.objectContaining({
        name: 'vlc.exe',
        kind: 'process',
        possible: false,
        blocks: ['display', 'system'],
        start: t0 + 20 * MINUTE_MS,
        end: null,
      }),
    ]);
    // still listed, and Windows Update joins: one span each, vlc's unchanged
    await agent.report(3, [iv(t0, 30, 40, 'idle')], { blockers: [VLC, UPDATE] });
    // idle without vlc.exe: vlc's span ends where that idle time starts; Windows Update goes on
    await agent.report(4, [iv(t0, 40, 45, 'active'), iv(t0, 45, 60, 'idle')], { blockers: [UPDATE] });
    // the device goes to sleep: every open span ends at the sleep's start
    expect(
      await agent.report(5, [iv(t0, 60, 70, 'idle'), iv(t0, 70, 90, 'asleep')], { blockers: [UPDATE] }),
    ).toEqual({ type: 'ack', seq: 5 });
    const after = await spans();
    expect(after.map(({ name, start, end, possible }) => ({ name, start, end, possible }))).toEqual([
      { name: 'vlc.exe', start: t0 + 20 * MINUTE_MS, end: t0 + 45 * MINUTE_MS, possible: false },
      { name: 'Windows Update', start: t0 + 30 * MINUTE_MS, end: t0 + 70 * MINUTE_MS, possible: true },
    ]);
    // after the wake vlc.exe is listed again: a new span; then the agent stops reporting for a while
    // and comes back with a gap: the open span ends where the data ended
    await agent.report(6, [iv(t0, 90, 100, 'active'), iv(t0, 100, 110, 'idle')], { blockers: [VLC] });
    await agent.report(7, [iv(t0, 130, 140, 'active')]);
    const last = (await spans()).at(-1)!;
    expect(last).toMatchObject({ name: 'vlc.exe', start: t0 + 100 * MINUTE_MS, end: t0 + 110 * MINUTE_MS });
    expect(await t.c.store.openBlockerSpans([dev.deviceId])).toEqual([]);

    // the AVG export carries the spans (names, no reasons); erasure removes them
    const exported = await t.api('GET', `/api/v1/devices/${dev.deviceId}/export`, { token: t.adminToken });
    expect(exported.status).toBe(200);
    expect(exported.body.blockerSpans).toHaveLength(3);
    expect(JSON.stringify(exported.body.blockerSpans)).not.toContain('video');
    agent.close();
    await agent.waitClosed();
    const erased = await t.api('DELETE', `/api/v1/devices/${dev.deviceId}`, { token: t.adminToken });
    expect(erased.status).toBe(200);
    expect(erased.body.deleted.blockerSpans).toBe(3);
    expect(await spans()).toEqual([]);
  });
});

describe('policy-status history from real frames over the agent WebSocket', () => {
  it('records the hello naming its etag and each policy_status frame, error codes without messages', async () => {
    const t = await startTestConsole();
    try {
      const school = await t.groupWithSecret('Het Anker');
      const dev = await t.enroll(school.secret);
      const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { policyEtag: 'held-before' });
      agent.send({
        type: 'policy_status',
        etag: 'e1',
        ok: false,
        applied: {},
        errors: [{ code: 'overridden_by_policy', message: 'locked by GPO on \\\\server\\share' }],
      });
      let events = await t.c.store.policyStatusHistory([dev.deviceId], Date.now() + HOUR_MS);
      for (let i = 0; i < 50 && events.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        events = await t.c.store.policyStatusHistory([dev.deviceId], Date.now() + HOUR_MS);
      }
      expect(events.map(({ kind, etag, ok, errorCodes }) => ({ kind, etag, ok, errorCodes }))).toEqual([
        { kind: 'hello', etag: 'held-before', ok: null, errorCodes: [] },
        { kind: 'status', etag: 'e1', ok: false, errorCodes: ['overridden_by_policy'] },
      ]);
      agent.close();
      await agent.waitClosed();
    } finally {
      await t.close();
    }
  });
});

describe('the blocker tracker', () => {
  const T0 = Date.UTC(2026, 2, 2, 8);

  it('ends a span that a report both opens and ends, and leaves out one that held no time', () => {
    const tr = new BlockerTracker(1, []);
    tr.apply([iv(T0, 0, 10, 'idle'), iv(T0, 10, 20, 'off')], [VLC], 0);
    expect(tr.insert).toEqual([expect.objectContaining({ start: T0, end: T0 + 10 * MINUTE_MS })]);
    const none = new BlockerTracker(1, []);
    none.apply([iv(T0, 0, 10, 'off')], [VLC], 0);
    expect(none.insert).toEqual([]);
    expect(none.changed).toBe(false);
  });

  it('closes stored open spans by id and ignores time the device had already reported', () => {
    const stored = {
      id: 7,
      deviceId: 1,
      name: 'vlc.exe',
      kind: 'process' as const,
      possible: false,
      blocks: null,
      start: T0,
      end: null,
    };
    const tr = new BlockerTracker(1, [stored]);
    // reaches back before the stored end (T0 + 30 min): that part moves nothing
    tr.apply([iv(T0, 20, 30, 'asleep')], undefined, T0 + 30 * MINUTE_MS);
    expect(tr.changed).toBe(false);
    tr.apply([iv(T0, 30, 40, 'idle')], undefined, T0 + 30 * MINUTE_MS);
    expect(tr.close).toEqual([{ id: 7, deviceId: 1, end: T0 + 30 * MINUTE_MS }]);
  });
});
