import type { Interval } from '@sluimer/shared';
import { findOverlap } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { appliedOffset, correctIntervals, estimateOffset, holdOffset } from './clock-offset.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 10, 2, 8, 0);

describe('estimateOffset', () => {
  it('uses the middle of the hello→welcome round trip', () => {
    // device 3 h fast; hello at local T, welcome at local T+400 ms, console stamped at the middle
    expect(estimateOffset(T - 3 * HOUR + 200, T + 400, T)).toBe(-3 * HOUR);
    // device 3 h slow
    expect(estimateOffset(T + 3 * HOUR + 200, T + 400, T)).toBe(3 * HOUR);
  });
  it('falls back to the arrival time without a hello time or when the clock stepped back in between', () => {
    expect(estimateOffset(T + 5_000, T)).toBe(5_000);
    expect(estimateOffset(T + 5_000, T, null)).toBe(5_000);
    expect(estimateOffset(T + 5_000, T, T + HOUR)).toBe(5_000);
  });
});

describe('holdOffset', () => {
  it('keeps the held offset for changes under the hold and takes larger ones (both directions)', () => {
    expect(holdOffset(null, 1234)).toBe(1234);
    expect(holdOffset(-3 * HOUR, -3 * HOUR + 4_999)).toBe(-3 * HOUR);
    expect(holdOffset(-3 * HOUR, -3 * HOUR - 4_999)).toBe(-3 * HOUR);
    expect(holdOffset(-3 * HOUR, -3 * HOUR + 5_000)).toBe(-3 * HOUR + 5_000);
    expect(holdOffset(-3 * HOUR, 0)).toBe(0);
    expect(holdOffset(0, 3 * HOUR)).toBe(3 * HOUR);
  });
});

describe('appliedOffset', () => {
  it('applies only offsets beyond the threshold', () => {
    expect(appliedOffset(null)).toBe(0);
    expect(appliedOffset(60_000)).toBe(0);
    expect(appliedOffset(-60_000)).toBe(0);
    expect(appliedOffset(60_001)).toBe(60_001);
    expect(appliedOffset(-3 * HOUR)).toBe(-3 * HOUR);
    expect(appliedOffset(30_000, 10_000)).toBe(30_000);
    expect(appliedOffset(Number.NaN)).toBe(0);
  });
});

const iv = (start: number, end: number, state: Interval['state'] = 'active'): Interval => ({
  start,
  end,
  state,
});

describe('correctIntervals', () => {
  it('shifts by the offset and moves the floor to the corrected end', () => {
    const r = correctIntervals([iv(T, T + MIN), iv(T + MIN, T + 2 * MIN, 'idle')], -3 * HOUR, 0);
    expect(r.intervals).toEqual([
      iv(T - 3 * HOUR, T - 3 * HOUR + MIN),
      iv(T - 3 * HOUR + MIN, T - 3 * HOUR + 2 * MIN, 'idle'),
    ]);
    expect(r.floor).toBe(T - 3 * HOUR + 2 * MIN);
    expect(r.skipped).toBe(0);
    expect(r.clipped).toBe(0);
  });

  it('keeps display/power attributes', () => {
    const r = correctIntervals(
      [{ start: T, end: T + MIN, state: 'idle', display: 'off', power: 'battery' }],
      HOUR,
      0,
    );
    expect(r.intervals).toEqual([
      { start: T + HOUR, end: T + HOUR + MIN, state: 'idle', display: 'off', power: 'battery' },
    ]);
  });

  it('an offset that grows (clock got slower than the console, or fixed after being fast): the next report starts later, a gap, no overlap', () => {
    const a = correctIntervals([iv(T, T + MIN)], -3 * HOUR, 0);
    const b = correctIntervals([iv(T + MIN, T + 2 * MIN)], 0, a.floor);
    expect(b.intervals).toEqual([iv(T + MIN, T + 2 * MIN)]);
    expect(findOverlap([...a.intervals, ...b.intervals])).toBeNull();
  });

  it('an offset that shrinks: what would land before the previous report is clipped, or skipped entirely', () => {
    const a = correctIntervals([iv(T, T + 10 * MIN)], 0, 0);
    // the next welcome says the device is 5 min fast: shift −5 min
    const b = correctIntervals(
      [iv(T + 10 * MIN, T + 12 * MIN), iv(T + 12 * MIN, T + 20 * MIN, 'idle')],
      -5 * MIN,
      a.floor,
    );
    expect(b.skipped).toBe(1); // [T+5, T+7) lies wholly before the floor T+10
    expect(b.clipped).toBe(1); // [T+7, T+15) starts at the floor instead
    expect(b.intervals).toEqual([iv(T + 10 * MIN, T + 15 * MIN, 'idle')]);
    expect(b.floor).toBe(T + 15 * MIN);
    expect(findOverlap([...a.intervals, ...b.intervals])).toBeNull();
    // a report wholly before the floor gives nothing and leaves the floor where it was
    const c = correctIntervals([iv(T + 20 * MIN, T + 24 * MIN)], -HOUR, b.floor);
    expect(c.intervals).toEqual([]);
    expect(c.skipped).toBe(1);
    expect(c.floor).toBe(b.floor);
  });

  it('with no shift and intervals after the floor, changes nothing', () => {
    const list = [iv(T, T + MIN), iv(T + MIN, T + 3 * MIN, 'asleep')];
    const r = correctIntervals(list, 0, T);
    expect(r.intervals).toEqual(list);
    expect(r.floor).toBe(T + 3 * MIN);
  });
});
