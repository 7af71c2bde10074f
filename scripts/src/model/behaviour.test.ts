import { DAY_MS, findOverlap, HOUR_MS, IntervalSchema, localTime, mergeAdjacent } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { type DeviceProfile, deviceTimeline } from './behaviour.js';
import { localDay } from './calendar.js';
import { benchSchool, boardDevices, demoBoard, demoEnforcedPolicy, makeDevice } from './fleet-plan.js';

const school = benchSchool();
// Monday 2026-11-02 00:00 Amsterdam (UTC+1)
const monday = Date.UTC(2026, 10, 1, 23);
const span = (n: number) => [monday, monday + n * DAY_MS] as const;

function sum(intervals: { start: number; end: number; state: string }[], state: string): number {
  return intervals.filter((i) => i.state === state).reduce((n, i) => n + i.end - i.start, 0);
}

describe('the school behaviour model', () => {
  const desktop = makeDevice('classroom-desktop', { key: 'x', prefix: 'X' }, 1);

  it('covers the range with sorted, valid, non-overlapping intervals', () => {
    for (const role of [
      'classroom-desktop',
      'lab-desktop',
      'office-aio',
      'student-laptop',
      'chromebook',
    ] as const) {
      for (let i = 1; i <= 5; i++) {
        const d = makeDevice(role, { key: 'x', prefix: 'X' }, i);
        const [from, to] = span(14);
        const { intervals } = deviceTimeline(d, school, from, to);
        expect(findOverlap(intervals)).toBeNull();
        expect(intervals[0]?.start).toBe(from);
        expect(intervals[intervals.length - 1]?.end).toBe(to);
        for (let k = 1; k < intervals.length; k++) expect(intervals[k]?.start).toBe(intervals[k - 1]?.end);
        for (const iv of intervals) expect(IntervalSchema.safeParse(iv).success).toBe(true);
      }
    }
  });

  it('gives the same intervals for the same device and range, and joins split ranges exactly', () => {
    const [from, to] = span(10);
    const whole = deviceTimeline(desktop, school, from, to).intervals;
    expect(deviceTimeline(desktop, school, from, to).intervals).toEqual(whole);
    const cuts = [
      from,
      from + 3 * DAY_MS + 1234,
      from + 3 * DAY_MS + 61_000,
      from + 7 * DAY_MS + 9 * HOUR_MS,
      to,
    ];
    const pieces = cuts
      .slice(1)
      .flatMap((c, i) => deviceTimeline(desktop, school, cuts[i] as number, c).intervals);
    expect(mergeAdjacent(pieces)).toEqual(whole);
  });

  it('is active only around school hours on weekdays and never at the weekend', () => {
    const [from, to] = span(14);
    for (const { device } of boardDevices(demoBoard({ deviceCount: 60, policyFrom: to }))) {
      for (const iv of deviceTimeline(device, school, from, to).intervals) {
        if (iv.state !== 'active') continue;
        const start = localTime(iv.start);
        const end = localTime(iv.end - 1);
        expect(start.weekday).toBeLessThan(5);
        expect(start.date).toBe(end.date);
        expect(start.hour).toBeGreaterThanOrEqual(7);
        expect(end.hour).toBeLessThan(18);
      }
    }
  });

  it('keeps devices with a blocker awake while idle even when a sleep timer is set', () => {
    const { blocker: _none, ...base } = makeDevice('classroom-desktop', { key: 'x', prefix: 'X' }, 2);
    const timers: DeviceProfile = {
      ...base,
      sleepAfterMin: { ac: 30, battery: 30 },
      endOfDay: { shutdown: 0, sleep: 0, idle: 1 },
    };
    const blocked: DeviceProfile = {
      ...timers,
      blocker: { name: 'Teams.exe', kind: 'process', reason: 'gesprek open' },
    };
    const [from, to] = span(7);
    const free = deviceTimeline(timers, school, from, to);
    const held = deviceTimeline(blocked, school, from, to);
    expect(sum(free.intervals, 'asleep')).toBeGreaterThan(DAY_MS);
    expect(sum(held.intervals, 'asleep')).toBe(0);
    expect(held.blockers).toEqual([blocked.blocker]);
    expect(free.blockers).toEqual([]);
    // the sleep timer cuts every idle stretch at 30 minutes
    for (const iv of mergeAdjacent(
      free.intervals.map((i) => ({ ...i, display: undefined, power: undefined })),
    ))
      if (iv.state === 'idle') expect(iv.end - iv.start).toBeLessThanOrEqual(30 * 60_000);
  });

  it('turns the display off after the display timer while the device stays idle', () => {
    const d: DeviceProfile = {
      ...desktop,
      displayOffAfterMin: { ac: 10, battery: 10 },
      sleepAfterMin: { ac: null, battery: null },
      endOfDay: { shutdown: 0, sleep: 0, idle: 1 },
    };
    const { intervals } = deviceTimeline(d, school, ...span(3));
    expect(intervals.some((i) => i.state === 'idle' && i.display === 'off')).toBe(true);
    for (let k = 0; k < intervals.length; k++) {
      const iv = intervals[k];
      if (iv?.state === 'idle' && iv.display === 'on')
        expect(iv.end - iv.start).toBeLessThanOrEqual(10 * 60_000);
    }
  });

  it('puts laptops on battery for part of some days and desktops never', () => {
    const laptop = makeDevice('student-laptop', { key: 'x', prefix: 'X' }, 3);
    const l = deviceTimeline(laptop, school, ...span(14)).intervals;
    expect(l.some((i) => i.power === 'battery' && i.state === 'active')).toBe(true);
    expect(
      sum(
        l.filter((i) => i.power === 'battery'),
        'active',
      ),
    ).toBeLessThan(sum(l, 'active'));
    expect(deviceTimeline(desktop, school, ...span(14)).intervals.some((i) => i.power === 'battery')).toBe(
      false,
    );
  });

  it('spends less time idle once a policy with sleep timers is enforced', () => {
    const [from, to] = span(14);
    let idleAudit = 0;
    let idleEnforced = 0;
    for (let i = 1; i <= 20; i++) {
      const d = makeDevice('classroom-desktop', { key: 'p', prefix: 'P' }, i);
      idleAudit += sum(deviceTimeline(d, school, from, to).intervals, 'idle');
      idleEnforced += sum(
        deviceTimeline({ ...d, policy: demoEnforcedPolicy(from) }, school, from, to).intervals,
        'idle',
      );
    }
    expect(idleEnforced).toBeLessThan(idleAudit * 0.5);
  });

  it('skips holidays', () => {
    const holidaySchool = { ...school, holidays: ['2026-11-04'] };
    const wed = localDay('2026-11-04', school.timeZone);
    const { intervals } = deviceTimeline(desktop, holidaySchool, wed.midnight, wed.midnight + DAY_MS);
    expect(sum(intervals, 'active')).toBe(0);
  });
});

describe('the demo board', () => {
  const board = demoBoard({ deviceCount: 300, policyFrom: monday });
  const all = boardDevices(board);

  it('has exactly the requested devices, uniquely named, over three schools', () => {
    expect(all).toHaveLength(300);
    expect(new Set(all.map((d) => d.device.installId)).size).toBe(300);
    expect(new Set(all.map((d) => d.device.hostname)).size).toBe(300);
    expect(board.schools.map((s) => s.name)).toEqual([
      'Het Baken',
      'Openbare Basisschool De Regenboog',
      'Stedelijk College Noord',
    ]);
    expect(board.schools.map((s) => s.kind)).toEqual(['po', 'po', 'vo']);
  });

  it('mixes laptops, desktops, Chromebooks and a few all-in-ones, some held awake by blockers', () => {
    const classes = new Map<string, number>();
    for (const { device } of all) classes.set(device.deviceClass, (classes.get(device.deviceClass) ?? 0) + 1);
    expect(classes.get('laptop')).toBeGreaterThan(20);
    expect(classes.get('desktop')).toBeGreaterThan(30);
    expect(classes.get('chromebook')).toBeGreaterThan(60);
    expect(classes.get('all-in-one')).toBeGreaterThan(3);
    expect(classes.get('all-in-one')).toBeLessThan(30);
    expect(all.filter((d) => d.device.blocker).length).toBeGreaterThan(2);
  });

  it('leaves one school audit-only and enforces the policy in the others', () => {
    const regenboog = board.schools.find((s) => s.key === 'regenboog');
    expect(regenboog?.enforced).toBe(false);
    expect(all.filter((d) => d.school.key === 'regenboog').every((d) => !d.device.policy)).toBe(true);
    expect(all.filter((d) => d.school.key === 'baken').every((d) => d.device.policy)).toBe(true);
  });
});
