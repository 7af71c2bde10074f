/**
 * The device-power vocabulary the agent's core and its OS adapters share: power source, display
 * state, settings per power source, power events. Plain types, no logic: the core decides with them,
 * the adapters read and write the OS in them.
 */

export type PowerSourceKind = 'ac' | 'battery';
export type DisplayState = 'on' | 'off';
/** a reading the OS could not give */
export type Known<T> = T | 'unknown';

/** Per power source; `null` = the OS says "never"/unset, `undefined` = not read / not applicable. */
export interface PerSource<T> {
  ac?: T | null;
  battery?: T | null;
}

/** Timeouts and brightness as the OS holds them, in seconds and percent. */
export interface PowerSettings {
  sleepAfterSec: PerSource<number>;
  displayOffAfterSec: PerSource<number>;
  brightnessPct: PerSource<number>;
  /** a repeating sleep/shutdown outside school hours, as the OS holds it */
  schedule?: ScheduledAction | null;
}

export interface ScheduledAction {
  action: 'sleep' | 'shutdown';
  /** local time HH:MM */
  at: string;
  /** 0 = Monday … 6 = Sunday */
  weekdays: number[];
}

/** Settings to write. `undefined` fields are left alone. */
export interface SettingsTarget {
  sleepAfterSec?: PerSource<number>;
  displayOffAfterSec?: PerSource<number>;
  brightnessPct?: PerSource<number>;
  schedule?: ScheduledAction | null;
}

export type PowerEvent =
  | { type: 'suspend'; at: number }
  | { type: 'resume'; at: number }
  | { type: 'power-source'; source: PowerSourceKind; at: number }
  | { type: 'display'; state: DisplayState; at: number }
  | { type: 'shutdown'; at: number };
