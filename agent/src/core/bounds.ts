import {
  ErrorCode,
  type PerSource,
  POLICY_BOUNDS,
  type PowerSourceKind,
  type SettingsTarget,
} from '@sluimer/shared';

/** One refused value: the setting (`sleepAfterSec.ac`, `schedule`), a code and a message. */
export interface BoundsError {
  setting: string;
  code: string;
  message: string;
}

const limits = {
  sleepAfterSec: POLICY_BOUNDS.sleepAfterSec,
  displayOffAfterSec: POLICY_BOUNDS.displayOffAfterSec,
  brightnessPct: POLICY_BOUNDS.brightnessCapPct,
} as const;

/**
 * The one bounds rule (the service validates with it before applying; every adapter checks with it
 * again before writing). Splits a target into what may be written and what is refused. In `policy`
 * mode every value must lie inside POLICY_BOUNDS (never 0/"never", never 0 % brightness); `restore`
 * mode writes saved originals as they are, including `null` (= never). Values must always be finite
 * and non-negative integers.
 */
export function checkTarget(
  target: SettingsTarget,
  mode: 'policy' | 'restore',
): { allowed: SettingsTarget; errors: BoundsError[] } {
  const allowed: SettingsTarget = {};
  const errors: BoundsError[] = [];
  for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
    const per = target[key];
    if (!per) continue;
    const out: PerSource<number> = {};
    for (const src of ['ac', 'battery'] as const) {
      if (!(src in per) || per[src] === undefined) continue;
      const v = per[src];
      const setting = `${key}.${src}`;
      const b = limits[key];
      if (v === null) {
        if (mode === 'policy' || key === 'brightnessPct') {
          errors.push({
            setting,
            code: ErrorCode.PolicyOutOfBounds,
            message: `${setting}: "nooit" mag hier niet (grenzen ${b.min}–${b.max}); niet toegepast. / "never" is not allowed here (policy bounds ${b.min}–${b.max}); not applied.`,
          });
          continue;
        }
        out[src] = null;
        continue;
      }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        errors.push({
          setting,
          code: ErrorCode.PolicyOutOfBounds,
          message: `${setting}: ${v} is not a whole number ≥ 0`,
        });
        continue;
      }
      if (mode === 'policy' && (v < b.min || v > b.max)) {
        errors.push({
          setting,
          code: ErrorCode.PolicyOutOfBounds,
          message: `${setting}: waarde ${v} ligt buiten ${b.min}–${b.max}; niet toegepast. / ${v} is outside the policy bounds ${b.min}–${b.max}; nothing was changed for it.`,
        });
        continue;
      }
      if (key === 'brightnessPct' && (v < 1 || v > 100)) {
        errors.push({
          setting,
          code: ErrorCode.PolicyOutOfBounds,
          message: `${setting}: ${v} % is not in 1–100`,
        });
        continue;
      }
      out[src] = v;
    }
    if (Object.keys(out).length > 0) allowed[key] = out;
  }
  if (target.schedule !== undefined) {
    const s = target.schedule;
    if (s === null) allowed.schedule = null;
    else if (
      !/^([01]\d|2[0-3]):[0-5]\d$/.test(s.at) ||
      s.weekdays.length === 0 ||
      s.weekdays.some((d) => !Number.isInteger(d) || d < 0 || d > 6) ||
      (s.action !== 'sleep' && s.action !== 'shutdown')
    ) {
      errors.push({
        setting: 'schedule',
        code: ErrorCode.PolicyOutOfBounds,
        message: 'schedule: needs action sleep|shutdown, at HH:MM and weekdays 0–6',
      });
    } else allowed.schedule = s;
  }
  return { allowed, errors };
}

/** Which value of a per-source setting applies on `source`: none while the source is unknown. */
export function valueForSource<T>(
  per: PerSource<T> | undefined,
  source: PowerSourceKind | 'unknown',
): T | null | undefined {
  if (!per || source === 'unknown') return undefined;
  return per[source];
}

/**
 * What the live panel should be set to now, or null to leave it: the cap for the current source
 * (none while the source is unknown), and a cap only ever lowers.
 */
export function panelTarget(
  cap: PerSource<number> | undefined,
  source: PowerSourceKind | 'unknown',
  currentPct: number,
): number | null {
  const limit = valueForSource(cap, source);
  return typeof limit === 'number' ? brightnessToSet(currentPct, limit) : null;
}

/**
 * The brightness-cap rule: a cap only ever lowers a panel. Returns the percentage to set, or null
 * when the panel is already at or below the cap (a cap never brightens, and never blacks out: 1 %
 * at least).
 */
export function brightnessToSet(currentPct: number, capPct: number): number | null {
  if (currentPct <= capPct) return null;
  return Math.max(1, capPct);
}
