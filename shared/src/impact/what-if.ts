import {
  addDays,
  type CalendarDayInfo,
  compileCalendar,
  type SchoolCalendar,
  schoolYearOf,
  zonedTimeToUtc,
} from '../calendar/school-calendar.js';
import {
  co2eKgFor,
  type EnergySettings,
  energyStateOf,
  eurFor,
  type StateWatts,
  wasteWatts,
} from '../energy.js';
import type { Interval } from '../intervals.js';
import { POLICY_BOUNDS, type PolicySettings, WEEKDAYS } from '../policy.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../time.js';

/**
 * What-if replay (docs/impact.md): each device's recorded timeline replayed under a draft policy.
 * Pure: the caller reads intervals, blocker spans, watts and calendars from the store and passes them
 * in; nothing here reads a clock or a database.
 */

/** A would-be sleep in school hours followed by input within this long counts as a disturbed lesson. */
export const INTERRUPTION_WINDOW_MS = 5 * MINUTE_MS;

/**
 * How far before the period the caller should read intervals: an idle stretch that began before the
 * period needs its start to place the timeout. The longest allowed sleep timeout is enough, because
 * past it a stretch is asleep under any policy.
 */
export const REPLAY_LOOKBACK_MS = POLICY_BOUNDS.sleepAfterSec.max * 1000;

/** School days a school year has when the calendar does not cover it (docs/energy-model.md). */
export const FALLBACK_SCHOOL_DAYS_PER_YEAR = 195;

/** A span in which the device reported a blocker (a process, driver or service keeping it awake). */
export interface BlockerSpan {
  start: number;
  end: number;
  name: string;
  /** what it blocks, lowercased (display, system, sleep, idle …); absent = everything */
  blocks?: readonly string[];
}

export interface ReplayDevice {
  deviceId: number;
  name?: string;
  /** the room (or other group) figures are aggregated by */
  group?: { id: number; name: string };
  /** Ptot per state: the device plus its monitors (`totalWatts`) */
  watts: StateWatts;
  /** set when the device or its group is excluded from enforcement */
  excludedReason?: string | null;
  /** key into `ReplayInput.calendars`; absent or unknown = `ReplayInput.calendar` */
  calendarKey?: string;
  /** recorded intervals, any order, from at least `from − REPLAY_LOOKBACK_MS` */
  intervals: readonly Interval[];
  blockers?: readonly BlockerSpan[];
}

export interface ReplayInput {
  /** the draft policy's settings, as validated by PolicySettingsSchema */
  policy: PolicySettings;
  from: number;
  to: number;
  /** the earliest moment raw intervals are still kept (now − raw retention) */
  rawRetentionFrom: number;
  /** the school calendar devices use unless they name another */
  calendar: SchoolCalendar;
  calendars?: Readonly<Record<string, SchoolCalendar>>;
  devices: readonly ReplayDevice[];
  energy: Pick<EnergySettings, 'priceEurPerKwh' | 'gridKgPerKwh'>;
  interruptionWindowMs?: number;
  /** how many devices to list under `topDevices` (default 10) */
  topDevices?: number;
}

export interface Amounts {
  avoidedKwh: number;
  avoidedEur: number;
  avoidedCo2eKg: number;
}

export interface DeviceReplay {
  deviceId: number;
  name?: string;
  groupId?: number;
  excludedReason?: string;
  /** the device had at least one interval inside the covered period */
  hasData: boolean;
  /** recorded avoidable waste in the covered period (as `/usage` counts it) */
  wasteKwh: number;
  /** the part the draft removes */
  avoidedKwh: number;
  /** the part the draft keeps by design: idle time shorter than its timeouts */
  keptKwh: number;
  /** the part the draft would remove but cannot: held by a blocker, or the device is excluded */
  unreachableKwh: number;
  unreachable: { excludedKwh: number; blockers: { name: string; kwh: number }[] };
  /** avoided kWh split by the kind of day it was avoided on */
  avoidedKwhByDay: { schoolDays: number; otherDays: number };
  interruptions: number;
  perYear: { avoidedKwh: number };
}

export interface GroupReplay extends Amounts {
  groupId: number | null;
  name: string;
  devices: number;
  wasteKwh: number;
  avoidedKwh: number;
  unreachableKwh: number;
  interruptions: number;
  perYear: Amounts;
}

export interface ReplayResult extends Amounts {
  from: number;
  to: number;
  devices: number;
  wasteKwh: number;
  keptKwh: number;
  unreachableKwh: number;
  unreachable: {
    blockerKwh: number;
    excludedKwh: number;
    excludedDevices: number;
    blockers: { name: string; kwh: number; devices: number; groups: { name: string; devices: number }[] }[];
  };
  interruptions: number;
  /** interruptions per five school days of the covered period; null when it has no school days */
  interruptionsPerSchoolWeek: number | null;
  perYear: Amounts & {
    /** 'calendar': day counts from the school calendar's school year; 'default': 195 school days */
    basis: 'calendar' | 'default' | 'mixed';
    /** kinds of day the period had none of, so they add nothing to the year */
    missing: ('schoolDays' | 'otherDays')[];
  };
  /** raw-retention check: figures cover only [coveredFrom, to) */
  retention: { complete: boolean; coveredFrom: number; missingMs: number };
  groups: GroupReplay[];
  /** rooms with the most interruptions, worst first (at most three, only those with any) */
  worstRooms: { groupId: number | null; name: string; interruptions: number }[];
  topDevices: DeviceReplay[];
  perDevice: DeviceReplay[];
  settings: { priceEurPerKwh: number; gridKgPerKwh: number; interruptionWindowMs: number };
}

type Regime = 'school' | 'outside';
type Power = 'ac' | 'battery';

interface Timeouts {
  sleepMs: number | undefined;
  displayMs: number | undefined;
}

/** The timeouts a policy holds in a regime on a power source (the agent's rule: outside values replace per source). */
function timeoutsOf(policy: PolicySettings): (regime: Regime, power: Power) => Timeouts {
  // indexed [school ac, school battery, outside ac, outside battery]: this runs once per piece
  const table: Timeouts[] = [];
  for (const regime of ['school', 'outside'] as const) {
    for (const power of ['ac', 'battery'] as const) {
      const o = regime === 'outside' ? policy.outsideSchoolHours : undefined;
      const sleep = o?.sleepAfterSec?.[power] ?? policy.sleepAfterSec?.[power];
      const display = o?.displayOffAfterSec?.[power] ?? policy.displayOffAfterSec?.[power];
      table.push({
        sleepMs: policy.auditOnly || sleep === undefined ? undefined : sleep * 1000,
        displayMs: policy.auditOnly || display === undefined ? undefined : display * 1000,
      });
    }
  }
  return (regime, power) => table[(regime === 'school' ? 0 : 2) + (power === 'battery' ? 1 : 0)]!;
}

/** The local days of a calendar over a range, searchable by instant, with the scheduled action per day. */
class DayTable {
  readonly days: CalendarDayInfo[];
  private readonly starts: number[];
  private readonly actions = new Map<string, number>();

  constructor(
    private readonly cal: ReturnType<typeof compileCalendar>,
    from: number,
    to: number,
    private readonly action: { minute: number; weekdays: Set<number> } | null,
  ) {
    this.days = cal.daysBetween(from, to);
    this.starts = this.days.map((d) => d.start);
  }

  /** the scheduled action's instant on a day, or NaN when none runs that day */
  actionOn(d: CalendarDayInfo): number {
    if (!this.action?.weekdays.has(d.weekday)) return Number.NaN;
    let t = this.actions.get(d.date);
    if (t === undefined) {
      t = zonedTimeToUtc(d.date, this.action.minute, this.cal.calendar.timeZone);
      this.actions.set(d.date, t);
    }
    return t;
  }

  /** index of the day containing `ms`, or -1 outside the table */
  indexAt(ms: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    if (hi < 0 || ms < s[0]! || ms >= this.days[hi]!.end) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  dayAt(ms: number): CalendarDayInfo {
    const i = this.indexAt(ms);
    return i >= 0 ? this.days[i]! : this.cal.dayAt(ms);
  }
}

function regimeAt(day: CalendarDayInfo, ms: number): Regime {
  return day.school && ms >= day.school.start && ms < day.school.end ? 'school' : 'outside';
}

interface Accum {
  recordedWh: number;
  actualWh: number;
  potentialWh: number;
  avoidedSchoolWh: number;
  avoidedOtherWh: number;
  blockerWh: Map<string, number>;
  interruptions: number;
  hasData: boolean;
}

const hoursOf = (ms: number) => ms / HOUR_MS;

/** Replays every device under the draft policy and aggregates the answer. */
export function replayWhatIf(input: ReplayInput): ReplayResult {
  const window = input.interruptionWindowMs ?? INTERRUPTION_WINDOW_MS;
  const coveredFrom = Math.min(input.to, Math.max(input.from, input.rawRetentionFrom));
  const pTo = input.to;
  const timeouts = timeoutsOf(input.policy);
  const o = input.policy.outsideSchoolHours;
  const actionKind: 'sleep' | 'shutdown' | null =
    !input.policy.auditOnly && o?.action && o.action !== 'none' && o.actionAt ? o.action : null;

  // one day table per calendar, with the draft's school hours when it names its own
  const tables = new Map<string, DayTable>();
  const perCalendar = new Map<string, PeriodDays>();
  const earliest = coveredFrom - REPLAY_LOOKBACK_MS - DAY_MS;
  const tableFor = (key: string | undefined): { table: DayTable; days: PeriodDays } => {
    const k = key ?? '';
    let table = tables.get(k);
    if (!table) {
      const base = key !== undefined ? (input.calendars?.[key] ?? input.calendar) : input.calendar;
      const cal = input.policy.schoolHours ? { ...base, schoolHours: input.policy.schoolHours } : base;
      const compiled = compileCalendar(cal);
      const action =
        actionKind && o?.actionAt
          ? {
              minute: Number(o.actionAt.slice(0, 2)) * 60 + Number(o.actionAt.slice(3, 5)),
              weekdays: new Set(WEEKDAYS.flatMap((d, i) => (cal.schoolHours[d] ? [i] : []))),
            }
          : null;
      table = new DayTable(compiled, earliest, pTo + DAY_MS, action);
      tables.set(k, table);
      perCalendar.set(k, periodDays(compiled, coveredFrom, pTo));
    }
    return { table, days: perCalendar.get(k)! };
  };

  const results: DeviceReplay[] = [];
  for (const device of input.devices) {
    const { table, days } = tableFor(device.calendarKey);
    const acc = replayDevice(device, table, timeouts, actionKind, coveredFrom, pTo, window);
    results.push(deviceResult(device, acc, days));
  }
  return aggregate(input, results, coveredFrom, window, [...perCalendar.values()]);
}

/** Local-day counts of the covered period and of the school year around it. */
interface PeriodDays {
  /** school days in the covered period (fractional at the edges) */
  school: number;
  other: number;
  perYearSchool: number;
  perYearOther: number;
  basis: 'calendar' | 'default';
}

function periodDays(cal: ReturnType<typeof compileCalendar>, from: number, to: number): PeriodDays {
  let school = 0;
  let other = 0;
  for (const d of cal.daysBetween(from, to)) {
    const share = (Math.min(to, d.end) - Math.max(from, d.start)) / (d.end - d.start);
    if (d.type === 'school_day') school += share;
    else other += share;
  }
  const lastDay = to > from ? cal.dayAt(to - 1).date : cal.dayAt(from).date;
  const year = schoolYearOf(lastDay);
  const first = `${year}-08-01`;
  const last = `${year + 1}-07-31`;
  const total = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS) + 1;
  if (!cal.coversSchoolYearOf(lastDay)) {
    return {
      school,
      other,
      perYearSchool: FALLBACK_SCHOOL_DAYS_PER_YEAR,
      perYearOther: total - FALLBACK_SCHOOL_DAYS_PER_YEAR,
      basis: 'default',
    };
  }
  let perYearSchool = 0;
  for (let d = first; d <= last; d = addDays(d, 1)) if (cal.dayType(d) === 'school_day') perYearSchool++;
  return { school, other, perYearSchool, perYearOther: total - perYearSchool, basis: 'calendar' };
}

/** Blocker spans merged into what they hold: sleep always, the display unless `blocks` leaves it out. */
interface Hold {
  start: number;
  end: number;
  display: boolean;
  names: string[];
}

function holdsOf(spans: readonly BlockerSpan[] | undefined): Hold[] {
  if (!spans || spans.length === 0) return [];
  return spans
    .filter((s) => s.end > s.start)
    .map((s) => ({
      start: s.start,
      end: s.end,
      display: !s.blocks || s.blocks.length === 0 || s.blocks.includes('display'),
      names: [s.name],
    }))
    .sort((a, b) => a.start - b.start);
}

function replayDevice(
  device: ReplayDevice,
  table: DayTable,
  timeouts: (r: Regime, p: Power) => Timeouts,
  actionKind: 'sleep' | 'shutdown' | null,
  pFrom: number,
  pTo: number,
  window: number,
): Accum {
  const acc: Accum = {
    recordedWh: 0,
    actualWh: 0,
    potentialWh: 0,
    avoidedSchoolWh: 0,
    avoidedOtherWh: 0,
    blockerWh: new Map(),
    interruptions: 0,
    hasData: false,
  };
  const intervals = sortedByStart(device.intervals);
  const holds = holdsOf(device.blockers);
  const excluded = !!device.excludedReason;
  const W = device.watts;
  const offWaste = wasteWatts(W, 'idle_display_off');

  for (const iv of intervals) if (iv.end > pFrom && iv.start < pTo) acc.hasData = true;

  let i = 0;
  while (i < intervals.length) {
    if (intervals[i]!.state !== 'idle') {
      i++;
      continue;
    }
    // an idle stretch: touching idle intervals (split by display, power or midnight)
    let j = i;
    while (
      j + 1 < intervals.length &&
      intervals[j + 1]!.state === 'idle' &&
      intervals[j + 1]!.start === intervals[j]!.end
    )
      j++;
    const stretch = intervals.slice(i, j + 1);
    const next = intervals[j + 1];
    const S = stretch[0]!.start;
    const E = stretch[stretch.length - 1]!.end;
    i = j + 1;
    if (E <= pFrom || S >= pTo) continue;

    const pieces = piecesOf(stretch, table, holds, pFrom, pTo);
    const potential = simulate(pieces, S, timeouts, actionKind, false);
    // without a hold in the stretch both runs are the same: skip the second (most stretches)
    const held = pieces.some((p) => p.hold !== undefined);
    const actual = excluded ? null : held ? simulate(pieces, S, timeouts, actionKind, true) : potential;

    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k]!;
      if (p.start < pFrom || p.end > pTo) continue;
      const rate = wasteWatts(W, energyStateOf(p.interval));
      const recorded = hoursOf(p.end - p.start) * rate;
      const pot = simWaste(p, potential.sleepAt, potential.displayAt[k]!, rate, Math.min(rate, offWaste));
      const act = actual
        ? simWaste(p, actual.sleepAt, actual.displayAt[k]!, rate, Math.min(rate, offWaste))
        : recorded;
      acc.recordedWh += recorded;
      acc.potentialWh += pot;
      acc.actualWh += act;
      const avoided = recorded - act;
      if (p.day.type === 'school_day') acc.avoidedSchoolWh += avoided;
      else acc.avoidedOtherWh += avoided;
      if (!excluded && act > pot && p.hold) {
        // split evenly over the blockers holding this piece
        const share = (act - pot) / p.hold.names.length;
        for (const n of p.hold.names) acc.blockerWh.set(n, (acc.blockerWh.get(n) ?? 0) + share);
      } else if (!excluded && act > pot) {
        // held earlier in the stretch, so the sleep came later than it could have: charge the last hold
        const last = lastHoldBefore(pieces, k);
        const names = last ? last.names : ['?'];
        const share = (act - pot) / names.length;
        for (const n of names) acc.blockerWh.set(n, (acc.blockerWh.get(n) ?? 0) + share);
      }
    }

    if (actual && actual.sleepAt !== null && next && next.state === 'active' && next.start === E) {
      const at = actual.sleepAt;
      const day = table.dayAt(at);
      if (at >= pFrom && at < pTo && regimeAt(day, at) === 'school' && E - at <= window) acc.interruptions++;
    }
  }
  return acc;
}

/** The intervals in start order; the store already returns them so, so copy only when needed. */
function sortedByStart(intervals: readonly Interval[]): readonly Interval[] {
  for (let i = 1; i < intervals.length; i++) {
    if (intervals[i]!.start < intervals[i - 1]!.start)
      return [...intervals].sort((a, b) => a.start - b.start);
  }
  return intervals;
}

function lastHoldBefore(pieces: Piece[], k: number): Hold | undefined {
  for (let x = k; x >= 0; x--) if (pieces[x]!.hold) return pieces[x]!.hold;
  return undefined;
}

/** A part of a stretch in which the interval, the day, the regime and the hold do not change. */
interface Piece {
  start: number;
  end: number;
  interval: Interval;
  day: CalendarDayInfo;
  regime: Regime;
  hold: Hold | undefined;
  /** a scheduled action fires at this piece's start */
  actionHere: boolean;
}

function piecesOf(stretch: Interval[], table: DayTable, holds: Hold[], pFrom: number, pTo: number): Piece[] {
  const S = stretch[0]!.start;
  const E = stretch[stretch.length - 1]!.end;
  const cuts: number[] = [S, E];
  const actions: number[] = [];
  for (const iv of stretch) cuts.push(iv.end);
  if (pFrom > S && pFrom < E) cuts.push(pFrom);
  if (pTo > S && pTo < E) cuts.push(pTo);
  for (let d = table.dayAt(S); d.start < E; d = table.dayAt(d.end))
    pushDayCuts(cuts, d, table.actionOn(d), S, E, actions);
  for (const h of holds) {
    if (h.end <= S || h.start >= E) continue;
    if (h.start > S) cuts.push(h.start);
    if (h.end < E) cuts.push(h.end);
  }
  cuts.sort((a, b) => a - b);

  const pieces: Piece[] = [];
  let ivIdx = 0;
  const near = holds.length === 0 ? holds : holds.filter((h) => h.end > S && h.start < E);
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!;
    const b = cuts[c + 1]!;
    if (b <= a) continue;
    while (stretch[ivIdx]!.end <= a) ivIdx++;
    const day = table.dayAt(a);
    let hold: Hold | undefined;
    for (const h of near) {
      if (h.start <= a && h.end > a) {
        // several blockers at once: one hold that carries every name and holds the display if any does
        hold = hold
          ? { start: a, end: b, display: hold.display || h.display, names: [...hold.names, ...h.names] }
          : h;
      }
    }
    pieces.push({
      start: a,
      end: b,
      interval: stretch[ivIdx]!,
      day,
      regime: regimeAt(day, a),
      hold,
      actionHere: actions.includes(a),
    });
  }
  return pieces;
}

function pushDayCuts(
  cuts: number[],
  d: CalendarDayInfo,
  action: number,
  S: number,
  E: number,
  actions: number[],
) {
  const add = (t: number) => {
    if (t > S && t < E) cuts.push(t);
  };
  add(d.start);
  add(d.end);
  if (d.school) {
    add(d.school.start);
    add(d.school.end);
  }
  if (!Number.isNaN(action) && action >= S && action < E) {
    add(action);
    actions.push(action);
  }
}

interface Simulation {
  /** when the stretch goes to sleep (or is shut down) under the draft; null = it stays awake */
  sleepAt: number | null;
  /** per piece: from when the display is off under the draft (Infinity = not in this piece) */
  displayAt: number[];
}

/**
 * Walks the pieces of one stretch in time order. The idle clock runs from the stretch start (the last
 * input); the timeout in force can change with the regime and the power source. A held piece cannot
 * sleep; when the hold ends the device sleeps as soon as the idle clock is past the timeout.
 */
function simulate(
  pieces: Piece[],
  S: number,
  timeouts: (r: Regime, p: Power) => Timeouts,
  actionKind: 'sleep' | 'shutdown' | null,
  respectHolds: boolean,
): Simulation {
  let sleepAt: number | null = null;
  const displayAt: number[] = new Array(pieces.length);
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    const t = timeouts(p.regime, p.interval.power ?? 'ac');
    const held = respectHolds && p.hold !== undefined;
    const heldDisplay = held && p.hold!.display;
    displayAt[k] =
      t.displayMs !== undefined && !heldDisplay
        ? Math.max(p.start, S + t.displayMs)
        : Number.POSITIVE_INFINITY;
    if (sleepAt !== null || held) continue;
    let at = t.sleepMs !== undefined ? Math.max(p.start, S + t.sleepMs) : Number.POSITIVE_INFINITY;
    if (actionKind && p.actionHere) at = Math.min(at, p.start);
    if (at < p.end) sleepAt = at;
  }
  return { sleepAt, displayAt };
}

/** Waste in Wh of one piece under a simulation. */
function simWaste(
  p: Piece,
  sleepAt: number | null,
  displayAt: number,
  rate: number,
  offRate: number,
): number {
  const awakeEnd = sleepAt === null ? p.end : Math.min(p.end, Math.max(p.start, sleepAt));
  const onEnd = Math.min(awakeEnd, Math.max(p.start, displayAt));
  return hoursOf(onEnd - p.start) * rate + hoursOf(awakeEnd - onEnd) * offRate;
}

function deviceResult(device: ReplayDevice, acc: Accum, days: PeriodDays): DeviceReplay {
  const excluded = !!device.excludedReason;
  const waste = acc.recordedWh / 1000;
  const avoided = (acc.recordedWh - acc.actualWh) / 1000;
  const kept = acc.potentialWh / 1000;
  const excludedKwh = excluded ? (acc.recordedWh - acc.potentialWh) / 1000 : 0;
  const blockers = [...acc.blockerWh]
    .map(([name, wh]) => ({ name, kwh: wh / 1000 }))
    .sort((a, b) => b.kwh - a.kwh || (a.name < b.name ? -1 : 1));
  const blockerKwh = excluded ? 0 : (acc.actualWh - acc.potentialWh) / 1000;
  const schoolKwh = acc.avoidedSchoolWh / 1000;
  const otherKwh = acc.avoidedOtherWh / 1000;
  const perYear =
    (days.school > 0 ? (schoolKwh / days.school) * days.perYearSchool : 0) +
    (days.other > 0 ? (otherKwh / days.other) * days.perYearOther : 0);
  const r: DeviceReplay = {
    deviceId: device.deviceId,
    hasData: acc.hasData,
    wasteKwh: waste,
    avoidedKwh: avoided,
    keptKwh: kept,
    unreachableKwh: excludedKwh + blockerKwh,
    unreachable: { excludedKwh, blockers },
    avoidedKwhByDay: { schoolDays: schoolKwh, otherDays: otherKwh },
    interruptions: acc.interruptions,
    perYear: { avoidedKwh: perYear },
  };
  if (device.name !== undefined) r.name = device.name;
  if (device.group) r.groupId = device.group.id;
  if (device.excludedReason) r.excludedReason = device.excludedReason;
  return r;
}

function amounts(kwh: number, energy: ReplayInput['energy']): Amounts {
  return { avoidedKwh: kwh, avoidedEur: eurFor(kwh, energy), avoidedCo2eKg: co2eKgFor(kwh, energy) };
}

function aggregate(
  input: ReplayInput,
  perDevice: DeviceReplay[],
  coveredFrom: number,
  window: number,
  calendars: PeriodDays[],
): ReplayResult {
  const sum = (f: (d: DeviceReplay) => number) => perDevice.reduce((s, d) => s + f(d), 0);
  const groups = new Map<number | null, GroupReplay>();
  const blockers = new Map<string, { kwh: number; devices: Set<number>; groups: Map<string, Set<number>> }>();
  const byId = new Map(input.devices.map((d) => [d.deviceId, d]));
  for (const d of perDevice) {
    const dev = byId.get(d.deviceId);
    const gid = dev?.group?.id ?? null;
    const gname = dev?.group?.name ?? '';
    let g = groups.get(gid);
    if (!g) {
      g = {
        groupId: gid,
        name: gname,
        devices: 0,
        wasteKwh: 0,
        avoidedKwh: 0,
        avoidedEur: 0,
        avoidedCo2eKg: 0,
        unreachableKwh: 0,
        interruptions: 0,
        perYear: amounts(0, input.energy),
      };
      groups.set(gid, g);
    }
    g.devices++;
    g.wasteKwh += d.wasteKwh;
    g.avoidedKwh += d.avoidedKwh;
    g.unreachableKwh += d.unreachableKwh;
    g.interruptions += d.interruptions;
    g.perYear.avoidedKwh += d.perYear.avoidedKwh;
    for (const b of d.unreachable.blockers) {
      let x = blockers.get(b.name);
      if (!x) {
        x = { kwh: 0, devices: new Set(), groups: new Map() };
        blockers.set(b.name, x);
      }
      x.kwh += b.kwh;
      x.devices.add(d.deviceId);
      let gs = x.groups.get(gname);
      if (!gs) {
        gs = new Set();
        x.groups.set(gname, gs);
      }
      gs.add(d.deviceId);
    }
  }
  for (const g of groups.values()) {
    Object.assign(g, amounts(g.avoidedKwh, input.energy));
    g.perYear = amounts(g.perYear.avoidedKwh, input.energy);
  }
  const groupList = [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const worstRooms = groupList
    .filter((g) => g.interruptions > 0)
    .sort((a, b) => b.interruptions - a.interruptions || (a.name < b.name ? -1 : 1))
    .slice(0, 3)
    .map((g) => ({ groupId: g.groupId, name: g.name, interruptions: g.interruptions }));

  const interruptions = sum((d) => d.interruptions);
  const schoolDays = calendars.length > 0 ? Math.max(...calendars.map((c) => c.school)) : 0;
  const missing: ('schoolDays' | 'otherDays')[] = [];
  if (calendars.length > 0 && calendars.every((c) => c.school === 0)) missing.push('schoolDays');
  if (calendars.length > 0 && calendars.every((c) => c.other === 0)) missing.push('otherDays');
  const bases = new Set(calendars.map((c) => c.basis));
  const basis = bases.size > 1 ? 'mixed' : (bases.values().next().value ?? 'calendar');

  const excludedDevices = perDevice.filter((d) => d.excludedReason).length;
  const top = input.topDevices ?? 10;
  return {
    from: input.from,
    to: input.to,
    devices: perDevice.length,
    wasteKwh: sum((d) => d.wasteKwh),
    ...amounts(
      sum((d) => d.avoidedKwh),
      input.energy,
    ),
    keptKwh: sum((d) => d.keptKwh),
    unreachableKwh: sum((d) => d.unreachableKwh),
    unreachable: {
      blockerKwh: sum((d) => d.unreachableKwh - d.unreachable.excludedKwh),
      excludedKwh: sum((d) => d.unreachable.excludedKwh),
      excludedDevices,
      blockers: [...blockers]
        .map(([name, x]) => ({
          name,
          kwh: x.kwh,
          devices: x.devices.size,
          groups: [...x.groups]
            .map(([gname, ids]) => ({ name: gname, devices: ids.size }))
            .sort((a, b) => b.devices - a.devices || (a.name < b.name ? -1 : 1)),
        }))
        .sort((a, b) => b.kwh - a.kwh),
    },
    interruptions,
    interruptionsPerSchoolWeek: schoolDays > 0 ? (interruptions / schoolDays) * 5 : null,
    perYear: {
      ...amounts(
        sum((d) => d.perYear.avoidedKwh),
        input.energy,
      ),
      basis,
      missing,
    },
    retention: {
      complete: coveredFrom <= input.from,
      coveredFrom,
      missingMs: Math.max(0, coveredFrom - input.from),
    },
    groups: groupList,
    worstRooms,
    topDevices: [...perDevice]
      .sort((a, b) => b.avoidedKwh - a.avoidedKwh || a.deviceId - b.deviceId)
      .slice(0, top),
    perDevice,
    settings: {
      priceEurPerKwh: input.energy.priceEurPerKwh,
      gridKgPerKwh: input.energy.gridKgPerKwh,
      interruptionWindowMs: window,
    },
  };
}
