import {
  type EffectivePolicy,
  enforces,
  inSchoolHours,
  isDayOff,
  localTime,
  type PerSource,
  type PowerSettings,
  type PowerSourceKind,
  type ScheduledAction,
  type SettingsTarget,
  WEEKDAYS,
} from '@sluimer/shared';
import { checkTarget } from './bounds.js';

export const DEFAULT_TIME_ZONE = 'Europe/Amsterdam';

/**
 * Whether `now` lies inside the policy's school hours (no school hours = always inside). A day the
 * console names in `daysOff` (a vacation, holiday or study day of the school's calendar) has no school
 * hours: the whole day counts as outside, so the stricter outside settings hold from midnight to
 * midnight, weekdays included.
 */
export function insideSchoolHours(policy: EffectivePolicy, now: number, timeZone?: string): boolean {
  const local = localTime(now, timeZone ?? policy.timeZone ?? DEFAULT_TIME_ZONE);
  if (isDayOff(policy.daysOff, local.date)) return false;
  if (!policy.schoolHours) return true;
  return inSchoolHours(policy.schoolHours, local);
}

function perSource(
  inside: { ac?: number; battery?: number } | undefined,
  outside: { ac?: number; battery?: number } | undefined,
  useOutside: boolean,
): PerSource<number> | undefined {
  const out: PerSource<number> = {};
  for (const src of ['ac', 'battery'] as const) {
    const v = useOutside ? (outside?.[src] ?? inside?.[src]) : inside?.[src];
    if (v !== undefined) out[src] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * What the OS should hold now under `policy`, or null when the agent must only measure (audit
 * only or excluded). Outside school hours the `outsideSchoolHours` values replace the normal ones per
 * power source (a source it does not name keeps the normal value). A scheduled action runs at
 * `actionAt` on the days that have school hours; `action: 'none'` removes a schedule. Fields the policy
 * does not name are left out of the target (the service restores them if it changed them before).
 */
export function policyTargets(
  policy: EffectivePolicy,
  now: number,
  timeZone?: string,
): SettingsTarget | null {
  if (!enforces(policy)) return null;
  const outside = !insideSchoolHours(policy, now, timeZone);
  const o = policy.outsideSchoolHours;
  const target: SettingsTarget = {};
  const sleep = perSource(policy.sleepAfterSec, o?.sleepAfterSec, outside);
  if (sleep) target.sleepAfterSec = sleep;
  const display = perSource(policy.displayOffAfterSec, o?.displayOffAfterSec, outside);
  if (display) target.displayOffAfterSec = display;
  const brightness = perSource(policy.brightnessCapPct, undefined, false);
  if (brightness) target.brightnessPct = brightness;
  if (o?.action === 'none') target.schedule = null;
  else if (o?.action && o.actionAt) {
    const days = policy.schoolHours
      ? WEEKDAYS.flatMap((d, i) => (policy.schoolHours?.[d] ? [i] : []))
      : [0, 1, 2, 3, 4];
    if (days.length > 0) {
      const schedule: ScheduledAction = { action: o.action, at: o.actionAt, weekdays: days };
      target.schedule = schedule;
    }
  }
  return target;
}

export interface TargetProblem {
  setting: string;
  code: 'policy_out_of_bounds';
  message: string;
}

/**
 * Checks a target against POLICY_BOUNDS (the one rule, core/bounds.ts) and returns the problems plus
 * the target with only the valid values left: a zero timeout ("never") or 0 % brightness is never
 * applied in policy mode.
 */
export function validateTargets(target: SettingsTarget): {
  valid: SettingsTarget;
  problems: TargetProblem[];
} {
  const { allowed, errors } = checkTarget(target, 'policy');
  return {
    valid: allowed,
    problems: errors.map((e) => ({ setting: e.setting, code: 'policy_out_of_bounds', message: e.message })),
  };
}

/** The part of saved originals that covers the fields `fields` names (for restoring a field a policy dropped). */
export function pickSettings(from: PowerSettings, fields: readonly (keyof SettingsTarget)[]): SettingsTarget {
  const out: SettingsTarget = {};
  for (const f of fields) {
    if (f === 'schedule') {
      if (from.schedule !== undefined) out.schedule = from.schedule;
    } else if (from[f]) {
      out[f] = { ...from[f] };
    }
  }
  return out;
}

/** The fields a target sets. */
export function targetFields(target: SettingsTarget | null): (keyof SettingsTarget)[] {
  if (!target) return [];
  return (Object.keys(target) as (keyof SettingsTarget)[]).filter((k) => target[k] !== undefined);
}

/** Stable key of a target, to skip re-applying what is already in place. */
export function targetKey(target: SettingsTarget | null): string {
  if (!target) return 'none';
  const norm = (p?: PerSource<number>) => (p ? [p.ac ?? '-', p.battery ?? '-'] : null);
  return JSON.stringify([
    norm(target.sleepAfterSec),
    norm(target.displayOffAfterSec),
    norm(target.brightnessPct),
    target.schedule === undefined ? '-' : target.schedule,
  ]);
}

export type SettingField = keyof SettingsTarget;

/** Re-applied on every switch when an adapter does not say which of its settings follow the source. */
export const ALL_SOURCE_BOUND: readonly SettingField[] = [
  'sleepAfterSec',
  'displayOffAfterSec',
  'brightnessPct',
];

/** The fields of `target` the OS does not switch by itself when the power source changes. */
export function sourceBoundFields(
  target: SettingsTarget | null,
  sourceBound: readonly SettingField[] = ALL_SOURCE_BOUND,
): SettingField[] {
  return targetFields(target).filter((f) => f !== 'schedule' && sourceBound.includes(f));
}

/**
 * What was enforced, including the power source when the target names a setting the OS holds for the
 * current source only (a live brightness cap, GNOME's single display-off delay). A switch of source
 * then changes the key, and a changed key is what makes the service apply again.
 */
export function enforcementKey(
  target: SettingsTarget | null,
  source: PowerSourceKind | 'unknown',
  sourceBound: readonly SettingField[] = ALL_SOURCE_BOUND,
): string {
  const key = targetKey(target);
  return sourceBoundFields(target, sourceBound).length > 0 ? `${key}@${source}` : key;
}

/**
 * The target as an OS that keeps one value for both power sources can take it (GNOME's single
 * display-off delay: `PlatformAdapter.oneValue`): for each such setting the value for the source in
 * use now, for both sources. While the source is unknown, or when the target names no value for it,
 * the setting is left out: it waits, and the service applies again after the next switch (it is
 * source-bound). The adapter then only writes the one value it is given.
 */
export function oneValueTarget(
  target: SettingsTarget,
  source: PowerSourceKind | 'unknown',
  oneValue: readonly ('sleepAfterSec' | 'displayOffAfterSec')[] = [],
): SettingsTarget {
  const out: SettingsTarget = { ...target };
  for (const key of oneValue) {
    const per = target[key];
    if (!per) continue;
    const v = source === 'unknown' ? undefined : per[source];
    if (v === undefined) delete out[key];
    else out[key] = { ac: v, battery: v };
  }
  return out;
}

/**
 * Whether the OS already holds what `target` asks for on `source`. A brightness value is a cap: a
 * panel at or below it holds. For a source-bound setting only the current source's value counts,
 * since that is all the OS keeps (the other source's value is written when the device switches).
 */
export function holds(
  current: PowerSettings,
  target: SettingsTarget,
  source: PowerSourceKind | 'unknown',
  sourceBound: readonly SettingField[] = ALL_SOURCE_BOUND,
): boolean {
  for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
    const want = target[key];
    if (!want) continue;
    const sources =
      sourceBound.includes(key) && source !== 'unknown' ? [source] : (['ac', 'battery'] as const);
    for (const src of sources) {
      const w = want[src];
      if (w === undefined) continue;
      const got = current[key]?.[src];
      if (key === 'brightnessPct') {
        if (typeof w === 'number' && typeof got === 'number' && got <= w) continue;
        return false;
      }
      if (got !== w) return false;
    }
  }
  if (target.schedule !== undefined) {
    const a = target.schedule;
    const b = current.schedule ?? null;
    if (a === null || b === null) return a === b;
    return a.action === b.action && a.at === b.at && a.weekdays.join() === b.weekdays.join();
  }
  return true;
}

const FIELDS: readonly SettingField[] = ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct', 'schedule'];

/** The settings (`sleepAfterSec.ac`, `schedule`, …) a target names. */
function namedSettings(target: SettingsTarget, field: SettingField): string[] {
  if (field === 'schedule') return target.schedule === undefined ? [] : ['schedule'];
  const per = target[field];
  if (!per) return [];
  return (['ac', 'battery'] as const).filter((s) => per[s] !== undefined).map((s) => `${field}.${s}`);
}

/** The field an apply error belongs to, or null for one that concerns the whole write (`scheme`). */
function fieldOf(setting: string | undefined): SettingField | null {
  const head = (setting ?? '').split('.')[0] as SettingField;
  return FIELDS.includes(head) ? head : null;
}

/**
 * Which fields of `target` an apply outcome shows as not (fully) in place: a field with any error of
 * its own, and every timeout/brightness field when an error concerns the whole write.
 */
export function failedFields(
  target: SettingsTarget,
  errors: readonly { setting?: string }[],
): SettingField[] {
  const named = targetFields(target);
  const out = new Set<SettingField>();
  for (const e of errors) {
    const f = fieldOf(e.setting);
    if (f) {
      if (named.includes(f)) out.add(f);
    } else for (const n of named) if (n !== 'schedule') out.add(n);
  }
  return named.filter((f) => out.has(f));
}

/**
 * Which fields of `target` a policy write changed: every field except those where each value it
 * names came back with an error (a refused, locked or unsupported setting was never changed, so
 * there is nothing to restore for it).
 */
export function writtenFields(
  target: SettingsTarget,
  errors: readonly { setting?: string }[],
): SettingField[] {
  const bad = new Set(errors.map((e) => e.setting ?? ''));
  return targetFields(target).filter((f) => {
    if (bad.has(f)) return false;
    const settings = namedSettings(target, f);
    return settings.length > 0 && !settings.every((s) => bad.has(s));
  });
}

/**
 * Fields whose target the OS already held before the agent's first change (the saved originals):
 * writing them changed nothing, so there is nothing to restore (e.g. "no scheduled action" on a
 * machine that never had one). A brightness cap always counts as a change: it acts on the panel.
 */
export function unchangedFields(originals: PowerSettings, target: SettingsTarget): SettingField[] {
  return targetFields(target).filter((f) => {
    if (f === 'brightnessPct') return false;
    if (f === 'schedule') {
      const a = target.schedule ?? null;
      const b = originals.schedule ?? null;
      if (a === null || b === null) return a === b;
      return a.action === b.action && a.at === b.at && a.weekdays.join() === b.weekdays.join();
    }
    const want = target[f];
    return (['ac', 'battery'] as const).every((s) => want?.[s] === undefined || want[s] === originals[f][s]);
  });
}
