import type { Interval } from './intervals.js';
import type { PolicySettings } from './policy.js';

/**
 * On Chromebooks Sluimer does not enforce anything itself: ChromeOS follows the power policies the
 * school sets in Google Admin. This maps a Sluimer policy to those settings, with the field names as
 * the Admin console shows them, and the Chrome policy (PowerManagementIdleSettings, LidCloseAction)
 * behind them for IT who pushes JSON. Pure, so the console page and the docs show the same thing.
 */
export interface GoogleAdminSetting {
  /** where in the Admin console */
  path: string;
  /** the field as the Admin console names it */
  field: string;
  value: string;
  /** the Chrome policy it sets */
  chromePolicy: string;
}

export interface GoogleAdminSettings {
  settings: GoogleAdminSetting[];
  /** parts of the Sluimer policy that have no Google Admin counterpart (stable codes) */
  unmapped: ('brightnessCap' | 'displayOffAfter' | 'scheduledShutdown')[];
  /** the Chrome policy PowerManagementIdleSettings as JSON (delays in ms), or null when no sleep is set */
  idleSettingsJson: Record<string, unknown> | null;
  /** the idle time (s) the Chromebooks should sleep after; null when the policy sets no sleep */
  idleSec: number | null;
}

export const GOOGLE_ADMIN_USER_PATH = 'Devices > Chrome > Settings > Users & browsers > Power and shutdown';

/** the Admin console's idle fields, as it names them (also named in the waste causes' next step) */
export const IDLE_ACTION_FIELD = 'Idle settings: Action on idle';
export const IDLE_TIME_FIELD = 'Idle settings: Idle time (minutes)';

export function googleAdminSettings(policy: PolicySettings): GoogleAdminSettings {
  const settings: GoogleAdminSetting[] = [];
  const unmapped: GoogleAdminSettings['unmapped'] = [];
  const ac = policy.sleepAfterSec?.ac;
  const battery = policy.sleepAfterSec?.battery;
  // the Admin console has one idle time for both power sources: the stricter of the two
  const idleSec =
    ac !== undefined || battery !== undefined ? Math.min(ac ?? Infinity, battery ?? Infinity) : null;
  if (idleSec !== null) {
    settings.push(
      {
        path: GOOGLE_ADMIN_USER_PATH,
        field: IDLE_ACTION_FIELD,
        value: 'Sleep',
        chromePolicy: 'IdleAction',
      },
      {
        path: GOOGLE_ADMIN_USER_PATH,
        field: IDLE_TIME_FIELD,
        value: String(Math.max(1, Math.round(idleSec / 60))),
        chromePolicy: 'PowerManagementIdleSettings',
      },
    );
  }
  settings.push({
    path: GOOGLE_ADMIN_USER_PATH,
    field: 'Action on lid close',
    value: 'Sleep',
    chromePolicy: 'LidCloseAction',
  });
  const delays = (sleep: number | undefined, off: number | undefined) => ({
    ...(off !== undefined ? { ScreenOff: off * 1000 } : {}),
    ...(sleep !== undefined ? { Idle: sleep * 1000 } : {}),
  });
  const idleSettingsJson =
    idleSec === null
      ? null
      : {
          AC: { Delays: delays(ac ?? idleSec, policy.displayOffAfterSec?.ac), IdleAction: 'Sleep' },
          Battery: {
            Delays: delays(battery ?? idleSec, policy.displayOffAfterSec?.battery),
            IdleAction: 'Sleep',
          },
        };
  // screen-off delays exist only in the JSON policy, not as an Admin console field
  if (policy.displayOffAfterSec) unmapped.push('displayOffAfter');
  if (policy.brightnessCapPct) unmapped.push('brightnessCap');
  if (policy.outsideSchoolHours?.action === 'shutdown') unmapped.push('scheduledShutdown');
  return { settings, unmapped, idleSettingsJson, idleSec };
}

/**
 * How many idle overruns (`idleOverruns`) make a Chromebook count as not following the Google Admin
 * settings: one can be a video call or a warning clicked away, two are a pattern.
 */
export const OVERRUNS_NOT_IN_FORCE = 2;

/** Whether a Chromebook's measured overruns show the Google Admin settings are not in force on it. */
export function adminSettingsNotInForce(overruns: readonly IdleOverrun[]): boolean {
  return overruns.length >= OVERRUNS_NOT_IN_FORCE;
}

export interface IdleOverrun {
  start: number;
  end: number;
}

/**
 * Idle stretches that ran far past the idle time without the Chromebook going to sleep: measured
 * proof that the Google Admin settings are not in force on it. A stretch counts when it lasts longer
 * than the idle time plus `graceSec` (ChromeOS warns first, and a video call may hold the device
 * awake), so one odd stretch is not enough to flag a device: the caller looks at how many there are.
 */
export function idleOverruns(
  intervals: readonly Interval[],
  idleSec: number | null,
  graceSec = 10 * 60,
): IdleOverrun[] {
  if (idleSec === null) return [];
  const limitMs = (idleSec + graceSec) * 1000;
  const out: IdleOverrun[] = [];
  let run: IdleOverrun | null = null;
  for (const i of intervals) {
    const idleOn = i.state === 'idle';
    if (idleOn && run && run.end === i.start) run.end = i.end;
    else {
      if (run && run.end - run.start > limitMs) out.push(run);
      run = idleOn ? { start: i.start, end: i.end } : null;
    }
  }
  if (run && run.end - run.start > limitMs) out.push(run);
  return out;
}
