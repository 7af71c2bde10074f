import os from 'node:os';
import type {
  Blocker,
  Inventory,
  Known,
  PerSource,
  PowerEvent,
  PowerSettings,
  PowerSourceKind,
  ScheduledAction,
  SettingsTarget,
} from '@sluimer/shared';

// the vocabulary the agent core shares with the adapters lives in @sluimer/shared (device-power.ts)
export type { Known, PerSource, PowerEvent, PowerSettings, PowerSourceKind, ScheduledAction, SettingsTarget };

/**
 * The one interface every OS adapter implements (windows, macos, linux, simulated). An adapter reads
 * and writes the OS; it never decides policy: the core turns a policy into `PowerSettings` targets and
 * the service hands them over. The same contract tests run against every adapter that can run here.
 */

/**
 * The battery as it is now. Capacities, cycle count and maker are hardware inventory: systeminformation
 * reads them once a day (service/hardware-reader.ts), so no adapter keeps its own copy of that code.
 */
export interface BatteryInfo {
  hasBattery: boolean;
  percent?: number;
  charging?: boolean;
}

export type CapabilityStatus = 'readable' | 'enforceable' | 'needs-admin' | 'unsupported';
export interface Capability {
  /** e.g. idle-time, sleep-timeout, display-timeout, brightness, blockers, schedule, sleep-now */
  id: string;
  status: CapabilityStatus;
  /** how it is done or why it is not, for `doctor` */
  detail: string;
}

export interface ApplyOutcome {
  /** what reading back showed after applying */
  applied: PowerSettings;
  /** per setting: what could not be applied and why */
  errors: { setting: string; code: string; message: string }[];
}

export interface PlatformAdapter {
  readonly os: 'windows' | 'macos' | 'linux' | 'simulated';
  /**
   * Settings this OS holds for the current power source only and does not switch by itself when the
   * device goes from mains to battery or back (a live brightness cap, GNOME's single display-off
   * delay). The service applies them again within seconds of a switch. Omitted: every timeout and the
   * brightness cap are treated so (applying again is harmless, only slower).
   */
  readonly sourceBound?: readonly ('sleepAfterSec' | 'displayOffAfterSec' | 'brightnessPct')[];
  /**
   * Timeouts this OS keeps as one value for both power sources (GNOME's idle-delay). The core decides
   * which value that is (the current source's, `oneValueTarget` in core/targets.ts) and hands the
   * adapter the same value for both; the adapter refuses two different ones. Such a setting must be
   * in `sourceBound` too, so a switch writes the other source's value.
   */
  readonly oneValue?: readonly ('sleepAfterSec' | 'displayOffAfterSec')[];
  /** milliseconds since the last user input in the active session */
  idleMs(): Promise<Known<number>>;
  powerSource(): Promise<Known<PowerSourceKind>>;
  displayState(): Promise<Known<'on' | 'off'>>;
  battery(): Promise<BatteryInfo | null>;
  readSettings(): Promise<PowerSettings>;
  /** what is keeping the device awake now (never the agent itself) */
  blockers(): Promise<Blocker[]>;
  /** static hardware facts; adapters cache them */
  inventory(): Promise<Inventory>;
  /**
   * Writes settings the OS keeps (per source where it has both) and reads them back. `mode:
   * 'restore'` writes saved originals, which may be outside the policy bounds (e.g. "never");
   * `mode: 'policy'` refuses out-of-bounds values. The live panel is not touched here: what it
   * should show is the core's decision (`panelTarget`), written through `setPanelPct`.
   */
  apply(target: SettingsTarget, mode: 'policy' | 'restore'): Promise<ApplyOutcome>;
  /**
   * Optional, where the agent can set an internal panel: its brightness now in % (the brightest
   * panel when there are several), null when there is none to set.
   */
  panelPct?(): Promise<number | null>;
  /** Sets every internal panel to exactly `pct` (1–100); throws a SluimerError saying why not. */
  setPanelPct?(pct: number): Promise<void>;
  sleepNow(): Promise<void>;
  capabilities(): Promise<Capability[]>;
  /** live power events where the OS offers them; returns an unsubscribe function */
  onEvent(listener: (event: PowerEvent) => void): () => void;
  /**
   * Optional: idle transitions as OS events, so the service need not poll while nothing changes.
   * `listener('idle')` when the time since the last input crosses `thresholdMs`, `listener('active')`
   * at the first input after that. Calling it again moves the threshold. Resolves with an unsubscribe
   * function, or null when this OS or session offers no such events (the service then polls).
   */
  watchIdle?(
    thresholdMs: number,
    listener: (transition: IdleTransition) => void,
  ): Promise<(() => void) | null>;
  close?(): Promise<void>;
}

export type IdleTransition = 'idle' | 'active';

/**
 * The clock sources (core/timeline.ts): the wall clock, a monotonic clock that stands still during a
 * suspend, and, where reachable, one that counts suspended time, so a suspend can be told from a
 * wall-clock step.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  /** ms of a clock that counts suspended time (never stepped); null or absent where there is none */
  boottime?(): number | null;
}

/**
 * Node's `os.uptime()` is CLOCK_BOOTTIME on Linux (the clock `/proc/uptime` shows) and
 * `GetTickCount64` on Windows: both count suspended time and ignore wall-clock steps. On macOS it
 * is computed from the wall clock (kern.boottime), so it is not used there.
 */
const bootClock = process.platform === 'linux' || process.platform === 'win32';

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  boottime: () => (bootClock ? os.uptime() * 1000 : null),
};
