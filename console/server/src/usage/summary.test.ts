import { HOUR_MS, MINUTE_MS, type SummaryFrame, SummaryFrameSchema } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyService } from '../groups/policy-service.js';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';
import { localMidnight, SummaryService, weekStartOf } from './summary.js';
import { computeUsage } from './usage.js';

// a fixed console clock: Wednesday 25 November 2026, 14:30 in Amsterdam (13:30 UTC)
const NOW = Date.UTC(2026, 10, 25, 13, 30);
const MONDAY = Date.UTC(2026, 10, 22, 23, 0); // Monday 23 Nov 00:00 Amsterdam
const WEEK = 7 * 24 * HOUR_MS;
let clock = NOW;

let t: TestConsole;
let roomId: number;
let roomSecret: string;
let otherSecret: string;

async function group(name: string, kind: string, parentId?: number) {
  const g = await t.api('POST', '/api/v1/groups', {
    token: t.adminToken,
    body: parentId ? { name, kind, parentId } : { name, kind },
  });
  if (g.status !== 201) throw new Error(JSON.stringify(g.body));
  const s = await t.api('POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, {
    token: t.adminToken,
    body: {},
  });
  return { id: g.body.id as number, secret: s.body.secret as string };
}

const at = (ms: number, min: number) => ms + min * MINUTE_MS;
const idle = (start: number, end: number) => ({ start, end, state: 'idle' as const, display: 'on' as const });

beforeAll(async () => {
  t = await startTestConsole({ now: () => clock, summaryIntervalMs: 200 });
  const school = await group('Het Baken', 'school');
  const room = await group('Lokaal 2.14', 'room', school.id);
  const other = await group('Lokaal 1.01', 'room', school.id);
  roomId = room.id;
  roomSecret = room.secret;
  otherSecret = other.secret;
  // seeded through a real agent that does not ask for the summary
  const a = await t.enroll(roomSecret);
  const { agent } = await TestAgent.hello(t.url, a.deviceToken);
  const intervals = [
    // last week: Tuesday 2 h idle, Wednesday 13:20–14:00 UTC (only 10 min before at − 7 days count)
    idle(MONDAY - WEEK + 33 * HOUR_MS, MONDAY - WEEK + 35 * HOUR_MS),
    { start: MONDAY - WEEK + 36 * HOUR_MS, end: MONDAY - WEEK + 37 * HOUR_MS, state: 'active' as const },
    idle(at(NOW - WEEK, -10), at(NOW - WEEK, 30)),
    // last week's Sunday evening: outside both spans
    idle(MONDAY - 2 * HOUR_MS, MONDAY - HOUR_MS),
    // this week: Tuesday 1.5 h idle (display off), Wednesday 13:00–13:20 UTC (an edge hour, raw)
    {
      start: MONDAY + 33 * HOUR_MS,
      end: at(MONDAY + 34 * HOUR_MS, 30),
      state: 'idle' as const,
      display: 'off' as const,
    },
    { start: MONDAY + 36 * HOUR_MS, end: MONDAY + 38 * HOUR_MS, state: 'active' as const },
    idle(at(NOW, -30), at(NOW, -10)),
  ];
  expect(await agent.report(1, intervals)).toEqual({ type: 'ack', seq: 1 });
  agent.close();
  // a device of another room: not in this room's figures
  const b = await t.enroll(otherSecret);
  const other2 = await TestAgent.hello(t.url, b.deviceToken);
  expect(await other2.agent.report(1, [idle(MONDAY + 30 * HOUR_MS, MONDAY + 40 * HOUR_MS)])).toEqual({
    type: 'ack',
    seq: 1,
  });
  other2.agent.close();
});
afterAll(async () => {
  await t?.close();
});

describe('week boundaries', () => {
  it('finds the local Monday 00:00 in the school time zone, across DST', () => {
    expect(weekStartOf(NOW, 'Europe/Amsterdam')).toEqual({ date: '2026-11-23', ms: MONDAY });
    // Sunday 23:30 local is still the previous week; Monday 00:00 local starts the next
    expect(weekStartOf(MONDAY - 30 * MINUTE_MS, 'Europe/Amsterdam').date).toBe('2026-11-16');
    expect(weekStartOf(MONDAY, 'Europe/Amsterdam').date).toBe('2026-11-23');
    // summer time: Monday 29 June 2026 00:00 CEST = 28 June 22:00 UTC
    expect(localMidnight('2026-06-29', 'Europe/Amsterdam')).toBe(Date.UTC(2026, 5, 28, 22));
    expect(localMidnight('2026-11-23', 'America/New_York')).toBe(Date.UTC(2026, 10, 23, 5));
  });
});

describe('summary extension', () => {
  it('sends a valid summary right after welcome to an agent that lists the feature, with the room figures', async () => {
    const dev = await t.enroll(roomSecret);
    const { agent, welcome } = await TestAgent.hello(t.url, dev.deviceToken, { features: ['summary'] });
    expect(welcome.type).toBe('welcome');
    const frame = await agent.next();
    const parsed = SummaryFrameSchema.parse(frame);
    expect(parsed).toMatchObject({ type: 'summary', at: NOW, weekStart: '2026-11-23' });
    expect(parsed.groups).toHaveLength(1);
    const g = parsed.groups[0]!;
    expect(g).toMatchObject({ scope: 'room', label: 'Lokaal 2.14' });
    // this week: 1.5 h + 20 min idle; last week up to at − 7 days: 2 h + 10 min
    expect(g.thisWeek.idleOnHours).toBeCloseTo(1.5 + 20 / 60, 2);
    expect(g.lastWeek.idleOnHours).toBeCloseTo(2 + 10 / 60, 2);
    // energy from the usage computation over the same spans (fleet rollups + raw edges)
    const policies = new PolicyService(t.c.store);
    const waste = async (from: number, to: number) => {
      const u = await computeUsage(
        t.c.store,
        policies,
        { from, to, groupBy: 'group', groupId: roomId },
        { now: NOW },
      );
      return u.rows.reduce((s, r) => s + r.wasteKwh, 0);
    };
    const thisKwh = await waste(MONDAY, NOW);
    const lastKwh = await waste(MONDAY - WEEK, NOW - WEEK);
    expect(thisKwh).toBeGreaterThan(0);
    expect(lastKwh).toBeGreaterThan(thisKwh);
    expect(g.thisWeek.wasteKwh).toBeCloseTo(thisKwh, 3);
    expect(g.lastWeek.wasteKwh).toBeCloseTo(lastKwh, 3);
    const settings = await t.c.store.getSettings();
    expect(g.thisWeek.wasteEur).toBeCloseTo(thisKwh * settings.priceEurPerKwh, 2);
    expect(g.lastWeek.wasteEur).toBeCloseTo(lastKwh * settings.priceEurPerKwh, 2);
    // reports are still acked after the summary
    expect(await agent.report(1, [idle(at(NOW, -5), at(NOW, -4))])).toEqual({ type: 'ack', seq: 1 });
    agent.close();
  });

  it('sends nothing to an agent that does not list the feature', async () => {
    const dev = await t.enroll(roomSecret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { features: [] });
    expect(await agent.report(1, [idle(at(NOW, -3), at(NOW, -2))])).toEqual({ type: 'ack', seq: 1 });
    await new Promise((r) => setTimeout(r, 600));
    expect(agent.frames).toEqual([]);
    agent.close();
  });

  it('resends on the periodic pass only when the figures changed (next hour)', async () => {
    const dev = await t.enroll(roomSecret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { features: ['summary'] });
    const first = SummaryFrameSchema.parse(await agent.next()) as SummaryFrame;
    // more idle time reported within the same hour: acked, and the hour's cached figures are not
    // resent by the 200 ms pass
    expect(await agent.report(1, [idle(at(NOW, -30), at(NOW, -10))])).toEqual({ type: 'ack', seq: 1 });
    await new Promise((r) => setTimeout(r, 600));
    expect(agent.frames).toEqual([]);
    // the next hour: the pass recomputes, the figures now hold the report, so they are resent
    clock = NOW + HOUR_MS;
    const second = SummaryFrameSchema.parse(await agent.next(3000));
    expect(second.at).toBe(NOW + HOUR_MS);
    expect(second.groups[0]!.thisWeek.idleOnHours).toBeGreaterThan(first.groups[0]!.thisWeek.idleOnHours);
    agent.close();
  });
});

describe('groups sent', () => {
  it('sends the nearest room as room and a room-kind group above it as class; none for a school-level device', async () => {
    const school = await group('De Regenboog', 'school');
    const klas = await group('Groep 5/6', 'room', school.id);
    const corner = await group('Leeshoek', 'room', klas.id);
    const a = await t.enroll(corner.secret);
    const seed = await TestAgent.hello(t.url, a.deviceToken);
    expect(await seed.agent.report(1, [idle(MONDAY + 33 * HOUR_MS, MONDAY + 34 * HOUR_MS)])).toEqual({
      type: 'ack',
      seq: 1,
    });
    seed.agent.close();
    const dev = await t.enroll(corner.secret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { features: ['summary'] });
    const frame = SummaryFrameSchema.parse(await agent.next());
    expect(frame.groups.map((g) => [g.scope, g.label])).toEqual([
      ['room', 'Leeshoek'],
      ['class', 'Groep 5/6'],
    ]);
    // the class covers its subtree: the corner's hour counts in both
    expect(frame.groups[0]!.thisWeek.idleOnHours).toBeCloseTo(1, 5);
    expect(frame.groups[1]!.thisWeek.idleOnHours).toBeCloseTo(1, 5);
    agent.close();

    const atSchool = await t.enroll(school.secret);
    const s = await TestAgent.hello(t.url, atSchool.deviceToken, { features: ['summary'] });
    const none = SummaryFrameSchema.parse(await s.agent.next());
    expect(none.groups).toEqual([]);
    expect(none.weekStart).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    s.agent.close();
  });
});

describe('cost', () => {
  it('computes a group once per hour however many devices ask, concurrently or not', async () => {
    let reads = 0;
    const store = new Proxy(t.c.store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop === 'getSettings') reads++;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let now = NOW + 2 * HOUR_MS;
    const svc = new SummaryService(store, new PolicyService(store), () => now);
    const first = await svc.frameFor(roomId);
    const once = reads;
    expect(once).toBeGreaterThan(0);
    const many = await Promise.all(Array.from({ length: 30 }, () => svc.frameFor(roomId)));
    expect(reads).toBe(once);
    for (const f of many) expect(f).toEqual(first);
    now += HOUR_MS;
    await Promise.all([svc.frameFor(roomId), svc.frameFor(roomId)]);
    expect(reads).toBe(2 * once);
  });
});
