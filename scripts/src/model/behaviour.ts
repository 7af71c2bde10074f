import type { Blocker, DeviceClass, Interval, Inventory } from '@sluimer/shared';
import { MINUTE_MS, mergeAdjacent } from '@sluimer/shared';
import { addDays, type LocalDay, localDateOf, localDay } from './calendar.js';
import { createRng, hashSeed, type Rng } from './rng.js';

/**
 * A school behaviour model: pure and deterministic. The same device, school and range always give
 * the same intervals, and adjacent ranges join without gaps or overlaps, so a simulated agent can
 * backfill history in one go and then keep reporting minute by minute from the same model.
 *
 * A device's life is a list of "bursts" of use (state `active`). What happens in the gap after a
 * burst depends on how the burst ended: the user shut down (`off`), put it to sleep or closed the
 * lid (`asleep`), or walked away (`idle`: backdated to the last input, display off after the
 * display timer, asleep after the sleep timer unless a blocker such as Teams.exe holds it awake).
 */

export type SchoolKind = 'po' | 'vo';

/** Minutes after local midnight. */
export interface DayWindow {
  start: number;
  end: number;
}

export interface SchoolProfile {
  key: string;
  name: string;
  kind: SchoolKind;
  timeZone: string;
  /** school hours per weekday (0 = Monday); days left out have no school */
  hours: Partial<Record<number, DayWindow>>;
  /** local dates (YYYY-MM-DD) without school: holidays, study days */
  holidays?: readonly string[];
}

export type DeviceRole =
  | 'classroom-desktop'
  | 'lab-desktop'
  | 'office-aio'
  | 'student-laptop'
  | 'teacher-laptop'
  | 'chromebook';

export type EndAction = 'shutdown' | 'sleep' | 'idle';

export interface PerSourceMin {
  ac: number | null;
  battery: number | null;
}

/** Power timers a policy enforces from `from` on (audit-only schools have none). */
export interface EnforcedPolicy {
  from: number;
  /** in school hours (null: the device keeps its own timer) */
  sleepAfterMin: PerSourceMin;
  displayOffAfterMin: PerSourceMin;
  /**
   * outside school hours, all day on days without school (weekends, vacations, holidays): replaces
   * the school-hours value per power source, as the agent does; a null source keeps that value
   */
  outside?: { sleepAfterMin: PerSourceMin; displayOffAfterMin: PerSourceMin };
  /** scheduled sleep at this local time (minutes after midnight) for devices left on */
  scheduledSleepAt?: number;
}

export interface DeviceProfile {
  /** stable unique key, e.g. "baken/chromebook/017"; also the seed */
  key: string;
  role: DeviceRole;
  deviceClass: DeviceClass;
  hostname: string;
  installId: string;
  inventory: Inventory;
  idleThresholdMin: number;
  /** the OS's own timers before any policy (null = never) */
  displayOffAfterMin: PerSourceMin;
  sleepAfterMin: PerSourceMin;
  /** keeps the device awake while idle (timer sleep never happens) */
  blocker?: Blocker;
  /** what a user does at the end of the day, as weights */
  endOfDay: Record<EndAction, number>;
  /** share of lessons in which the device is used (0..1) */
  usage: number;
  /** chance that a school day includes a stretch on battery (laptops) */
  batteryDayChance: number;
  policy?: EnforcedPolicy;
}

interface Burst {
  start: number;
  end: number;
  /** what happens in the gap after this burst */
  after: EndAction;
}

interface DayPlan {
  bursts: Burst[];
  /** a stretch on battery, epoch ms */
  battery?: [number, number];
}

const WORKDAY_HOURS_PO: Partial<Record<number, DayWindow>> = {
  0: { start: 8 * 60 + 30, end: 14 * 60 + 30 },
  1: { start: 8 * 60 + 30, end: 14 * 60 + 30 },
  2: { start: 8 * 60 + 30, end: 12 * 60 + 15 },
  3: { start: 8 * 60 + 30, end: 14 * 60 + 30 },
  4: { start: 8 * 60 + 30, end: 14 * 60 + 30 },
};
const WORKDAY_HOURS_VO: Partial<Record<number, DayWindow>> = {
  0: { start: 8 * 60 + 15, end: 15 * 60 + 30 },
  1: { start: 8 * 60 + 15, end: 15 * 60 + 30 },
  2: { start: 8 * 60 + 15, end: 15 * 60 + 30 },
  3: { start: 8 * 60 + 15, end: 15 * 60 + 30 },
  4: { start: 8 * 60 + 15, end: 14 * 60 + 45 },
};

export function defaultSchoolHours(kind: SchoolKind): Partial<Record<number, DayWindow>> {
  return kind === 'po' ? { ...WORKDAY_HOURS_PO } : { ...WORKDAY_HOURS_VO };
}

/** Appends use of the device inside `[a, b)`: bursts of activity with short and long pauses. */
function fillBursts(
  rng: Rng,
  out: Burst[],
  a: number,
  b: number,
  opts: { activeMeanMin: number; shortGapChance: number; longGapMaxMin: number },
): void {
  let t = a;
  while (t < b - MINUTE_MS) {
    const len = Math.max(1, rng.exp(opts.activeMeanMin)) * MINUTE_MS;
    const end = Math.min(b, Math.round(t + len));
    out.push({ start: Math.round(t), end, after: 'idle' });
    const gapMin = rng.chance(opts.shortGapChance) ? rng.range(0.3, 4) : rng.range(6, opts.longGapMaxMin);
    t = end + gapMin * MINUTE_MS;
  }
}

function isSchoolDay(school: SchoolProfile, day: LocalDay): DayWindow | undefined {
  if (school.holidays?.includes(day.date)) return undefined;
  return school.hours[day.weekday];
}

/** One local day of one device; depends only on the device, the school and the date. */
function planDay(device: DeviceProfile, school: SchoolProfile, day: LocalDay): DayPlan {
  const window = isSchoolDay(school, day);
  if (!window) return { bursts: [] };
  const rng = createRng(hashSeed(device.key, day.date));
  // teacher ill, class on a trip, device in repair
  if (rng.chance(0.04)) return { bursts: [] };
  const bursts: Burst[] = [];
  const at = (min: number) => day.at(min);
  const lunchStart = school.kind === 'po' ? 12 * 60 : 12 * 60 + 15 + rng.int(0, 30);
  const lunchEnd = lunchStart + (school.kind === 'po' ? 45 : 30);
  const inLunch = (min: number) => min >= lunchStart && min < lunchEnd;

  switch (device.role) {
    case 'classroom-desktop':
    case 'office-aio': {
      // switched on before the first lesson, used on and off all day, idle over lunch
      const boot = window.start - rng.int(5, 35);
      const leave = Math.max(window.end, lunchEnd + 30) + rng.int(0, device.role === 'office-aio' ? 120 : 60);
      const morningEnd = Math.min(lunchStart, leave);
      fillBursts(rng, bursts, at(boot), at(morningEnd), {
        activeMeanMin: 14,
        shortGapChance: 0.55,
        longGapMaxMin: 35,
      });
      if (leave > lunchEnd) {
        fillBursts(rng, bursts, at(lunchEnd + rng.int(0, 10)), at(leave), {
          activeMeanMin: 12,
          shortGapChance: 0.5,
          longGapMaxMin: 40,
        });
      }
      break;
    }
    case 'lab-desktop': {
      // a computer room: used in some lessons, idle in between, often left on
      for (let lesson = window.start; lesson + 45 <= window.end; lesson += 50) {
        if (inLunch(lesson) || !rng.chance(device.usage)) continue;
        fillBursts(rng, bursts, at(lesson + rng.int(1, 6)), at(lesson + 45), {
          activeMeanMin: 18,
          shortGapChance: 0.8,
          longGapMaxMin: 10,
        });
      }
      break;
    }
    case 'student-laptop':
    case 'teacher-laptop':
    case 'chromebook': {
      // used in some lessons; between them the lid is closed or the laptop is left open
      const lessonLen = school.kind === 'po' ? 45 : 50;
      const lidChance = device.role === 'chromebook' ? 0.85 : device.role === 'teacher-laptop' ? 0.4 : 0.6;
      for (let lesson = window.start; lesson + lessonLen - 5 <= window.end; lesson += lessonLen) {
        if (inLunch(lesson) || !rng.chance(device.usage)) continue;
        const from = lesson + rng.int(1, 8);
        const to = lesson + lessonLen - rng.int(2, 12);
        if (to <= from + 2) continue;
        fillBursts(rng, bursts, at(from), at(to), {
          activeMeanMin: 10,
          shortGapChance: 0.7,
          longGapMaxMin: 12,
        });
        const last = bursts[bursts.length - 1];
        if (last) last.after = rng.chance(lidChance) ? 'sleep' : 'idle';
      }
      break;
    }
  }
  const last = bursts[bursts.length - 1];
  if (last) last.after = rng.weighted(Object.entries(device.endOfDay) as [EndAction, number][]);
  const plan: DayPlan = { bursts };
  if (bursts.length > 0 && device.batteryDayChance > 0 && rng.chance(device.batteryDayChance)) {
    const from = window.start + rng.int(30, 150);
    const len = rng.int(60, 180);
    plan.battery = [at(from), at(Math.min(window.end, from + len))];
  }
  return plan;
}

interface PlannedDay {
  day: LocalDay;
  plan: DayPlan;
}

/** Days needed to know the state at `from`: back to the last day with any use (at most 120). */
function plannedDays(device: DeviceProfile, school: SchoolProfile, from: number, to: number): PlannedDay[] {
  const days: PlannedDay[] = [];
  let date = localDateOf(from, school.timeZone);
  // walk back until a day with use before `from`
  for (let back = 1; back <= 120; back++) {
    const d = localDay(addDays(date, -back), school.timeZone);
    const plan = planDay(device, school, d);
    days.unshift({ day: d, plan });
    if (plan.bursts.length > 0) break;
  }
  const lastDate = localDateOf(to, school.timeZone);
  for (let guard = 0; guard < 10_000; guard++) {
    const d = localDay(date, school.timeZone);
    days.push({ day: d, plan: planDay(device, school, d) });
    if (date >= lastDate) break;
    date = addDays(date, 1);
  }
  return days;
}

/** A stretch of an idle gap in or outside school hours. */
interface Regime {
  start: number;
  end: number;
  inside: boolean;
}

/** The school-hours regimes from `from` to the end of `day` and beyond (outside). */
function regimesFrom(school: SchoolProfile, day: LocalDay, from: number): Regime[] {
  const w = isSchoolDay(school, day);
  if (!w) return [{ start: from, end: Infinity, inside: false }];
  const ws = day.at(w.start);
  const we = day.at(w.end);
  const out: Regime[] = [];
  if (from < ws) out.push({ start: from, end: ws, inside: false });
  if (from < we) out.push({ start: Math.max(from, ws), end: we, inside: true });
  out.push({ start: Math.max(from, we), end: Infinity, inside: false });
  return out;
}

/**
 * When a timer that started at `idleFrom` fires: the first moment the idle time reaches the timeout
 * of the regime it is in (the agent switches timeouts at the school-hours boundary and the OS compares
 * them with the idle time so far). Infinity when it never fires.
 */
function dueAt(idleFrom: number, regimes: Regime[], minutes: (inside: boolean) => number | null): number {
  for (const r of regimes) {
    const m = minutes(r.inside);
    if (m == null) continue;
    const at = Math.max(r.start, idleFrom + m * MINUTE_MS);
    if (at < r.end) return at;
  }
  return Infinity;
}

/** The sleep and display-off moments of an idle gap that starts at `idleFrom` on `day`. */
function idleTimers(
  device: DeviceProfile,
  school: SchoolProfile,
  day: LocalDay,
  idleFrom: number,
  power: 'ac' | 'battery',
): { sleepAt: number; displayOffAt: number; scheduledSleepAt: number | undefined } {
  const p = device.policy && idleFrom >= device.policy.from ? device.policy : undefined;
  const regimes = p?.outside
    ? regimesFrom(school, day, idleFrom)
    : [{ start: idleFrom, end: Infinity, inside: true }];
  const pick =
    (field: 'sleepAfterMin' | 'displayOffAfterMin') =>
    (inside: boolean): number | null => {
      const policyValue = p ? ((inside ? undefined : p.outside?.[field][power]) ?? p[field][power]) : null;
      return policyValue ?? device[field][power];
    };
  return {
    sleepAt: dueAt(idleFrom, regimes, pick('sleepAfterMin')),
    displayOffAt: dueAt(idleFrom, regimes, pick('displayOffAfterMin')),
    scheduledSleepAt: p?.scheduledSleepAt,
  };
}

type RawInterval = Pick<Interval, 'start' | 'end' | 'state' | 'display'>;

export interface TimelineResult {
  intervals: Interval[];
  /** what kept the device awake while idle in this range */
  blockers: Blocker[];
}

/**
 * The device's intervals in `[from, to)`: non-overlapping, sorted, touching intervals of the same
 * kind joined. Deterministic: `timeline(a, c)` equals `timeline(a, b)` followed by `timeline(b, c)`
 * up to joining at `b`.
 */
export function deviceTimeline(
  device: DeviceProfile,
  school: SchoolProfile,
  from: number,
  to: number,
): TimelineResult {
  if (to <= from) return { intervals: [], blockers: [] };
  const days = plannedDays(device, school, from, to);
  const batteryWindows: [number, number][] = [];
  const bursts: Burst[] = [];
  const burstDay: LocalDay[] = [];
  for (const { day, plan } of days) {
    if (plan.battery) batteryWindows.push(plan.battery);
    for (const b of plan.bursts) {
      const prev = bursts[bursts.length - 1];
      if (prev && b.start < prev.end) continue; // never overlap
      bursts.push(b);
      burstDay.push(day);
    }
  }
  const powerAt = (t: number): 'ac' | 'battery' => {
    if (device.deviceClass === 'desktop' || device.deviceClass === 'all-in-one') return 'ac';
    for (const [a, b] of batteryWindows) if (t >= a && t < b) return 'battery';
    return 'ac';
  };
  const thresholdMs = device.idleThresholdMin * MINUTE_MS;
  const raw: RawInterval[] = [];
  const push = (start: number, end: number, state: Interval['state'], display: 'on' | 'off') => {
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (e > s) raw.push({ start: s, end: e, state, display });
  };
  let idleSeen = false;
  const firstStart = bursts[0]?.start ?? to;
  push(Math.min(from, firstStart), firstStart, 'off', 'off');
  for (let i = 0; i < bursts.length; i++) {
    const b = bursts[i] as Burst;
    const next = bursts[i + 1]?.start ?? Math.max(to, b.end);
    if (b.start >= to) break;
    const gap = next - b.end;
    if (b.after === 'idle' && gap < thresholdMs) {
      push(b.start, next, 'active', 'on');
      continue;
    }
    push(b.start, b.end, 'active', 'on');
    if (b.after === 'shutdown') {
      push(b.end, next, 'off', 'off');
    } else if (b.after === 'sleep') {
      push(b.end, next, 'asleep', 'off');
    } else {
      const day = burstDay[i] as LocalDay;
      const timers = idleTimers(device, school, day, b.end, powerAt(b.end));
      let sleepAt = device.blocker ? Infinity : timers.sleepAt;
      if (timers.scheduledSleepAt != null && !device.blocker) {
        const scheduled = day.at(timers.scheduledSleepAt);
        if (scheduled > b.end) sleepAt = Math.min(sleepAt, scheduled);
      }
      const awakeEnd = Math.min(next, sleepAt);
      const displayOffAt = timers.displayOffAt;
      push(b.end, Math.min(awakeEnd, displayOffAt), 'idle', 'on');
      push(Math.max(b.end, displayOffAt), awakeEnd, 'idle', 'off');
      if (awakeEnd < next) push(awakeEnd, next, 'asleep', 'off');
      if (Math.min(next, to) > Math.max(b.end, from)) idleSeen = true;
    }
  }
  // split by power source and attach it (off has no power source)
  const cuts = batteryWindows.flat().filter((t) => t > from && t < to);
  const withPower: Interval[] = [];
  for (const r of raw) {
    let start = r.start;
    const inner = cuts.filter((c) => c > r.start && c < r.end).sort((x, y) => x - y);
    for (const c of [...inner, r.end]) {
      const piece: Interval = { start, end: c, state: r.state, display: r.display };
      if (r.state !== 'off') piece.power = powerAt(start);
      withPower.push(piece);
      start = c;
    }
  }
  const intervals = mergeAdjacent(withPower);
  const blockers = idleSeen && device.blocker ? [device.blocker] : [];
  return { intervals, blockers };
}

/** Splits intervals into report-sized batches (protocol limit: 1000 per report). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
