import {
  DAY_MS,
  type DeviceState,
  EARLIEST_VALID_MS,
  type Interval,
  type Known,
  type PowerEvent,
  type PowerSourceKind,
  type DisplayState as SharedDisplayState,
} from '@sluimer/shared';

/**
 * The idle state machine (docs/api.md "Protocol v1"). Pure: every function takes a state and returns
 * a new one, never reads a clock or the OS. The service feeds it samples and power events and
 * persists the returned state; closed intervals collect in `state.closed` until `takeClosed`.
 *
 * Rules (also in agent/README.md):
 * - `idle` starts at the last input (`wallNow - idleMs`) once `idleMs >= idleThresholdMs`; the
 *   active interval before it ends there (backdating). New input ends the idle interval at the
 *   input moment.
 * - An unknown idle time counts as input now: the agent never calls a device idle without evidence.
 * - `asleep` comes from suspend/resume events, or from the wall clock running ahead of the
 *   monotonic clock between two samples by more than `sleepToleranceMs`.
 * - `off` is inferred at start from the last recorded moment up to the boot time.
 * - Display and power source changes split intervals; intervals are also split at UTC midnight.
 * - Nothing is ever emitted before `floor` (the end of what was already emitted), so a wall clock
 *   that steps backwards can never produce overlapping or negative intervals: times are clamped to
 *   the floor until the clock has caught up.
 */

export type DisplayState = SharedDisplayState;
export type PowerSource = PowerSourceKind;
export type OpenState = Exclude<DeviceState, 'off'>;

export interface Attrs {
  display?: DisplayState;
  power?: PowerSource;
}

export interface Sample {
  wallNow: number;
  monotonicNow: number;
  idleMs: Known<number>;
  display?: Known<DisplayState>;
  power?: Known<PowerSource>;
}

export interface TrackerConfig {
  idleThresholdMs: number;
  /** wall clock ahead of the monotonic clock by more than this between two samples = asleep */
  sleepToleranceMs?: number;
  /** a gap without observations longer than this is left out (never guessed) */
  maxUnobservedMs?: number;
  /** how far the computed boot time may lie after the last moment and still count as the same boot */
  bootToleranceMs?: number;
}

export const TRACKER_DEFAULTS = {
  sleepToleranceMs: 15_000,
  maxUnobservedMs: 10 * 60_000,
  bootToleranceMs: 10_000,
} as const;

export interface TrackerState {
  v: 1;
  /** the interval still growing; its kind may still change (e.g. active becomes idle, backdated) */
  open: { start: number; state: OpenState } | null;
  /** display/power at `open.start` (or now, when nothing is open) */
  attrs: Attrs;
  /** display/power changes after `open.start`, ascending */
  changes: { at: number; attrs: Attrs }[];
  /** everything before this has been emitted; nothing may start before it again */
  floor: number;
  /** baseline of the clock-jump check; null after a resume or a restart */
  lastWall: number | null;
  lastMono: number | null;
  /** wall time of the last known user input */
  lastInput: number | null;
  /** last sample that confirmed the device was still idle */
  idleConfirmedAt: number | null;
  /** latest moment observed: used to infer `off` at the next start */
  lastMoment: number;
  /** closed intervals not yet taken by the service */
  closed: Interval[];
}

export function initialTracker(now: number): TrackerState {
  return {
    v: 1,
    open: null,
    attrs: {},
    changes: [],
    floor: 0,
    lastWall: null,
    lastMono: null,
    lastInput: null,
    idleConfirmedAt: null,
    lastMoment: now,
    closed: [],
  };
}

function cfgOf(c: TrackerConfig) {
  return {
    idleThresholdMs: c.idleThresholdMs,
    sleepToleranceMs: c.sleepToleranceMs ?? TRACKER_DEFAULTS.sleepToleranceMs,
    maxUnobservedMs: c.maxUnobservedMs ?? TRACKER_DEFAULTS.maxUnobservedMs,
    bootToleranceMs: c.bootToleranceMs ?? TRACKER_DEFAULTS.bootToleranceMs,
  };
}

function clone(s: TrackerState): TrackerState {
  return {
    ...s,
    open: s.open ? { ...s.open } : null,
    attrs: { ...s.attrs },
    changes: s.changes.map((c) => ({ at: c.at, attrs: { ...c.attrs } })),
    closed: [...s.closed],
  };
}

function sameAttrs(a: Attrs, b: Attrs): boolean {
  return a.display === b.display && a.power === b.power;
}

/** Mutable working copy; every exported function clones, mutates, returns. */
class Machine {
  constructor(
    readonly s: TrackerState,
    readonly cfg: ReturnType<typeof cfgOf>,
  ) {}

  clamp(t: number): number {
    return Math.max(t, this.s.floor);
  }

  currentAttrs(): Attrs {
    const last = this.s.changes[this.s.changes.length - 1];
    return last ? last.attrs : this.s.attrs;
  }

  setAttrs(at: number, next: Attrs): void {
    if (sameAttrs(this.currentAttrs(), next)) return;
    if (!this.s.open) {
      this.s.attrs = { ...next };
      return;
    }
    if (this.s.changes.length === 0) {
      // a value that was unknown since the open interval began applies back to its start
      const base = this.s.attrs;
      const filled: Attrs = { ...base };
      if (base.display === undefined && next.display !== undefined) filled.display = next.display;
      if (base.power === undefined && next.power !== undefined) filled.power = next.power;
      this.s.attrs = filled;
      if (sameAttrs(filled, next)) return;
    }
    const t = Math.max(this.clamp(at), this.s.open.start);
    const last = this.s.changes[this.s.changes.length - 1];
    if (last && last.at >= t) {
      // same instant (or a late event): the newest value wins at the latest known change time
      last.attrs = { ...next };
    } else {
      this.s.changes.push({ at: t, attrs: { ...next } });
    }
  }

  /** Emits `[start, end)` split at attribute changes and UTC midnight; consumes changes up to `end`. */
  emit(start: number, end: number, state: DeviceState): void {
    const s = this.s;
    start = Math.max(start, s.floor);
    if (end <= start) return;
    let base = s.attrs;
    while (s.changes.length > 0 && s.changes[0]!.at <= start) base = s.changes.shift()!.attrs;
    let pieceStart = start;
    while (s.changes.length > 0 && s.changes[0]!.at < end) {
      const ch = s.changes.shift()!;
      this.push(pieceStart, ch.at, state, base);
      pieceStart = ch.at;
      base = ch.attrs;
    }
    this.push(pieceStart, end, state, base);
    while (s.changes.length > 0 && s.changes[0]!.at <= end) base = s.changes.shift()!.attrs;
    s.attrs = base;
    s.floor = Math.max(s.floor, end);
  }

  private push(start: number, end: number, state: DeviceState, attrs: Attrs): void {
    start = Math.max(start, EARLIEST_VALID_MS);
    while (end > start) {
      const midnight = (Math.floor(start / DAY_MS) + 1) * DAY_MS;
      const pieceEnd = Math.min(end, midnight);
      const interval: Interval = { start, end: pieceEnd, state };
      if (state !== 'off') {
        if (state !== 'asleep' && attrs.display) interval.display = attrs.display;
        if (attrs.power) interval.power = attrs.power;
      }
      const last = this.s.closed[this.s.closed.length - 1];
      if (
        last &&
        last.end === start &&
        last.state === state &&
        last.display === interval.display &&
        last.power === interval.power &&
        Math.floor(last.start / DAY_MS) === Math.floor(start / DAY_MS)
      ) {
        this.s.closed[this.s.closed.length - 1] = { ...last, end: pieceEnd };
      } else {
        this.s.closed.push(interval);
      }
      start = pieceEnd;
    }
  }

  open(at: number, state: OpenState): void {
    const t = this.clamp(at);
    this.s.open = { start: t, state };
    if (state !== 'idle') this.s.idleConfirmedAt = null;
  }

  /** Closes the open interval at `at`. An active interval whose last input lies a threshold back becomes idle from that input. */
  closeOpen(at: number): void {
    const o = this.s.open;
    if (!o) return;
    const t = Math.max(this.clamp(at), o.start);
    const li = this.s.lastInput;
    if (o.state === 'active' && li !== null && t - li >= this.cfg.idleThresholdMs) {
      const idleFrom = Math.min(Math.max(li, o.start), t);
      this.emit(o.start, idleFrom, 'active');
      this.emit(idleFrom, t, 'idle');
    } else {
      this.emit(o.start, t, o.state);
    }
    this.s.floor = Math.max(this.s.floor, t);
    this.s.open = null;
    this.s.idleConfirmedAt = null;
  }

  /** Ends the open interval at `t` and opens `state` from there (no backdating rule). */
  switchTo(t: number, state: OpenState): void {
    const o = this.s.open;
    if (!o) {
      this.open(t, state);
      return;
    }
    if (o.state === state) return;
    const end = Math.max(this.clamp(t), o.start);
    this.emit(o.start, end, o.state);
    this.s.floor = Math.max(this.s.floor, end);
    this.open(end, state);
  }

  moment(t: number): void {
    this.s.lastMoment = Math.max(this.s.lastMoment, t);
  }

  sample(x: Sample): void {
    const s = this.s;
    const wall = x.wallNow;
    // 1. sleep seen as the wall clock running ahead of the monotonic clock
    if (s.lastWall !== null && s.lastMono !== null) {
      const dWall = wall - s.lastWall;
      const dMono = x.monotonicNow - s.lastMono;
      if (dWall - dMono > this.cfg.sleepToleranceMs) {
        const sleepStart = s.lastWall + Math.max(0, dMono);
        if (s.open?.state !== 'asleep') {
          this.closeOpen(sleepStart);
          this.open(sleepStart, 'asleep');
        }
      }
    }
    // 2. a sample means the device is awake
    if (s.open?.state === 'asleep') {
      this.switchTo(wall, 'active');
      s.lastInput = null;
    }
    if (!s.open) {
      this.open(wall, 'active');
      s.lastInput = null;
    }
    // 3. display / power source
    const cur = this.currentAttrs();
    const next: Attrs = { ...cur };
    if (x.display !== undefined) next.display = x.display === 'unknown' ? undefined : x.display;
    if (x.power !== undefined) next.power = x.power === 'unknown' ? undefined : x.power;
    if (next.display === undefined) delete next.display;
    if (next.power === undefined) delete next.power;
    this.setAttrs(wall, next);
    // 4. idle / active
    const t = this.clamp(wall);
    const idleMs = x.idleMs === 'unknown' ? 0 : Math.max(0, x.idleMs);
    const li = Math.min(this.clamp(wall - idleMs), t);
    const o = s.open!;
    if (idleMs >= this.cfg.idleThresholdMs) {
      if (o.state === 'active') {
        this.switchTo(Math.max(li, o.start), 'idle');
      } else if (s.lastInput !== null && s.idleConfirmedAt !== null && li > s.lastInput + 1000) {
        // input happened between two samples and the device went idle again: the gap was active
        const activeFrom = Math.max(s.idleConfirmedAt, o.start);
        if (li > activeFrom) {
          this.switchTo(activeFrom, 'active');
          this.switchTo(li, 'idle');
        }
      }
      s.idleConfirmedAt = t;
    } else if (o.state === 'idle') {
      this.switchTo(Math.max(li, o.start), 'active');
    }
    s.lastInput = li;
    s.lastWall = wall;
    s.lastMono = x.monotonicNow;
    this.moment(t);
  }

  event(e: PowerEvent): void {
    const s = this.s;
    const t = this.clamp(e.at);
    switch (e.type) {
      case 'suspend':
        if (s.open?.state !== 'asleep') {
          this.closeOpen(t);
          this.open(t, 'asleep');
        }
        break;
      case 'resume':
        if (s.open?.state === 'asleep') {
          this.switchTo(t, 'active');
          s.lastInput = null;
          // the gap is accounted for: the next sample must not see it as a clock jump again
          s.lastWall = null;
          s.lastMono = null;
        }
        break;
      case 'display':
        this.setAttrs(t, { ...this.currentAttrs(), display: e.state });
        break;
      case 'power-source':
        this.setAttrs(t, { ...this.currentAttrs(), power: e.source });
        break;
      case 'shutdown':
        this.closeOpen(t);
        s.lastWall = null;
        s.lastMono = null;
        break;
    }
    this.moment(t);
  }

  /** Cuts the open interval at the last moment its state is certain, so reports keep flowing. */
  cut(): void {
    const s = this.s;
    const o = s.open;
    if (!o) return;
    let at: number | null = null;
    if (o.state === 'active') at = s.lastInput;
    else if (o.state === 'idle') at = s.idleConfirmedAt;
    if (at === null || at <= o.start) return;
    this.emit(o.start, at, o.state);
    s.floor = Math.max(s.floor, at);
    o.start = at;
  }
}

function run(state: TrackerState, config: TrackerConfig, fn: (m: Machine) => void): TrackerState {
  const m = new Machine(clone(state), cfgOf(config));
  fn(m);
  return m.s;
}

export function observeSample(state: TrackerState, sample: Sample, config: TrackerConfig): TrackerState {
  return run(state, config, (m) => m.sample(sample));
}

export function observeEvent(state: TrackerState, event: PowerEvent, config: TrackerConfig): TrackerState {
  return run(state, config, (m) => m.event(event));
}

/** Flush: emit the certain part of the open interval (the console merges nothing; cuts are fine). */
export function cutOpen(state: TrackerState, config: TrackerConfig): TrackerState {
  return run(state, config, (m) => m.cut());
}

/** Graceful stop: close the open interval at `at`; the next start continues or infers `off` from there. */
export function closeTracker(state: TrackerState, at: number, config: TrackerConfig): TrackerState {
  return run(state, config, (m) => {
    m.closeOpen(at);
    m.s.lastWall = null;
    m.s.lastMono = null;
    m.moment(m.clamp(at));
  });
}

export function takeClosed(state: TrackerState): [Interval[], TrackerState] {
  if (state.closed.length === 0) return [[], state];
  return [state.closed, { ...state, closed: [] }];
}

export interface StartContext {
  /** wall time now */
  now: number;
  /** wall time of the OS boot: now - os.uptime() */
  bootWall: number;
}

/**
 * Start (or restart) of the agent. With a persisted state:
 * - booted since the last moment: the open interval closes there, `[lastMoment, boot)` is `off`, and
 *   `[boot, now)` opens as `active` (the first sample backdates idle, clamped to the boot) if the agent
 *   starts within `maxUnobservedMs` of the boot; otherwise that stretch is left out;
 * - same boot, short gap: the persisted open interval simply continues (after a graceful stop an
 *   `active` interval opens at the last moment, so an upgrade leaves no hole);
 * - same boot, long gap (agent stopped a while): the open interval closes at the last moment and the
 *   gap is left out: unknown time is never invented.
 */
export function startTracker(
  persisted: TrackerState | null,
  ctx: StartContext,
  config: TrackerConfig,
): TrackerState {
  if (persisted?.v !== 1) return initialTracker(ctx.now);
  return run(persisted, config, (m) => {
    const s = m.s;
    s.lastWall = null;
    s.lastMono = null;
    const last = s.lastMoment;
    if (ctx.bootWall > last + m.cfg.bootToleranceMs) {
      m.closeOpen(last);
      m.emit(last, ctx.bootWall, 'off');
      s.attrs = {};
      s.changes = [];
      s.lastInput = null;
      if (ctx.now - ctx.bootWall <= m.cfg.maxUnobservedMs) m.open(ctx.bootWall, 'active');
      else s.floor = Math.max(s.floor, ctx.bootWall);
      m.moment(ctx.bootWall);
    } else if (ctx.now - last > m.cfg.maxUnobservedMs) {
      m.closeOpen(last);
    } else if (!s.open) {
      // quick restart after a graceful stop (an upgrade): no hole; the first sample decides the state
      s.lastInput = null;
      m.open(last, 'active');
    }
  });
}
