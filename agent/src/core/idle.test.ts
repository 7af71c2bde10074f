import type { PowerEvent } from '@sluimer/shared';
import { DAY_MS, findOverlap, type Interval, IntervalSchema, MINUTE_MS } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  closeTracker,
  cutOpen,
  initialTracker,
  observeEvent,
  observeSample,
  type Sample,
  startTracker,
  type TrackerConfig,
  type TrackerState,
  takeClosed,
} from './idle.js';

const T0 = Date.UTC(2026, 2, 10, 8, 0, 0); // Tue 10 March 2026 08:00 UTC
const cfg: TrackerConfig = { idleThresholdMs: 5 * MINUTE_MS };

/** Drives the tracker like the service does: wall and monotonic clocks, samples every few seconds. */
class Harness {
  state: TrackerState;
  wall: number;
  mono = 1_000;
  idleSince: number;
  display: 'on' | 'off' = 'on';
  power: 'ac' | 'battery' = 'ac';
  out: Interval[] = [];

  constructor(
    start = T0,
    readonly config: TrackerConfig = cfg,
  ) {
    this.wall = start;
    this.idleSince = start;
    this.state = initialTracker(start);
    this.sample();
  }

  sample(extra: Partial<Sample> = {}): void {
    this.state = observeSample(
      this.state,
      {
        wallNow: this.wall,
        monotonicNow: this.mono,
        idleMs: this.wall - this.idleSince,
        display: this.display,
        power: this.power,
        ...extra,
      },
      this.config,
    );
  }

  /** advance awake time, sampling every `step` ms */
  run(ms: number, step = 5_000, inputEvery?: number): void {
    const end = this.wall + ms;
    while (this.wall < end) {
      const d = Math.min(step, end - this.wall);
      this.wall += d;
      this.mono += d;
      if (inputEvery !== undefined && (this.wall - this.idleSince) % inputEvery < d)
        this.idleSince = this.wall;
      this.sample();
    }
  }

  input(): void {
    this.idleSince = this.wall;
  }

  event(e: PowerEvent): void {
    this.state = observeEvent(this.state, e, this.config);
  }

  take(): Interval[] {
    const [closed, next] = takeClosed(this.state);
    this.state = next;
    this.out.push(...closed);
    return closed;
  }

  finish(): Interval[] {
    this.state = closeTracker(this.state, this.wall, this.config);
    this.take();
    return this.out;
  }
}

function check(intervals: Interval[]): void {
  expect(findOverlap(intervals)).toBeNull();
  for (const i of intervals) expect(IntervalSchema.safeParse(i).success).toBe(true);
  for (let k = 1; k < intervals.length; k++)
    expect(intervals[k]!.start).toBeGreaterThanOrEqual(intervals[k - 1]!.end);
}

const sum = (xs: Interval[], state: string) =>
  xs.filter((i) => i.state === state).reduce((a, i) => a + i.end - i.start, 0);

describe('idle state machine', () => {
  it('stays active while input keeps coming', () => {
    const h = new Harness();
    h.run(20 * MINUTE_MS, 5_000, 60_000);
    const out = h.finish();
    check(out);
    expect(out).toEqual([
      { start: T0, end: T0 + 20 * MINUTE_MS, state: 'active', display: 'on', power: 'ac' },
    ]);
  });

  it('does not count idle before the threshold is reached', () => {
    const h = new Harness();
    h.input();
    h.run(4 * MINUTE_MS + 55_000);
    expect(h.state.open?.state).toBe('active');
    expect(h.take()).toEqual([]);
  });

  it('backdates idle to the last input once the threshold is reached', () => {
    const h = new Harness();
    h.run(2 * MINUTE_MS, 5_000, 1_000); // active, input at every sample
    const lastInput = h.wall;
    h.run(12 * MINUTE_MS); // no input
    const out = h.finish();
    check(out);
    expect(out).toEqual([
      { start: T0, end: lastInput, state: 'active', display: 'on', power: 'ac' },
      { start: lastInput, end: lastInput + 12 * MINUTE_MS, state: 'idle', display: 'on', power: 'ac' },
    ]);
  });

  it('starts a new active interval at the input that ends idle', () => {
    const h = new Harness();
    h.run(10 * MINUTE_MS); // idle since T0
    h.wall += 2_000;
    h.mono += 2_000;
    h.input(); // input 3 s before the next sample
    h.run(3_000);
    h.run(MINUTE_MS, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out[0]).toMatchObject({ start: T0, end: T0 + 10 * MINUTE_MS + 2_000, state: 'idle' });
    expect(out[1]).toMatchObject({ start: T0 + 10 * MINUTE_MS + 2_000, state: 'active' });
  });

  it('uses a changed threshold from the policy', () => {
    const h = new Harness(T0, { idleThresholdMs: 60_000 });
    h.run(90_000);
    expect(h.state.open?.state).toBe('idle');
    expect(h.state.open?.start).toBe(T0);
  });

  it('counts unknown idle time as input (never idle without evidence)', () => {
    const h = new Harness();
    h.run(10 * MINUTE_MS);
    expect(h.state.open?.state).toBe('idle');
    h.wall += 5_000;
    h.mono += 5_000;
    h.sample({ idleMs: 'unknown' });
    expect(h.state.open?.state).toBe('active');
  });

  it('detects sleep from the wall clock jumping ahead of the monotonic clock', () => {
    const h = new Harness();
    h.run(MINUTE_MS, 5_000, 1_000);
    const before = h.wall;
    // 2 s awake after the last sample, then 40 minutes asleep: monotonic +2 s, wall +40 min
    h.mono += 2_000;
    h.wall += 40 * MINUTE_MS;
    h.input();
    h.sample();
    h.run(MINUTE_MS, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out.map((i) => i.state)).toEqual(['active', 'asleep', 'active']);
    expect(out[1]).toEqual({
      start: before + 2_000,
      end: before + 40 * MINUTE_MS,
      state: 'asleep',
      power: 'ac',
    });
  });

  it('ignores small clock differences below the tolerance', () => {
    const h = new Harness();
    h.run(MINUTE_MS, 5_000, 1_000);
    h.wall += 10_000; // timer late, both clocks moved: no sleep
    h.mono += 9_000;
    h.input();
    h.sample();
    expect(h.finish().map((i) => i.state)).toEqual(['active']);
  });

  it('detects sleep from suspend and resume events without counting the jump twice', () => {
    const h = new Harness();
    h.run(MINUTE_MS, 5_000, 1_000);
    const suspendAt = h.wall + 1_000;
    h.event({ type: 'suspend', at: suspendAt });
    h.wall += 30 * MINUTE_MS;
    h.mono += 1_000;
    h.event({ type: 'resume', at: h.wall });
    h.input();
    h.run(30_000, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out.map((i) => i.state)).toEqual(['active', 'asleep', 'active']);
    expect(out[1]).toMatchObject({ start: suspendAt, end: T0 + MINUTE_MS + 30 * MINUTE_MS });
  });

  it('ends an event-started sleep at the first sample when the resume event is missing or late', () => {
    const h = new Harness();
    h.run(MINUTE_MS, 5_000, 1_000);
    h.event({ type: 'suspend', at: h.wall });
    h.wall += 20 * MINUTE_MS;
    h.mono += 100;
    h.input();
    h.sample();
    h.event({ type: 'resume', at: h.wall - 1_000 }); // late: no effect
    h.run(10_000, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out.map((i) => i.state)).toEqual(['active', 'asleep', 'active']);
    expect(sum(out, 'asleep')).toBe(20 * MINUTE_MS);
  });

  it('counts the idle stretch before an OS idle sleep as idle', () => {
    const h = new Harness();
    h.input();
    h.run(4 * MINUTE_MS + 55_000); // still under the threshold at the last sample
    h.event({ type: 'suspend', at: T0 + 5 * MINUTE_MS + 1_000 });
    h.wall = T0 + 60 * MINUTE_MS;
    h.event({ type: 'resume', at: h.wall });
    const out = h.finish();
    check(out);
    expect(out[0]).toMatchObject({ start: T0, end: T0 + 5 * MINUTE_MS + 1_000, state: 'idle' });
    expect(out[1]).toMatchObject({ state: 'asleep' });
  });

  it('splits intervals at display and power source changes', () => {
    const h = new Harness();
    h.run(MINUTE_MS, 5_000, 1_000);
    h.event({ type: 'power-source', source: 'battery', at: h.wall + 500 });
    h.power = 'battery';
    h.run(MINUTE_MS, 5_000, 1_000);
    h.display = 'off'; // seen only by sampling
    h.run(MINUTE_MS, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out.map((i) => [i.state, i.display, i.power])).toEqual([
      ['active', 'on', 'ac'],
      ['active', 'on', 'battery'],
      ['active', 'off', 'battery'],
    ]);
    expect(out[0]!.end).toBe(T0 + MINUTE_MS + 500);
    expect(out[2]!.start).toBe(T0 + 2 * MINUTE_MS + 5_000);
  });

  it('keeps display changes inside an interval that is later backdated to idle', () => {
    const h = new Harness();
    h.run(3 * MINUTE_MS); // no input: pending active
    h.event({ type: 'display', state: 'off', at: h.wall });
    h.display = 'off';
    h.run(5 * MINUTE_MS);
    const out = h.finish();
    check(out);
    expect(out.map((i) => [i.state, i.display])).toEqual([
      ['idle', 'on'],
      ['idle', 'off'],
    ]);
    expect(out[0]).toMatchObject({ start: T0, end: T0 + 3 * MINUTE_MS });
  });

  it('splits intervals at UTC midnight', () => {
    const start = Date.UTC(2026, 2, 10, 23, 50);
    const h = new Harness(start);
    h.run(20 * MINUTE_MS, 5_000, 1_000);
    const out = h.finish();
    check(out);
    expect(out.map((i) => [i.start, i.end])).toEqual([
      [start, Date.UTC(2026, 2, 11)],
      [Date.UTC(2026, 2, 11), start + 20 * MINUTE_MS],
    ]);
  });

  it('emits the certain part of the open interval on a cut, and never overlaps afterwards', () => {
    const h = new Harness();
    h.run(2 * MINUTE_MS, 5_000, 1_000);
    h.run(MINUTE_MS); // pending: may become idle
    h.state = cutOpen(h.state, cfg);
    const first = h.take();
    expect(first).toEqual([
      { start: T0, end: T0 + 2 * MINUTE_MS, state: 'active', display: 'on', power: 'ac' },
    ]);
    h.run(10 * MINUTE_MS);
    h.state = cutOpen(h.state, cfg);
    const second = h.take();
    expect(second).toEqual([
      { start: T0 + 2 * MINUTE_MS, end: T0 + 13 * MINUTE_MS, state: 'idle', display: 'on', power: 'ac' },
    ]);
    h.run(MINUTE_MS);
    const out = h.finish();
    check(out);
    expect(sum(out, 'idle')).toBe(12 * MINUTE_MS);
  });

  it('never emits overlapping or negative intervals when the wall clock steps backwards', () => {
    const h = new Harness();
    h.run(3 * MINUTE_MS, 5_000, 1_000);
    h.state = cutOpen(h.state, cfg);
    h.take();
    h.wall -= 60 * MINUTE_MS; // NTP correction: an hour back
    h.mono += 5_000;
    h.input();
    h.sample();
    h.run(10 * MINUTE_MS, 5_000, 1_000);
    h.event({ type: 'suspend', at: h.wall - 30 * MINUTE_MS }); // stale event
    h.event({ type: 'resume', at: h.wall + 1 });
    h.wall += 70 * MINUTE_MS;
    h.mono += 5_000;
    h.sample();
    const out = h.finish();
    check(out);
    expect(out.every((i) => i.end > i.start)).toBe(true);
  });

  it('never overlaps under a random mix of samples, events, cuts and clock steps', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const h = new Harness();
    for (let k = 0; k < 3000; k++) {
      const r = rnd();
      if (r < 0.6) {
        const d = Math.floor(rnd() * 20_000);
        h.wall += d;
        h.mono += d;
        if (rnd() < 0.3) h.input();
        h.sample();
      } else if (r < 0.7) h.state = cutOpen(h.state, cfg);
      else if (r < 0.75) h.wall -= Math.floor(rnd() * 600_000);
      else if (r < 0.8) h.wall += Math.floor(rnd() * 3_600_000);
      else if (r < 0.85) h.event({ type: 'suspend', at: h.wall + Math.floor((rnd() - 0.5) * 60_000) });
      else if (r < 0.9) h.event({ type: 'resume', at: h.wall });
      else if (r < 0.95) {
        h.display = rnd() < 0.5 ? 'on' : 'off';
        h.event({ type: 'display', state: h.display, at: h.wall });
      } else h.take();
    }
    const out = h.finish();
    expect(out.length).toBeGreaterThan(10);
    check(out);
  });

  it('covers every moment exactly once while the clock only moves forward (random run)', () => {
    for (const seed0 of [1, 7, 99, 1234]) {
      let seed = seed0;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const h = new Harness();
      const first = h.wall;
      for (let k = 0; k < 2000; k++) {
        const r = rnd();
        if (r < 0.7) {
          const d = 1 + Math.floor(rnd() * 30_000);
          h.wall += d;
          h.mono += d;
          if (rnd() < 0.2) h.input();
          h.sample();
        } else if (r < 0.78) h.state = cutOpen(h.state, cfg);
        else if (r < 0.82) {
          // silent sleep: wall jumps, monotonic does not
          h.mono += 500;
          h.wall += 60_000 + Math.floor(rnd() * 3_600_000);
          h.sample();
        } else if (r < 0.86) {
          h.event({ type: 'suspend', at: h.wall });
          h.wall += Math.floor(rnd() * 3_600_000);
          h.event({ type: 'resume', at: h.wall });
        } else if (r < 0.92) {
          h.power = h.power === 'ac' ? 'battery' : 'ac';
          h.event({ type: 'power-source', source: h.power, at: h.wall });
        } else if (r < 0.96) {
          h.display = h.display === 'on' ? 'off' : 'on';
          h.event({ type: 'display', state: h.display, at: h.wall });
        } else h.take();
      }
      const out = h.finish();
      check(out);
      expect(out[0]!.start).toBe(first);
      expect(out[out.length - 1]!.end).toBe(h.wall);
      for (let k = 1; k < out.length; k++) expect(out[k]!.start).toBe(out[k - 1]!.end);
      expect(out.some((i) => i.state === 'idle')).toBe(true);
      expect(out.some((i) => i.state === 'asleep')).toBe(true);
    }
  });
});

describe('start and off inference', () => {
  const bootCfg: TrackerConfig = { idleThresholdMs: 5 * MINUTE_MS };

  function stoppedAt(moment: number): TrackerState {
    const h = new Harness(moment - 10 * MINUTE_MS);
    h.run(10 * MINUTE_MS, 5_000, 1_000);
    // killed: no graceful close, the open interval and last moment are what was persisted
    return h.state;
  }

  it('infers off from the last moment to the boot, and opens active from the boot', () => {
    const last = T0;
    const boot = T0 + 14 * 60 * MINUTE_MS;
    const now = boot + 40_000;
    let s = startTracker(stoppedAt(last), { now, bootWall: boot }, bootCfg);
    s = observeSample(
      s,
      { wallNow: now, monotonicNow: 1, idleMs: 1_000, display: 'on', power: 'ac' },
      bootCfg,
    );
    s = closeTracker(s, now + 5_000, bootCfg);
    const [out] = takeClosed(s);
    check(out);
    expect(out.map((i) => [i.state, i.start, i.end])).toEqual([
      ['active', last - 10 * MINUTE_MS, last],
      ['off', last, boot],
      ['active', boot, now + 5_000],
    ]);
  });

  it('counts the stretch from boot as idle when nobody has touched the device since boot', () => {
    const boot = T0 + 60 * MINUTE_MS;
    const now = boot + 8 * MINUTE_MS;
    let s = startTracker(stoppedAt(T0), { now, bootWall: boot }, bootCfg);
    s = observeSample(s, { wallNow: now, monotonicNow: 1, idleMs: 8 * MINUTE_MS }, bootCfg);
    expect(s.open).toEqual({ start: boot, state: 'idle' });
  });

  it('splits a long off stretch (a holiday) at each midnight', () => {
    const boot = T0 + 10 * DAY_MS;
    const s = startTracker(stoppedAt(T0), { now: boot + 1_000, bootWall: boot }, bootCfg);
    const [out] = takeClosed(s);
    check(out);
    const off = out.filter((i) => i.state === 'off');
    expect(off.length).toBe(11);
    expect(sum(out, 'off')).toBe(10 * DAY_MS);
  });

  it('leaves the stretch out when the agent starts long after the boot', () => {
    const boot = T0 + 60 * MINUTE_MS;
    const now = boot + 3 * 60 * MINUTE_MS;
    let s = startTracker(stoppedAt(T0), { now, bootWall: boot }, bootCfg);
    s = observeSample(s, { wallNow: now, monotonicNow: 1, idleMs: 0 }, bootCfg);
    s = closeTracker(s, now + 5_000, bootCfg);
    const [out] = takeClosed(s);
    check(out);
    expect(out.map((i) => i.state)).toEqual(['active', 'off', 'active']);
    expect(out[2]!.start).toBe(now);
  });

  it('continues the open interval after a quick restart in the same boot', () => {
    const persisted = stoppedAt(T0);
    const open = persisted.open;
    const s = startTracker(persisted, { now: T0 + 20_000, bootWall: T0 - 60 * MINUTE_MS }, bootCfg);
    expect(s.open).toEqual(open);
    expect(s.closed).toEqual(persisted.closed);
  });

  it('leaves no hole after a graceful stop and a quick restart (an upgrade)', () => {
    const stopped = closeTracker(stoppedAt(T0), T0, bootCfg);
    const [before, persisted] = takeClosed(stopped);
    let s = startTracker(persisted, { now: T0 + 20_000, bootWall: T0 - 60 * MINUTE_MS }, bootCfg);
    s = observeSample(s, { wallNow: T0 + 20_000, monotonicNow: 1, idleMs: 0 }, bootCfg);
    const [after] = takeClosed(closeTracker(s, T0 + 60_000, bootCfg));
    check([...before, ...after]);
    expect(before[before.length - 1]!.end).toBe(T0);
    expect(after[0]).toMatchObject({ start: T0, end: T0 + 60_000, state: 'active' });
  });

  it('leaves a long gap in the same boot out instead of guessing', () => {
    const s0 = startTracker(
      stoppedAt(T0),
      { now: T0 + 60 * MINUTE_MS, bootWall: T0 - 60 * MINUTE_MS },
      bootCfg,
    );
    expect(s0.open).toBeNull();
    const s = observeSample(s0, { wallNow: T0 + 60 * MINUTE_MS, monotonicNow: 1, idleMs: 0 }, bootCfg);
    const [out] = takeClosed(closeTracker(s, T0 + 61 * MINUTE_MS, bootCfg));
    check(out);
    expect(out.map((i) => [i.state, i.start])).toEqual([
      ['active', T0 - 10 * MINUTE_MS],
      ['active', T0 + 60 * MINUTE_MS],
    ]);
  });

  it('a fresh install starts measuring at the first sample', () => {
    const s = startTracker(null, { now: T0, bootWall: T0 - DAY_MS }, bootCfg);
    expect(s.open).toBeNull();
    expect(takeClosed(s)[0]).toEqual([]);
  });

  it('persisted state survives a JSON round trip', () => {
    const s = stoppedAt(T0);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
