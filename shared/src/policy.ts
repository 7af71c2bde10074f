import { z } from 'zod';

/**
 * Bounds of every policy value. A value outside them is refused by the console and by the agent:
 * a sleep timeout of zero (which means "never" on every OS) or a brightness of 0 % is never applied.
 */
export const POLICY_BOUNDS = {
  idleThresholdSec: { min: 60, max: 3600, default: 300 },
  sleepAfterSec: { min: 300, max: 14_400 },
  displayOffAfterSec: { min: 60, max: 7200 },
  brightnessCapPct: { min: 20, max: 100 },
  nudgesMaxPerDay: { min: 1, max: 20, default: 3 },
  nudgesMinGapMin: { min: 5, max: 480, default: 60 },
  snoozeMinutes: { min: 15, max: 240, default: 60 },
} as const;

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

const perSource = (b: { min: number; max: number }) =>
  z.object({ ac: bounded(b).optional(), battery: bounded(b).optional() }).strict();

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof WeekdaySchema>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time as HH:MM (24 h)');

export const DailyWindowSchema = z
  .object({ start: clock, end: clock })
  .strict()
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });
export type DailyWindow = z.infer<typeof DailyWindowSchema>;

export const SchoolHoursSchema = z.partialRecord(WeekdaySchema, DailyWindowSchema);
export type SchoolHours = z.infer<typeof SchoolHoursSchema>;

/**
 * The one default for school hours, Monday–Friday 08:00–17:00 local time: used wherever a policy
 * names none but something must still tell "in" from "outside school hours" (the agent's left-on
 * nudge, the console's in/outside-school-hours charts). It is not enforced: a policy without school
 * hours applies its values all day.
 */
export const DEFAULT_SCHOOL_HOURS: SchoolHours = {
  mon: { start: '08:00', end: '17:00' },
  tue: { start: '08:00', end: '17:00' },
  wed: { start: '08:00', end: '17:00' },
  thu: { start: '08:00', end: '17:00' },
  fri: { start: '08:00', end: '17:00' },
};

export const QuietHoursSchema = z
  .object({ days: z.array(WeekdaySchema).min(1).max(7), start: clock, end: clock })
  .strict()
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

export const PolicySettingsSchema = z
  .object({
    /** measure, enforce nothing: the baseline before a rollout */
    auditOnly: z.boolean().optional(),
    idleThresholdSec: bounded(POLICY_BOUNDS.idleThresholdSec).optional(),
    sleepAfterSec: perSource(POLICY_BOUNDS.sleepAfterSec).optional(),
    displayOffAfterSec: perSource(POLICY_BOUNDS.displayOffAfterSec).optional(),
    brightnessCapPct: perSource(POLICY_BOUNDS.brightnessCapPct).optional(),
    /** school hours per weekday, in the school's time zone; days left out have no school */
    schoolHours: SchoolHoursSchema.optional(),
    /** stricter settings outside school hours */
    outsideSchoolHours: z
      .object({
        sleepAfterSec: perSource(POLICY_BOUNDS.sleepAfterSec).optional(),
        displayOffAfterSec: perSource(POLICY_BOUNDS.displayOffAfterSec).optional(),
        /** a scheduled action after school, at `actionAt` local time on school days */
        action: z.enum(['none', 'sleep', 'shutdown']).optional(),
        actionAt: clock.optional(),
      })
      .strict()
      .optional(),
    nudges: z
      .object({
        enabled: z.boolean().optional(),
        maxPerDay: bounded(POLICY_BOUNDS.nudgesMaxPerDay).optional(),
        minGapMin: bounded(POLICY_BOUNDS.nudgesMinGapMin).optional(),
        quietHours: z.array(QuietHoursSchema).max(20).optional(),
      })
      .strict()
      .optional(),
    allowSnooze: z.boolean().optional(),
    snoozeMinutes: bounded(POLICY_BOUNDS.snoozeMinutes).optional(),
  })
  .strict();
export type PolicySettings = z.infer<typeof PolicySettingsSchema>;

/** The most days-off entries one effective policy carries (two school years of a Dutch school need ~40). */
export const MAX_DAYS_OFF = 100;

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date as YYYY-MM-DD');

/**
 * A stretch of local dates without lessons in the school's calendar: a vacation, a holiday or a study
 * day, first and last day included (docs/api.md "Protocol extensions", `policy.daysOff`).
 */
export const DayOffSchema = z
  .object({
    kind: z.enum(['vacation', 'holiday', 'study_day']),
    start: localDate,
    end: localDate,
  })
  .strict()
  .refine((d) => d.start <= d.end, { message: 'start must not be after end', path: ['end'] });
export type DayOff = z.infer<typeof DayOffSchema>;

/** Whether a local date (YYYY-MM-DD) falls in one of the days off. */
export function isDayOff(daysOff: readonly DayOff[] | undefined, date: string): boolean {
  if (!daysOff) return false;
  for (const d of daysOff) if (date >= d.start && date <= d.end) return true;
  return false;
}

/** What an agent receives: the resolved settings plus context the console adds. */
export const EffectivePolicySchema = PolicySettingsSchema.extend({
  /**
   * Extension (optional): the days without lessons of the device's school calendar, current and next
   * school year. On those dates the agent applies the outside-school-hours settings all day. Older
   * consoles do not send it; older agents ignore it.
   */
  daysOff: z.array(DayOffSchema).max(MAX_DAYS_OFF).optional(),
  /** IANA zone of the device's school, for school hours and quiet hours */
  timeZone: z.string().max(64).optional(),
  /** set when the device or its group is excluded from enforcement; the agent then only measures */
  excludedReason: z.string().max(500).optional(),
  /** the console policy this came from, for display; null = the console default */
  policyId: z.number().int().nullable().optional(),
  policyName: z.string().max(200).optional(),
}).strict();
export type EffectivePolicy = z.infer<typeof EffectivePolicySchema>;

/**
 * A new console starts in audit-only mode: measure first, enforce after IT decides
 * (docs/platforms-support.md).
 */
export const CONSOLE_DEFAULT_POLICY: PolicySettings = {
  auditOnly: true,
  idleThresholdSec: POLICY_BOUNDS.idleThresholdSec.default,
};

/** The settings an agent should enforce now, or null when it must only measure. */
export function enforces(policy: EffectivePolicy): boolean {
  return !policy.auditOnly && !policy.excludedReason;
}

export function idleThresholdMs(policy: Pick<PolicySettings, 'idleThresholdSec'>): number {
  return (policy.idleThresholdSec ?? POLICY_BOUNDS.idleThresholdSec.default) * 1000;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 53-bit string hash (cyrb53): pure JS so the web app can use this module too. */
function hash53(str: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A short content hash: the same effective policy always gets the same etag. */
export function policyEtag(policy: EffectivePolicy): string {
  return hash53(stableStringify(policy)).toString(36);
}

/**
 * Resolves precedence: device over room over school over the console default. `layers` goes from
 * the most general (console default) to the most specific (device); a layer replaces whole top-level
 * fields it sets, so a room's `sleepAfterSec` wins as one unit over its school's.
 */
export function resolvePolicy(layers: readonly (PolicySettings | undefined)[]): PolicySettings {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  }
  return out as PolicySettings;
}

/** Whether `at` falls inside school hours for that policy, in the given zone. */
export function inSchoolHours(
  hours: SchoolHours | undefined,
  local: { weekday: number; hour: number; minute: number },
): boolean {
  if (!hours) return true;
  const day = WEEKDAYS[local.weekday];
  const window = day ? hours[day] : undefined;
  if (!window) return false;
  const now = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
  return now >= window.start && now < window.end;
}
