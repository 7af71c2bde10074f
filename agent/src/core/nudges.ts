import {
  type AgentCounters,
  DAY_MS,
  type DayOff,
  DEFAULT_SCHOOL_HOURS,
  type DevicePowerProfile,
  deviceNoun,
  deviceWatts,
  type EffectivePolicy,
  type EnergySettings,
  energyFor,
  energyStateOf,
  HOUR_MS,
  type Interval,
  isDayOff,
  isIdleOn,
  laptopCharges,
  localTime,
  MINUTE_MS,
  type NudgeContent,
  type NudgeKind,
  POLICY_BOUNDS,
  type SchoolHours,
  type SummaryFrame,
  type SummaryScope,
  splitByHour,
  totalWatts,
  WEEKDAYS,
} from '@sluimer/shared';

/**
 * Nudge decisions: PURE. Everything comes in as arguments (timeline, policy, session signals, the
 * nudge history) and a decision plus the next history goes out. The service calls `decideNudge` on
 * its tick and whenever the tray reports; the tray only renders what it is told.
 *
 * Rules:
 * - At most one nudge per decision; priority sleepSoon > leftOn > brightness > weekly.
 * - Nothing while nudges are disabled, no tray session is connected, during quiet hours, while a
 *   presentation or full-screen video runs, or while the pupil snoozed.
 * - Rate limit over all kinds: `nudges.maxPerDay` per local day and `nudges.minGapMin` between two.
 * - Each trigger fires once per cause (one idle stretch, one night, one cap change, one day, one week).
 */

export const SLEEP_SOON_WARN_MS = 2 * MINUTE_MS;
/** idle-on time outside school hours below this is not worth a nudge */
export const LEFT_ON_MIN_MS = HOUR_MS;
/** only the night/weekend just before this session counts, not older history */
export const LEFT_ON_LOOKBACK_MS = 3 * DAY_MS;
/** a brightness cap older than this is no longer news */
export const CAP_NEWS_MS = HOUR_MS;
/** the brightness we suggest when the screen is at full brightness on battery */
export const SUGGESTED_BATTERY_BRIGHTNESS_PCT = 70;
/** the weekly result appears from this local time on the last school day of the week */
export const WEEKLY_FROM_HOUR = 12;
/** used for "outside school hours" when the policy names no school hours: the one shared default [A] */
export const FALLBACK_SCHOOL_HOURS: SchoolHours = DEFAULT_SCHOOL_HOURS;
const DEFAULT_ZONE = 'Europe/Amsterdam';

export interface NudgeState {
  /** recent nudges shown (kept two days) for the rate limit */
  shown: { kind: NudgeKind; at: number }[];
  /** the idle stretch (its start) that already got a sleep-soon warning */
  sleepSoonFor?: number;
  /** idle time before this moment has been considered for a left-on nudge */
  leftOnCoveredUntil?: number;
  /** the brightness cap event (its time) already told */
  capToldAt?: number;
  /** local date (YYYY-MM-DD) of the last full-brightness tip */
  fullBrightnessDay?: string;
  /** local date of the Monday of the week whose result was shown */
  weeklyShownFor?: string;
  /** pupil snoozed until then (policy allowSnooze) */
  snoozedUntil?: number;
}

export const initialNudgeState = (): NudgeState => ({ shown: [] });

export interface SessionSignals {
  /** ms since the last input in the pupil's session; null = unknown */
  idleMs: number | null;
  /** a presentation or full-screen video runs */
  presenting: boolean;
}

export interface WeekFigures {
  idleOnMs: number;
  wasteKwh: number;
  wasteEur: number;
}

/** One week compared with the same span of the previous week. */
export interface WeekSummary {
  scope: SummaryScope;
  label?: string;
  thisWeek: WeekFigures;
  lastWeek: WeekFigures;
}

export interface NudgeInput {
  now: number;
  policy: EffectivePolicy | null;
  /** recent intervals, ascending and non-overlapping; the last one may be the open one cut at `now` */
  timeline: readonly Interval[];
  /** null when no tray is connected: nobody to show a nudge to */
  session: SessionSignals | null;
  power?: 'ac' | 'battery';
  /** current brightness, and the last time the policy cap lowered it (from which level) */
  brightness?: { pct: number; cappedFromPct?: number; cappedAt?: number };
  profile: DevicePowerProfile;
  energy: Pick<EnergySettings, 'priceEurPerKwh' | 'classWatts' | 'monitorWatts'>;
  /** weekly results, most specific group first (room/class), then the device */
  weeks?: readonly WeekSummary[];
  /**
   * Only these kinds may be decided (default: all). The service's no-tray fallback (a plain session
   * notification) passes `FALLBACK_NUDGE_KINDS`: what needs the tray (snooze, the popover) stays out.
   */
  kinds?: readonly NudgeKind[];
  state: NudgeState;
}

/** What the service shows through a plain session notification when no tray is connected. */
export const FALLBACK_NUDGE_KINDS: readonly NudgeKind[] = ['sleepSoon', 'leftOn'];

export interface Nudge {
  /** unique per decision, so the tray's outcome can be matched */
  id: string;
  content: NudgeContent;
  at: number;
  /** offered when the policy allows snoozing (sleepSoon only) */
  snoozeMinutes?: number;
}

export type SuppressReason =
  | 'disabled'
  | 'no-session'
  | 'quiet-hours'
  | 'presenting'
  | 'snoozed'
  | 'max-per-day'
  | 'min-gap';

export interface NudgeDecision {
  nudge: Nudge | null;
  /** set when a trigger was due but held back */
  suppressed?: { kind: NudgeKind; reason: SuppressReason };
  /** the state to keep: updated as if the nudge was delivered */
  state: NudgeState;
}

// ---------------------------------------------------------------- local time helpers

const zoneOf = (policy: EffectivePolicy | null) => policy?.timeZone ?? DEFAULT_ZONE;
const clockMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const minuteOfDay = (ms: number, zone: string) => {
  const l = localTime(ms, zone);
  return l.hour * 60 + l.minute + (ms % MINUTE_MS) / MINUTE_MS;
};

export function inQuietHours(policy: EffectivePolicy | null, now: number): boolean {
  const quiet = policy?.nudges?.quietHours;
  if (!quiet?.length) return false;
  const l = localTime(now, zoneOf(policy));
  const day = WEEKDAYS[l.weekday];
  const m = l.hour * 60 + l.minute;
  return quiet.some((q) => day && q.days.includes(day) && m >= clockMin(q.start) && m < clockMin(q.end));
}

/**
 * Milliseconds of `[start, end)` that fall outside school hours, in the school's zone. A local date in
 * `daysOff` (the school's vacations, holidays and study days, `policy.daysOff`) is outside all day.
 */
export function msOutsideSchoolHours(
  start: number,
  end: number,
  hours: SchoolHours | undefined,
  zone: string,
  daysOff?: readonly DayOff[],
): number {
  const school = hours ?? FALLBACK_SCHOOL_HOURS;
  let outside = 0;
  // Within one UTC hour the zone offset is constant (DST switches fall on whole hours), so the
  // local minute of day moves linearly with the instant.
  for (const slice of splitByHour(start, end)) {
    const from = Math.max(start, slice.hour);
    const l = localTime(from, zone);
    const window = isDayOff(daysOff, l.date) ? undefined : school[WEEKDAYS[l.weekday] ?? 'mon'];
    const m0 = minuteOfDay(from, zone);
    const m1 = Math.min(m0 + slice.ms / MINUTE_MS, 24 * 60);
    let inside = 0;
    if (window) {
      const w0 = clockMin(window.start);
      const w1 = clockMin(window.end);
      inside = Math.max(0, Math.min(m1, w1) - Math.max(m0, w0)) * MINUTE_MS;
    }
    outside += Math.max(0, slice.ms - inside);
  }
  return outside;
}

/** Monday (local date) of the week containing `ms`. */
export function weekKey(ms: number, zone: string): string {
  const l = localTime(ms, zone);
  // noon anchors the day arithmetic away from DST edges
  return localTime(ms - l.weekday * DAY_MS + (12 - l.hour) * HOUR_MS, zone).date;
}

/** Backlight draw: the class's lit-screen minus blanked-screen watts [A: proportional to brightness]. */
export function backlightWatts(profile: DevicePowerProfile, energy: NudgeInput['energy']): number {
  const w = deviceWatts(profile, energy);
  return Math.max(0, w.idle_display_on - w.idle_display_off);
}

// ---------------------------------------------------------------- triggers

type Candidate = { content: NudgeContent; snooze?: boolean; mark: (s: NudgeState) => NudgeState };

function sleepSoon(input: NudgeInput): Candidate | null {
  const { policy, session, now, state } = input;
  if (!policy || policy.auditOnly || policy.excludedReason) return null;
  if (!session || session.idleMs === null) return null;
  const source = input.power ?? 'ac';
  const sleepSec = policy.sleepAfterSec?.[source];
  if (!sleepSec) return null;
  const remaining = sleepSec * 1000 - session.idleMs;
  if (remaining <= 0 || remaining > SLEEP_SOON_WARN_MS) return null;
  const idleSince = Math.round((now - session.idleMs) / 1000) * 1000;
  if (state.sleepSoonFor !== undefined && Math.abs(state.sleepSoonFor - idleSince) < 5000) return null;
  return {
    content: {
      kind: 'sleepSoon',
      noun: deviceNoun(input.profile.deviceClass),
      minutes: Math.max(1, Math.ceil(remaining / MINUTE_MS)),
    },
    snooze: policy.allowSnooze === true,
    mark: (s) => ({ ...s, sleepSoonFor: idleSince }),
  };
}

/** Start of the session running now: the last run of `active` intervals, or null if not active. */
function currentSessionStart(timeline: readonly Interval[]): number | null {
  let i = timeline.length - 1;
  if (i < 0 || timeline[i]!.state !== 'active') return null;
  let start = timeline[i]!.start;
  while (i > 0 && timeline[i - 1]!.state === 'active' && timeline[i - 1]!.end === start) {
    i--;
    start = timeline[i]!.start;
  }
  return start;
}

function leftOn(input: NudgeInput): Candidate | null {
  const { timeline, now, state, policy } = input;
  const sessionStart = currentSessionStart(timeline);
  if (sessionStart === null) return null;
  const from = Math.max(state.leftOnCoveredUntil ?? 0, now - LEFT_ON_LOOKBACK_MS);
  const zone = zoneOf(policy);
  const watts = totalWatts(input.profile, input.energy);
  let ms = 0;
  let wasteWh = 0;
  // walk back from the session over the unused stretch before it (idle, asleep, off)
  for (let i = timeline.length - 1; i >= 0; i--) {
    const iv = timeline[i]!;
    if (iv.end > sessionStart) continue;
    if (iv.state === 'active') break;
    if (iv.end <= from) break;
    const energyState = energyStateOf(iv);
    if (!isIdleOn(energyState)) continue;
    const outside = msOutsideSchoolHours(
      Math.max(iv.start, from),
      iv.end,
      policy?.schoolHours,
      zone,
      policy?.daysOff,
    );
    ms += outside;
    wasteWh += energyFor(watts, energyState, outside).wasteWh;
  }
  if (ms < LEFT_ON_MIN_MS) return null;
  const kwh = wasteWh / 1000;
  return {
    content: {
      kind: 'leftOn',
      noun: deviceNoun(input.profile.deviceClass),
      hours: Math.round((ms / HOUR_MS) * 10) / 10,
      kwh: Math.round(kwh * 1000) / 1000,
      eur: Math.round(kwh * input.energy.priceEurPerKwh * 100) / 100,
    },
    mark: (s) => ({ ...s, leftOnCoveredUntil: sessionStart }),
  };
}

function brightness(input: NudgeInput): Candidate | null {
  const b = input.brightness;
  if (!b) return null;
  const backlight = backlightWatts(input.profile, input.energy);
  if (backlight <= 0) return null;
  const onBattery = input.power === 'battery';
  if (
    b.cappedAt !== undefined &&
    b.cappedFromPct !== undefined &&
    b.cappedFromPct > b.pct &&
    b.cappedAt > (input.state.capToldAt ?? 0) &&
    input.now - b.cappedAt <= CAP_NEWS_MS
  ) {
    const cappedAt = b.cappedAt;
    return {
      content: {
        kind: 'brightness',
        reason: 'capped',
        pct: b.pct,
        onBattery,
        savedWatts: Math.round(((backlight * (b.cappedFromPct - b.pct)) / 100) * 10) / 10,
      },
      mark: (s) => ({ ...s, capToldAt: cappedAt }),
    };
  }
  const batteryCap = input.policy?.brightnessCapPct?.battery;
  const today = localTime(input.now, zoneOf(input.policy)).date;
  if (onBattery && b.pct >= 100 && batteryCap === undefined && input.state.fullBrightnessDay !== today) {
    const pct = SUGGESTED_BATTERY_BRIGHTNESS_PCT;
    return {
      content: {
        kind: 'brightness',
        reason: 'fullOnBattery',
        pct,
        onBattery: true,
        savedWatts: Math.round(((backlight * (100 - pct)) / 100) * 10) / 10,
      },
      mark: (s) => ({ ...s, fullBrightnessDay: today }),
    };
  }
  return null;
}

/** Weekday index (0 = Monday) of the last school day of the week. */
function lastSchoolDay(hours: SchoolHours | undefined): number {
  const school = hours ?? FALLBACK_SCHOOL_HOURS;
  let last = 4;
  let any = false;
  WEEKDAYS.forEach((d, i) => {
    if (school[d]) {
      last = any ? Math.max(last, i) : i;
      any = true;
    }
  });
  return last;
}

function weekly(input: NudgeInput): Candidate | null {
  const zone = zoneOf(input.policy);
  const l = localTime(input.now, zone);
  const lastDay = lastSchoolDay(input.policy?.schoolHours);
  if (l.weekday < lastDay || (l.weekday === lastDay && l.hour < WEEKLY_FROM_HOUR)) return null;
  const week = weekKey(input.now, zone);
  if (input.state.weeklyShownFor === week) return null;
  for (const summary of input.weeks ?? []) {
    const saved = summary.lastWeek.wasteKwh - summary.thisWeek.wasteKwh;
    const charges = laptopCharges(saved);
    if (charges < 1) continue;
    return {
      content: {
        kind: 'weekly',
        scope: summary.scope,
        noun: deviceNoun(input.profile.deviceClass),
        kwh: Math.round(saved * 100) / 100,
        charges,
      },
      mark: (s) => ({ ...s, weeklyShownFor: week }),
    };
  }
  return null;
}

/**
 * The console's room/class figures (extension frame `summary`) as week summaries, most specific
 * group first. Figures of another week than the one running now (a summary kept from before the
 * weekend) are not this week's: nothing is returned for them.
 */
export function groupWeeksFromSummary(
  frame: Pick<SummaryFrame, 'weekStart' | 'groups'> | null,
  now: number,
  zone: string,
): WeekSummary[] {
  if (!frame || frame.weekStart !== weekKey(now, zone)) return [];
  const figures = (f: SummaryFrame['groups'][number]['thisWeek']): WeekFigures => ({
    idleOnMs: Math.round(f.idleOnHours * HOUR_MS),
    wasteKwh: f.wasteKwh,
    wasteEur: f.wasteEur,
  });
  return frame.groups.map((g) => ({
    scope: g.scope,
    ...(g.label ? { label: g.label } : {}),
    thisWeek: figures(g.thisWeek),
    lastWeek: figures(g.lastWeek),
  }));
}

// ---------------------------------------------------------------- decision

function limits(policy: EffectivePolicy | null) {
  return {
    enabled: policy?.nudges?.enabled !== false,
    maxPerDay: policy?.nudges?.maxPerDay ?? POLICY_BOUNDS.nudgesMaxPerDay.default,
    minGapMs: (policy?.nudges?.minGapMin ?? POLICY_BOUNDS.nudgesMinGapMin.default) * MINUTE_MS,
  };
}

export function decideNudge(input: NudgeInput): NudgeDecision {
  const { now, policy } = input;
  const state: NudgeState = {
    ...input.state,
    shown: input.state.shown.filter((s) => now - s.at < 2 * DAY_MS),
  };
  const allowed = (kind: NudgeKind) => !input.kinds || input.kinds.includes(kind);
  const candidate =
    (allowed('sleepSoon') ? sleepSoon(input) : null) ??
    (allowed('leftOn') ? leftOn(input) : null) ??
    (allowed('brightness') ? brightness(input) : null) ??
    (allowed('weekly') ? weekly(input) : null);
  if (!candidate) return { nudge: null, state };
  const kind = candidate.content.kind;
  const hold = (reason: SuppressReason): NudgeDecision => ({
    nudge: null,
    suppressed: { kind, reason },
    state,
  });

  const lim = limits(policy);
  if (!lim.enabled) return hold('disabled');
  if (!input.session) return hold('no-session');
  if (state.snoozedUntil !== undefined && now < state.snoozedUntil) return hold('snoozed');
  if (inQuietHours(policy, now)) return hold('quiet-hours');
  if (input.session.presenting) return hold('presenting');
  const zone = zoneOf(policy);
  const today = localTime(now, zone).date;
  const shownToday = state.shown.filter((s) => localTime(s.at, zone).date === today).length;
  if (shownToday >= lim.maxPerDay) return hold('max-per-day');
  const last = state.shown.reduce((m, s) => Math.max(m, s.at), Number.NEGATIVE_INFINITY);
  if (now - last < lim.minGapMs) return hold('min-gap');

  const nudge: Nudge = { id: `${kind}-${now.toString(36)}`, content: candidate.content, at: now };
  if (candidate.snooze) {
    nudge.snoozeMinutes = policy?.snoozeMinutes ?? POLICY_BOUNDS.snoozeMinutes.default;
  }
  const next = candidate.mark({ ...state, shown: [...state.shown, { kind, at: now }] });
  return { nudge, state: next };
}

/** The pupil snoozed: no nudges (and the service postpones sleep) until then. */
export function snoozeNudges(state: NudgeState, now: number, minutes: number): NudgeState {
  return { ...state, snoozedUntil: now + minutes * MINUTE_MS };
}

// ---------------------------------------------------------------- outcome counters (no identity)

export const NUDGE_OUTCOMES = ['shown', 'dismissed', 'snoozed'] as const;
export type NudgeOutcome = (typeof NUDGE_OUTCOMES)[number];
export type NudgeCounts = NonNullable<AgentCounters['nudges']>;

/** Counts outcomes per nudge kind: numbers only, never who or when (AVG). */
export class NudgeCounters {
  private counts: NudgeCounts = {};

  add(kind: NudgeKind, outcome: NudgeOutcome, n = 1): void {
    const c = this.counts[kind] ?? { shown: 0, dismissed: 0, snoozed: 0 };
    c[outcome] += n;
    this.counts[kind] = c;
  }

  /** Counts since the last take, for `report.counters.nudges`; undefined when nothing happened. */
  take(): NudgeCounts | undefined {
    const out = this.counts;
    this.counts = {};
    return Object.keys(out).length ? out : undefined;
  }

  /** Puts counts back (a report that could not be queued). */
  restore(counts: NudgeCounts | undefined): void {
    if (!counts) return;
    for (const [kind, c] of Object.entries(counts)) {
      for (const o of NUDGE_OUTCOMES) if (c[o]) this.add(kind as NudgeKind, o, c[o]);
    }
  }
}

// ---------------------------------------------------------------- hourly totals → today and week

/** Per UTC hour: time on (active + idle), idle-on time and avoidable waste. Small enough to persist. */
export type HourlyTotals = Record<string, { onMs: number; idleMs: number; wasteWh: number }>;
export const TOTALS_KEEP_MS = 15 * DAY_MS;

export function addToTotals(
  totals: HourlyTotals,
  interval: Interval,
  profile: DevicePowerProfile,
  energy: NudgeInput['energy'],
): HourlyTotals {
  const out = { ...totals };
  const watts = totalWatts(profile, energy);
  const es = energyStateOf(interval);
  const on = interval.state === 'active' || interval.state === 'idle';
  if (!on) return out;
  for (const slice of splitByHour(interval.start, interval.end)) {
    const key = String(slice.hour);
    const cur = out[key] ?? { onMs: 0, idleMs: 0, wasteWh: 0 };
    out[key] = {
      onMs: cur.onMs + slice.ms,
      idleMs: cur.idleMs + (isIdleOn(es) ? slice.ms : 0),
      wasteWh: cur.wasteWh + energyFor(watts, es, slice.ms).wasteWh,
    };
  }
  return out;
}

export function pruneTotals(totals: HourlyTotals, now: number): HourlyTotals {
  const out: HourlyTotals = {};
  for (const [k, v] of Object.entries(totals)) if (Number(k) >= now - TOTALS_KEEP_MS) out[k] = v;
  return out;
}

function sumHours(totals: HourlyTotals, from: number, to: number) {
  let onMs = 0;
  let idleMs = 0;
  let wasteWh = 0;
  for (const [k, v] of Object.entries(totals)) {
    const h = Number(k);
    if (h >= from && h < to) {
      onMs += v.onMs;
      idleMs += v.idleMs;
      wasteWh += v.wasteWh;
    }
  }
  return { onMs, idleMs, wasteWh };
}

/** Start (epoch ms) of the local day containing `ms`. */
function localDayStart(ms: number, zone: string): number {
  const l = localTime(ms, zone);
  return Math.floor((ms - (l.hour * 60 + l.minute) * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
}

/** Today's time on and idle-on time (local day), for the tray menu. */
export function todayFromTotals(totals: HourlyTotals, now: number, zone = DEFAULT_ZONE) {
  const { onMs, idleMs } = sumHours(totals, localDayStart(now, zone), now + 1);
  return { onMs, idleOnMs: idleMs };
}

/** This week so far against the same span of last week, for this device. */
export function deviceWeekFromTotals(
  totals: HourlyTotals,
  now: number,
  priceEurPerKwh: number,
  zone = DEFAULT_ZONE,
): WeekSummary {
  const l = localTime(now, zone);
  const weekStart = localDayStart(now - l.weekday * DAY_MS, zone);
  const figures = (from: number, to: number): WeekFigures => {
    const s = sumHours(totals, from, to);
    const kwh = s.wasteWh / 1000;
    return { idleOnMs: s.idleMs, wasteKwh: kwh, wasteEur: kwh * priceEurPerKwh };
  };
  // whole hours only, so both spans are exactly as long
  const hourNow = Math.floor(now / HOUR_MS) * HOUR_MS;
  return {
    scope: 'device',
    thisWeek: figures(weekStart, hourNow),
    lastWeek: figures(weekStart - 7 * DAY_MS, hourNow - 7 * DAY_MS),
  };
}
