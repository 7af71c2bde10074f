import { DAY_MS, HOUR_MS, type Interval, type SchoolCalendar } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyService } from '../groups/policy-service.js';
import { IngestService } from '../ingest/service.js';
import { SqliteStore } from '../store/sqlite.js';
import { recordPolicyState } from './policy-history.js';
import { computeSavings } from './savings.js';
import { computeWasteCauses } from './waste-causes-data.js';

/** Monday 30 November 2026, noon UTC: "now" */
const NOW = Date.UTC(2026, 10, 30, 12);
/** the policy arrives on Monday 9 November */
const CHANGE = Date.UTC(2026, 10, 9, 12);
/** audit only is recorded from Monday 5 October */
const FIRST = Date.UTC(2026, 9, 5, 0);

/** the school's own calendar: Mon–Fri 08:30–15:30, one vacation, no holidays (so the counts are by hand) */
const CALENDAR: SchoolCalendar = {
  timeZone: 'Europe/Amsterdam',
  schoolHours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, { start: '08:30', end: '15:30' }]),
  ),
  vacations: [{ name: 'Herfstvakantie', start: '2026-10-17', end: '2026-10-25' }],
  holidays: [],
  studyDays: [],
};

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const weekend = (ms: number) => [0, 6].includes(new Date(ms).getUTCDay());
const inVacation = (ms: number) => isoDate(ms) >= '2026-10-17' && isoDate(ms) <= '2026-10-25';

/**
 * Idle hours a day from 10:00 UTC (11:00 or 12:00 in Amsterdam, always the same local day): 4 on school
 * days before the change and 1 after, 6 on the change day itself, 10 on every weekend and vacation day
 * on both sides. Any mixing of day types would move the school-day figures away from 4 → 1.
 */
function idleHoursOn(day: number): number {
  if (weekend(day) || inVacation(day)) return 10;
  if (isoDate(day) === isoDate(CHANGE)) return 6;
  return day < CHANGE ? 4 : 1;
}

async function fleet() {
  const store = new SqliteStore({ dataDir: ':memory:', now: () => NOW });
  stores.push(store);
  const policies = new PolicyService(store);
  const school = await store.createGroup({
    name: 'De Regenboog',
    parentId: null,
    kind: 'school',
    timeZone: null,
    excludedReason: null,
    now: 0,
  });
  await store.putSchoolCalendar(school.id, CALENDAR, 0);
  const room = await store.createGroup({
    name: 'Lokaal 1',
    parentId: school.id,
    kind: 'room',
    timeZone: null,
    excludedReason: null,
    now: 0,
  });
  const devices: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { deviceId } = await store.enrollDevice({
      installId: `install-${i}`,
      tokenHash: `hash-${i}`,
      groupId: room.id,
      hostname: `lokaal1-${i}`,
      inventory: {},
      detectedClass: 'laptop',
      now: 0,
    });
    devices.push(deviceId);
  }
  const items = [];
  for (const deviceId of devices) {
    let seq = 0;
    for (let day = FIRST; day < Date.UTC(2026, 10, 30); day += DAY_MS) {
      const start = day + 10 * HOUR_MS;
      const intervals: Interval[] = [
        { start, end: start + idleHoursOn(day) * HOUR_MS, state: 'idle', display: 'on', power: 'ac' },
      ];
      items.push({ deviceId, seq: ++seq, intervals });
    }
  }
  const out = await new IngestService(store).ingestBatch(items, {
    now: NOW,
    maxEnd: NOW,
    minStart: NOW - 90 * DAY_MS,
  });
  expect(out.every((o) => o.status === 'stored')).toBe(true);
  return { store, policies, school: school.id, room: room.id };
}

async function assignAt(f: Awaited<ReturnType<typeof fleet>>, at: number) {
  const p = await f.store.createPolicy({
    name: 'Sluimer-aanbeveling',
    settings: { auditOnly: false, sleepAfterSec: { ac: 1800, battery: 900 } },
    now: at,
  });
  await f.store.assignPolicy(p.id, { groupIds: [f.school], deviceIds: [] });
  f.policies.invalidate();
  return recordPolicyState(f.store, f.policies, at);
}

describe('policy history', () => {
  it('records the state found first as such, then only the groups whose effective policy changed', async () => {
    const f = await fleet();
    const first = await recordPolicyState(f.store, f.policies, FIRST);
    expect(first.map((r) => [r.groupId, r.auditOnly, r.firstRecord])).toEqual([
      [f.school, true, true],
      [f.room, true, true],
    ]);
    expect(await recordPolicyState(f.store, f.policies, FIRST + DAY_MS)).toEqual([]);
    const changed = await assignAt(f, CHANGE);
    // assigned on the school: the school and the room below it both changed
    expect(changed.map((r) => [r.groupId, r.policyName, r.auditOnly, r.firstRecord])).toEqual([
      [f.school, 'Sluimer-aanbeveling', false, false],
      [f.room, 'Sluimer-aanbeveling', false, false],
    ]);
    // a policy without school hours follows the school's calendar
    expect(changed[1]!.settings.schoolHours).toEqual(CALENDAR.schoolHours);
  });
});

describe('before/after', () => {
  it('compares school days only with school days, leaving out the change day, vacations and weekends', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    await assignAt(f, CHANGE);
    const answer = await computeSavings(f.store, f.policies, { now: NOW });
    expect(answer.schools).toHaveLength(1);
    const room = answer.schools[0]!.rooms[0]!;
    expect(room.change?.date).toBe('2026-11-09');
    expect(room.change?.from.auditOnly).toBe(true);
    expect(room.change?.to.policyName).toBe('Sluimer-aanbeveling');
    const c = room.comparison!;
    // school days 5–16 Oct and 26 Oct – 6 Nov (20) × 3 devices; after: 10–27 Nov (14) × 3
    expect(c.dayType).toBe('school_day');
    expect(c.before.deviceDays).toBe(60);
    expect(c.after.deviceDays).toBe(42);
    expect(c.after.wasteKwhPerDeviceDay! / c.before.wasteKwhPerDeviceDay!).toBeCloseTo(1 / 4, 10);
    expect(c.reductionPct).toBeCloseTo(75, 10);
    expect(c.confidence).toBe('enough');
    const byType = Object.fromEntries(c.byDayType.map((x) => [x.dayType, x]));
    // weekends: 10–11 Oct, 31 Oct – 1 Nov, 7–8 Nov before; 14–15, 21–22, 28–29 Nov after; same waste
    expect(byType.weekend!.before.deviceDays).toBe(18);
    expect(byType.weekend!.after.deviceDays).toBe(18);
    expect(byType.weekend!.reductionPct).toBeCloseTo(0, 10);
    // the vacation has no counterpart after the change: no comparison, and a note that says why
    expect(byType.vacation!.before.deviceDays).toBe(27);
    expect(byType.vacation!.confidence).toBe('none');
    expect(byType.vacation!.note?.nl).toMatch(/vakantie/);
    // euros: the school-day difference for the room's devices over a school year
    const perDay = c.before.wasteKwhPerDeviceDay! - c.after.wasteKwhPerDeviceDay!;
    expect(room.savingPerYearEur).toBeCloseTo(perDay * 3 * 195 * answer.priceEurPerKwh, 10);
    const school = answer.schools[0]!;
    expect(school.reductionPct).toBeCloseTo(75, 10);
    expect(school.changes.map((x) => x.date)).toEqual(['2026-11-09']);
    expect(school.trend.find((d) => d.date === '2026-10-20')?.dayType).toBe('vacation');
    expect(school.trend.some((d) => d.date === '2026-11-30')).toBe(false);
  });

  it('does not take a study day added to the calendar for a policy change', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    await assignAt(f, CHANGE);
    // the days off sent to agents move (a new etag), the policy does not
    const withStudyDay = { ...CALENDAR, studyDays: [{ date: '2026-11-20', name: 'Studiedag' }] };
    await f.store.putSchoolCalendar(f.school, withStudyDay, CHANGE + 7 * DAY_MS);
    f.policies.invalidate();
    const written = await recordPolicyState(f.store, f.policies, CHANGE + 7 * DAY_MS);
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((r) => !('daysOff' in r.settings))).toBe(true);
    const school = (await computeSavings(f.store, f.policies, { now: NOW })).schools[0]!;
    expect(school.changes.map((x) => x.date)).toEqual(['2026-11-09']);
    expect(school.rooms[0]!.change?.date).toBe('2026-11-09');
  });

  it('says there is too little data instead of a figure when the change is a day old', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    await assignAt(f, NOW - DAY_MS);
    const room = (await computeSavings(f.store, f.policies, { now: NOW })).schools[0]!.rooms[0]!;
    expect(room.comparison?.after.deviceDays).toBe(0);
    expect(room.comparison?.confidence).toBe('none');
    expect(room.savingPerYearEur).toBeNull();
  });

  it('shows a room without a recorded change with no comparison', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    const room = (await computeSavings(f.store, f.policies, { now: NOW })).schools[0]!.rooms[0]!;
    expect(room.change).toBeNull();
    expect(room.comparison).toBeNull();
  });
});

describe('why the rest is still wasted', () => {
  it('splits each device’s waste by the policy recorded at the time, and the causes add up to the total', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    await assignAt(f, CHANGE);
    const from = Date.UTC(2026, 10, 2);
    const to = Date.UTC(2026, 10, 30);
    const r = await computeWasteCauses(
      f.store,
      f.policies,
      { groupIds: [f.school], deviceIds: [] },
      {
        from,
        to,
        now: NOW,
      },
    );
    expect(r.totalKwh).toBeGreaterThan(0);
    const sum = r.causes.reduce((s, c) => s + c.kwh, 0);
    expect(sum).toBeCloseTo(r.totalKwh, 9);
    for (const d of r.perDevice) {
      expect(d.parts.reduce((s, p) => s + p.kwh, 0)).toBeCloseTo(d.totalKwh, 9);
    }
    const causes = new Map(r.causes.map((c) => [`${c.cause}${c.detail ? `:${c.detail}` : ''}`, c]));
    // before 9 November the room had no policy (audit only by the console default)
    expect(causes.get('no_policy:none')?.devices).toBe(3);
    // after it, the policy is in force but no device reported applying it yet: pending
    expect(causes.get('policy_failed:pending')?.devices).toBe(3);
    const none = causes.get('no_policy:none')!.kwh;
    const pending = causes.get('policy_failed:pending')!.kwh;
    // time shares: 2 November 00:00 to the change on 9 November 12:00 UTC is 7.5 of the 28 days
    expect(none / (none + pending)).toBeCloseTo(7.5 / 28, 9);
    expect(causes.get('no_policy:none')!.nextStep.nl).toMatch(/Lokaal 1|De Regenboog/);
  });
});

describe('why the rest is still wasted, with the policy status recorded over the period', () => {
  it('reads failed and applied from the statuses the device reported at the time, not from today’s', async () => {
    const f = await fleet();
    await recordPolicyState(f.store, f.policies, FIRST);
    await assignAt(f, CHANGE);
    const [first] = await f.store.listDevices();
    const { etag } = await f.policies.effectiveFor(first!);
    // a day after the change the agent reports the policy failed; a week later it applies it
    await f.store.setPolicyStatus(first!.id, {
      etag,
      ok: false,
      applied: {},
      errors: [{ code: 'command_failed', message: 'powercfg failed' }],
      at: CHANGE + DAY_MS,
    });
    await f.store.setPolicyStatus(first!.id, {
      etag,
      ok: true,
      applied: {},
      errors: [],
      at: CHANGE + 8 * DAY_MS,
    });
    const from = Date.UTC(2026, 10, 2);
    const to = Date.UTC(2026, 10, 30);
    const r = await computeWasteCauses(
      f.store,
      f.policies,
      { groupIds: [], deviceIds: [first!.id] },
      { from, to, now: NOW },
    );
    const d = r.perDevice[0]!;
    const avoidable = d.parts.filter((p) => p.cause !== 'within_recommended' && p.cause !== 'blocker');
    const total = avoidable.reduce((s, p) => s + p.kwh, 0);
    const share = (cause: string, detail?: string) =>
      avoidable
        .filter((p) => p.cause === cause && (detail === undefined || p.detail === detail))
        .reduce((s, p) => s + p.kwh, 0) / total;
    // 28 days: 7.5 without a policy, 7 failed, 12.5 applied; the day before the device's first report
    // is not recorded and takes today's status (applied), so 13.5 applied in all
    expect(share('no_policy', 'none')).toBeCloseTo(7.5 / 28, 9);
    expect(share('policy_failed', 'pending')).toBe(0);
    expect(share('policy_failed', 'failed')).toBeCloseTo(7 / 28, 9);
    expect(share('timeouts_long')).toBeCloseTo(13.5 / 28, 9);
    expect(d.parts.reduce((s, p) => s + p.kwh, 0)).toBeCloseTo(d.totalKwh, 9);
    // recorded from the console's first report: no limitation for the status
    expect(r.limitations.map((l) => l.code)).not.toContain('policy_status_history_not_recorded');
  });
});
