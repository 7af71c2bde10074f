import { DAY_MS, HOUR_MS, type Interval, type SchoolCalendar } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyService } from '../groups/policy-service.js';
import { recordPolicyState } from '../impact/policy-history.js';
import { computeSavings } from '../impact/savings.js';
import { IngestService } from '../ingest/service.js';
import { SqliteStore } from '../store/sqlite.js';
import { annualReport } from './annual-report.js';

/**
 * The annual report's savings come from the impact module's before/after (impact/savings.ts) for the
 * report's scope and school year. A room of 3 laptops idles 4 hours a school day before its policy
 * arrives on Monday 9 November 2026 and 1 hour after; weekends and the autumn vacation idle 10 hours
 * on both sides, so only school days save.
 */
const NOW = Date.UTC(2026, 10, 30, 12);
const CHANGE = Date.UTC(2026, 10, 9, 12);
const FIRST = Date.UTC(2026, 9, 5, 0);

const CALENDAR: SchoolCalendar = {
  timeZone: 'Europe/Amsterdam',
  schoolHours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, { start: '08:30', end: '15:30' }]),
  ),
  vacations: [{ name: 'Herfstvakantie', start: '2026-10-17', end: '2026-10-25' }],
  holidays: [],
  studyDays: [],
};

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const weekend = (ms: number) => [0, 6].includes(new Date(ms).getUTCDay());
const inVacation = (ms: number) => isoDate(ms) >= '2026-10-17' && isoDate(ms) <= '2026-10-25';
const idleHoursOn = (day: number) =>
  weekend(day) || inVacation(day) ? 10 : isoDate(day) === isoDate(CHANGE) ? 6 : day < CHANGE ? 4 : 1;

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function school() {
  const store = new SqliteStore({ dataDir: ':memory:', now: () => NOW });
  stores.push(store);
  const policies = new PolicyService(store);
  const group = (name: string, parentId: number | null, kind: 'school' | 'room') =>
    store.createGroup({ name, parentId, kind, timeZone: null, excludedReason: null, now: 0 });
  const regenboog = await group('De Regenboog', null, 'school');
  await store.putSchoolCalendar(regenboog.id, CALENDAR, 0);
  const room = await group('Lokaal 1', regenboog.id, 'room');
  // a second school whose policy never changes: not part of De Regenboog's report
  const other = await group('De Linde', null, 'school');
  const items = [];
  for (const [i, groupId] of [room.id, room.id, room.id, other.id].entries()) {
    const { deviceId } = await store.enrollDevice({
      installId: `install-${i}`,
      tokenHash: `hash-${i}`,
      groupId,
      hostname: `pc-${i}`,
      inventory: {},
      detectedClass: 'laptop',
      now: 0,
    });
    let seq = 0;
    for (let day = FIRST; day < Date.UTC(2026, 10, 30); day += DAY_MS) {
      const start = day + 10 * HOUR_MS;
      const intervals: Interval[] = [
        { start, end: start + idleHoursOn(day) * HOUR_MS, state: 'idle', display: 'on', power: 'ac' },
      ];
      items.push({ deviceId, seq: ++seq, intervals });
    }
  }
  await new IngestService(store).ingestBatch(items, { now: NOW, maxEnd: NOW, minStart: NOW - 90 * DAY_MS });
  await recordPolicyState(store, policies, FIRST);
  const p = await store.createPolicy({
    name: 'Sluimer-aanbeveling',
    settings: { auditOnly: false, sleepAfterSec: { ac: 1800, battery: 900 } },
    now: CHANGE,
  });
  await store.assignPolicy(p.id, { groupIds: [regenboog.id], deviceIds: [] });
  policies.invalidate();
  await recordPolicyState(store, policies, CHANGE);
  return { store, policies, regenboog: regenboog.id, room: room.id, other: other.id };
}

describe('annual report savings', () => {
  it('counts the school days after the change in the running school year, with the device-days behind them', async () => {
    const f = await school();
    const r = await annualReport(f.store, f.policies, { groupId: f.regenboog, schoolYear: '2026-2027' }, NOW);
    // the impact module's own comparison: waste per device-school-day before and after
    const cmp = (await computeSavings(f.store, f.policies, { groupId: f.regenboog, now: NOW })).schools[0]!
      .rooms[0]!.comparison!;
    const perIdleHour = cmp.before.wasteKwhPerDeviceDay! / 4;
    expect(cmp.after.wasteKwhPerDeviceDay!).toBeCloseTo(perIdleHour, 9);
    // after the change: 14 school days (10–27 November) and 6 weekend days, × 3 devices
    expect(r.savings.deviceDaysAfter).toBe(14 * 3 + 6 * 3);
    // weekends idle alike on both sides: only school days save, 3 idle hours a device-day
    expect(r.savings.avoidedKwh).toBeCloseTo(3 * perIdleHour * 42, 9);
    expect(r.savings.avoidedEur).toBeCloseTo(r.savings.avoidedKwh * 0.25, 9);
    expect(r.savings.avoidedKg).toBeCloseTo(r.savings.avoidedKwh * 0.27, 9);
    // before: 20 school days (5 Oct – 6 Nov without the vacation) and the weekends outside it
    expect(r.savings.deviceDaysBefore).toBeGreaterThanOrEqual(20 * 3);
    expect(r.savings).toMatchObject({
      confidence: 'enough',
      note: null,
      changes: [
        { groupId: f.room, groupName: 'Lokaal 1', date: '2026-11-09', policyName: 'Sluimer-aanbeveling' },
      ],
    });
  });

  it('has no measured savings in a school year that ended before the change', async () => {
    const f = await school();
    const r = await annualReport(f.store, f.policies, { groupId: f.regenboog, schoolYear: '2025-2026' }, NOW);
    expect(r.savings).toMatchObject({ avoidedKwh: 0, deviceDaysAfter: 0, confidence: 'none', changes: [] });
    expect(r.partialUntil).toBeNull();
  });

  it('keeps another school out of a school’s report, and counts the change in the board’s', async () => {
    const f = await school();
    const linde = await annualReport(f.store, f.policies, { groupId: f.other, schoolYear: '2026-2027' }, NOW);
    expect(linde.savings.changes).toEqual([]);
    const board = await annualReport(f.store, f.policies, { schoolYear: '2026-2027' }, NOW);
    expect(board.savings.changes.map((c) => c.groupId)).toEqual([f.room]);
    expect(board.savings.deviceDaysAfter).toBe(60);
  });

  it('asks the impact module as of the year’s end: a change recorded later does not replace the one in force then', async () => {
    const f = await school();
    const later = Date.UTC(2026, 10, 25, 12);
    const p = await f.store.createPolicy({
      name: 'Strenger',
      settings: { auditOnly: false, sleepAfterSec: { ac: 900, battery: 600 } },
      now: later,
    });
    await f.store.assignPolicy(p.id, { groupIds: [f.regenboog], deviceIds: [] });
    f.policies.invalidate();
    await recordPolicyState(f.store, f.policies, later);
    const asOf = Date.UTC(2026, 10, 21, 12);
    const room = (await computeSavings(f.store, f.policies, { groupId: f.regenboog, now: asOf })).schools[0]!
      .rooms[0]!;
    expect(room.change).toMatchObject({ date: '2026-11-09', to: { policyName: 'Sluimer-aanbeveling' } });
    expect(room.comparison!.after.deviceDays).toBe(9 * 3);
  });
});
