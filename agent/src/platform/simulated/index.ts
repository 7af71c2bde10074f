import { type Blocker, ErrorCode, type Inventory } from '@sluimer/shared';
import { checkTarget } from '../../core/bounds.js';
import type {
  ApplyOutcome,
  BatteryInfo,
  Capability,
  Clock,
  Known,
  PerSource,
  PlatformAdapter,
  PowerEvent,
  PowerSettings,
  PowerSourceKind,
  SettingsTarget,
} from '../types.js';
import { systemClock } from '../types.js';

/**
 * The simulated platform: for tests, the demo and the fleet simulator, never a substitute for a
 * real adapter. Time comes from a `Clock`; with a `ManualClock` a test moves time itself, and a
 * scripted timeline (input, idle, sleep, display, power source, battery) runs as time passes.
 */

/** A clock the caller moves. `sleep` moves only the wall clock, as a real suspend does. */
export class ManualClock implements Clock {
  private wall: number;
  private mono: number;
  private boot: number;

  constructor(startWall = Date.UTC(2026, 0, 5, 7, 0), startMono = 1_000) {
    this.wall = startWall;
    this.mono = startMono;
    this.boot = startMono;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  /** counts awake and suspended time, never steps (CLOCK_BOOTTIME) */
  boottime(): number {
    return this.boot;
  }

  /** awake time passes */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
    this.boot += ms;
  }

  /** the device sleeps: wall and boot time pass, monotonic time does not */
  sleep(ms: number): void {
    this.wall += ms;
    this.boot += ms;
  }

  /** the wall clock is set (NTP step, user change); may go backwards */
  stepWall(ms: number): void {
    this.wall += ms;
  }

  setWall(wall: number): void {
    this.wall = wall;
  }
}

export type ScriptStep =
  | { at: number; do: 'input' }
  | { at: number; do: 'idle'; ms: number }
  | { at: number; do: 'sleep'; forMs: number }
  | { at: number; do: 'display'; state: 'on' | 'off' }
  | { at: number; do: 'power'; source: PowerSourceKind }
  | { at: number; do: 'battery'; percent: number; charging?: boolean }
  | { at: number; do: 'shutdown' };

/** Random input pattern for `run --simulate` and demos: stretches of use and stretches away. */
export interface Autopilot {
  seed?: number;
  activeMs?: [number, number];
  awayMs?: [number, number];
}

export interface SimulatedOptions {
  clock?: Clock;
  settings?: Partial<PowerSettings>;
  inventory?: Inventory;
  battery?: BatteryInfo | null;
  powerSource?: PowerSourceKind;
  display?: 'on' | 'off';
  /** settings a group policy locks, e.g. `sleepAfterSec.ac` or `brightnessPct`: apply leaves them as they are */
  overridden?: string[];
  /** settings this "OS" cannot change, e.g. `brightnessPct` or `schedule` */
  unsupported?: string[];
  /** what this "OS" does not switch by itself on a power-source change (default: not declared = all) */
  sourceBound?: PlatformAdapter['sourceBound'];
  /** timeouts this "OS" keeps as one value for both sources (as GNOME's display-off delay) */
  oneValue?: PlatformAdapter['oneValue'];
  blockers?: Blocker[];
  /** idle time is unknown (no session signal), as for a service without a tray */
  idleUnknown?: boolean;
  script?: ScriptStep[];
  autopilot?: Autopilot;
}

const DEFAULT_SETTINGS: PowerSettings = {
  sleepAfterSec: { ac: null, battery: 900 },
  displayOffAfterSec: { ac: 1800, battery: 300 },
  brightnessPct: { ac: 100, battery: 80 },
  schedule: null,
};

function copySettings(s: PowerSettings): PowerSettings {
  return {
    sleepAfterSec: { ...s.sleepAfterSec },
    displayOffAfterSec: { ...s.displayOffAfterSec },
    brightnessPct: { ...s.brightnessPct },
    schedule: s.schedule ? { ...s.schedule, weekdays: [...s.schedule.weekdays] } : (s.schedule ?? null),
  };
}

export class SimulatedPlatform implements PlatformAdapter {
  readonly os = 'simulated' as const;
  readonly sourceBound: PlatformAdapter['sourceBound'];
  readonly oneValue: PlatformAdapter['oneValue'];
  readonly clock: Clock;
  private settings: PowerSettings;
  private lastInput: number;
  private source: PowerSourceKind;
  private display: 'on' | 'off';
  private batteryInfo: BatteryInfo | null;
  private readonly inv: Inventory;
  private readonly overridden: Set<string>;
  private readonly unsupported: Set<string>;
  private blockerList: Blocker[];
  private readonly listeners = new Set<(e: PowerEvent) => void>();
  private script: ScriptStep[];
  private idleUnknown: boolean;
  private pilot: { rnd: () => number; away: boolean; until: number; cfg: Required<Autopilot> } | null = null;
  /** every apply call, for tests */
  readonly applyLog: { target: SettingsTarget; mode: 'policy' | 'restore' }[] = [];
  /** sleepNow calls, for tests */
  sleepRequests = 0;

  constructor(opts: SimulatedOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.sourceBound = opts.sourceBound;
    this.oneValue = opts.oneValue;
    this.settings = copySettings({ ...DEFAULT_SETTINGS, ...opts.settings });
    this.lastInput = this.clock.now();
    this.source = opts.powerSource ?? (opts.battery?.hasBattery ? 'battery' : 'ac');
    this.display = opts.display ?? 'on';
    this.batteryInfo = opts.battery ?? null;
    this.inv = opts.inventory ?? {
      os: 'other',
      chassisType: opts.battery?.hasBattery ? 'Notebook' : 'Desktop',
      manufacturer: 'Sluimer',
      model: 'Simulated',
      ...(opts.battery ? { battery: { hasBattery: opts.battery.hasBattery } } : {}),
    };
    this.overridden = new Set(opts.overridden);
    this.unsupported = new Set(opts.unsupported);
    this.blockerList = opts.blockers ?? [];
    this.idleUnknown = opts.idleUnknown ?? false;
    this.script = [...(opts.script ?? [])].sort((a, b) => a.at - b.at);
    if (opts.autopilot) {
      const cfg: Required<Autopilot> = {
        seed: opts.autopilot.seed ?? 1,
        activeMs: opts.autopilot.activeMs ?? [2 * 60_000, 20 * 60_000],
        awayMs: opts.autopilot.awayMs ?? [1 * 60_000, 30 * 60_000],
      };
      let seed = cfg.seed >>> 0 || 1;
      const rnd = () => {
        // xorshift32: deterministic per seed
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) / 4_294_967_296;
      };
      // starts with a stretch of use
      this.pilot = { rnd, away: true, until: this.clock.now(), cfg };
      this.stepPilot(this.clock.now());
    }
  }

  // ---- driving the simulation ----

  private emit(e: PowerEvent): void {
    for (const l of this.listeners) l(e);
  }

  input(): void {
    this.lastInput = this.clock.now();
  }

  setIdleMs(ms: number): void {
    this.lastInput = this.clock.now() - ms;
  }

  setIdleUnknown(unknown: boolean): void {
    this.idleUnknown = unknown;
  }

  setDisplay(state: 'on' | 'off'): void {
    if (state === this.display) return;
    this.display = state;
    this.emit({ type: 'display', state, at: this.clock.now() });
  }

  setPowerSource(source: PowerSourceKind): void {
    if (source === this.source) return;
    this.source = source;
    if (this.batteryInfo) this.batteryInfo = { ...this.batteryInfo, charging: source === 'ac' };
    this.emit({ type: 'power-source', source, at: this.clock.now() });
  }

  setBattery(percent: number, charging?: boolean): void {
    const base = this.batteryInfo ?? { hasBattery: true };
    this.batteryInfo = {
      ...base,
      hasBattery: true,
      percent,
      ...(charging !== undefined ? { charging } : {}),
    };
  }

  setBlockers(list: Blocker[]): void {
    this.blockerList = list;
  }

  /** Locks or unlocks a setting as a group policy would. */
  setOverridden(setting: string, locked: boolean): void {
    if (locked) this.overridden.add(setting);
    else this.overridden.delete(setting);
  }

  private manual(): ManualClock {
    if (!(this.clock instanceof ManualClock)) {
      throw new Error('SimulatedPlatform: sleeping and advancing time need a ManualClock');
    }
    return this.clock;
  }

  /** Suspend for `ms` (wall clock jumps, monotonic does not), with suspend/resume events unless `silent`. */
  suspend(ms: number, opts: { silent?: boolean } = {}): void {
    const clock = this.manual();
    if (!opts.silent) this.emit({ type: 'suspend', at: clock.now() });
    clock.sleep(ms);
    if (!opts.silent) this.emit({ type: 'resume', at: clock.now() });
  }

  shutdown(): void {
    this.emit({ type: 'shutdown', at: this.clock.now() });
  }

  /** Adds timeline steps (absolute wall times). */
  schedule(steps: ScriptStep[]): void {
    this.script = [...this.script, ...steps].sort((a, b) => a.at - b.at);
  }

  private runStep(step: ScriptStep): void {
    switch (step.do) {
      case 'input':
        this.input();
        break;
      case 'idle':
        this.setIdleMs(step.ms);
        break;
      case 'sleep':
        this.suspend(step.forMs);
        break;
      case 'display':
        this.setDisplay(step.state);
        break;
      case 'power':
        this.setPowerSource(step.source);
        break;
      case 'battery':
        this.setBattery(step.percent, step.charging);
        break;
      case 'shutdown':
        this.shutdown();
        break;
    }
  }

  /**
   * Moves a ManualClock forward by `ms` of awake time, running the scripted steps that fall due, in
   * order. `onStep` runs after each step (e.g. to let an agent sample). Returns the steps run.
   */
  advance(ms: number, onStep?: (step: ScriptStep) => void): number {
    const clock = this.manual();
    let end = clock.now() + ms;
    let ran = 0;
    while (this.script.length > 0 && this.script[0]!.at <= end) {
      const step = this.script.shift()!;
      if (step.at > clock.now()) clock.advance(step.at - clock.now());
      this.runStep(step);
      // `ms` is awake time: a sleep step pushes the end out by its length
      if (step.do === 'sleep') end += step.forMs;
      ran++;
      onStep?.(step);
    }
    if (clock.now() < end) clock.advance(end - clock.now());
    return ran;
  }

  private stepPilot(now: number): void {
    const p = this.pilot;
    if (!p) return;
    while (now >= p.until) {
      const start = p.until;
      p.away = !p.away;
      const [lo, hi] = p.away ? p.cfg.awayMs : p.cfg.activeMs;
      if (p.away) this.lastInput = Math.max(this.lastInput, start);
      p.until = start + lo + Math.floor(p.rnd() * (hi - lo));
    }
    if (!p.away) this.lastInput = now;
  }

  // ---- PlatformAdapter ----

  async idleMs(): Promise<Known<number>> {
    if (this.idleUnknown) return 'unknown';
    const now = this.clock.now();
    this.stepPilot(now);
    return Math.max(0, now - this.lastInput);
  }

  async powerSource(): Promise<Known<PowerSourceKind>> {
    return this.source;
  }

  async displayState(): Promise<Known<'on' | 'off'>> {
    return this.display;
  }

  async battery(): Promise<BatteryInfo | null> {
    return this.batteryInfo ? { ...this.batteryInfo } : null;
  }

  async readSettings(): Promise<PowerSettings> {
    return copySettings(this.settings);
  }

  async blockers(): Promise<Blocker[]> {
    return this.blockerList.map((b) => ({ ...b }));
  }

  async inventory(): Promise<Inventory> {
    return structuredClone(this.inv);
  }

  async apply(target: SettingsTarget, mode: 'policy' | 'restore'): Promise<ApplyOutcome> {
    this.applyLog.push({ target: structuredClone(target), mode });
    // the same bounds check the OS adapters use: policy mode never writes 0/"never" or 0 %
    const { allowed, errors } = checkTarget(target, mode);
    for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
      const want = allowed[key];
      if (!want) continue;
      for (const src of ['ac', 'battery'] as const) {
        const v = want[src];
        if (v === undefined) continue;
        const name = `${key}.${src}`;
        if (this.unsupported.has(key) || this.unsupported.has(name)) {
          errors.push({
            setting: name,
            code: ErrorCode.Unsupported,
            message: `${name} cannot be changed on this (simulated) device`,
          });
        } else if (this.overridden.has(key) || this.overridden.has(name)) {
          errors.push({ setting: name, code: 'overridden', message: `${name} is locked by a group policy` });
        } else {
          (this.settings[key] as PerSource<number>)[src] = v;
        }
      }
    }
    if (allowed.schedule !== undefined) {
      if (this.unsupported.has('schedule')) {
        errors.push({
          setting: 'schedule',
          code: ErrorCode.Unsupported,
          message: 'schedules are not supported',
        });
      } else if (this.overridden.has('schedule')) {
        errors.push({
          setting: 'schedule',
          code: 'overridden',
          message: 'schedule is locked by a group policy',
        });
      } else {
        this.settings.schedule = allowed.schedule ? structuredClone(allowed.schedule) : null;
      }
    }
    return { applied: copySettings(this.settings), errors };
  }

  async sleepNow(): Promise<void> {
    this.sleepRequests++;
  }

  async capabilities(): Promise<Capability[]> {
    const setting = (id: string, key: string): Capability => ({
      id,
      status: this.unsupported.has(key) ? 'unsupported' : 'enforceable',
      detail: this.unsupported.has(key)
        ? 'simulated: not supported on this device'
        : 'simulated: in-memory setting',
    });
    return [
      {
        id: 'idle-time',
        status: this.idleUnknown ? 'unsupported' : 'readable',
        detail: this.idleUnknown ? 'simulated: no session signal' : 'simulated input',
      },
      { id: 'power-source', status: 'readable', detail: 'simulated' },
      { id: 'display-state', status: 'readable', detail: 'simulated' },
      setting('sleep-timeout', 'sleepAfterSec'),
      setting('display-timeout', 'displayOffAfterSec'),
      setting('brightness', 'brightnessPct'),
      { id: 'blockers', status: 'readable', detail: 'simulated: scripted list' },
      setting('schedule', 'schedule'),
      { id: 'sleep-now', status: 'enforceable', detail: 'simulated: counted, no real sleep' },
    ];
  }

  onEvent(listener: (event: PowerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

export function createSimulatedPlatform(opts: SimulatedOptions = {}): SimulatedPlatform {
  return new SimulatedPlatform(opts);
}
