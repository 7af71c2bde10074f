import { describe, expect, it } from 'vitest';
import {
  absorbShort,
  clipInterval,
  findOverlap,
  type Interval,
  IntervalSchema,
  joinTouching,
  MAX_INTERVAL_MS,
  mergeAdjacent,
  splitByHour,
} from './intervals.js';
import { HOUR_MS } from './time.js';

const t0 = Date.parse('2026-03-02T10:00:00Z');

describe('splitByHour', () => {
  it('gives exactly one bucket for an interval inside a single hour', () => {
    expect(splitByHour(t0 + 60_000, t0 + 120_000)).toEqual([{ hour: t0, ms: 60_000 }]);
  });

  it('gives nothing for a zero-length interval', () => {
    expect(splitByHour(t0, t0)).toEqual([]);
  });

  it('splits on whole UTC hours and the parts add up', () => {
    const slices = splitByHour(t0 + 40 * 60_000, t0 + 3 * HOUR_MS + 5 * 60_000);
    expect(slices.map((s) => s.hour)).toEqual([t0, t0 + HOUR_MS, t0 + 2 * HOUR_MS, t0 + 3 * HOUR_MS]);
    expect(slices.reduce((s, x) => s + x.ms, 0)).toBe(2 * HOUR_MS + 25 * 60_000);
  });

  it('does not produce an empty bucket when the interval ends on the hour', () => {
    expect(splitByHour(t0 + 30 * 60_000, t0 + HOUR_MS)).toEqual([{ hour: t0, ms: 30 * 60_000 }]);
  });
});

describe('clipInterval', () => {
  const iv = { start: t0, end: t0 + HOUR_MS, state: 'idle' as const };
  it('cuts an interval to the range', () => {
    expect(clipInterval(iv, { from: t0 + 1000, to: t0 + 2000 })).toMatchObject({
      start: t0 + 1000,
      end: t0 + 2000,
    });
  });
  it('returns null when nothing is left', () => {
    expect(clipInterval(iv, { from: t0 + HOUR_MS, to: t0 + 2 * HOUR_MS })).toBeNull();
  });
});

describe('IntervalSchema', () => {
  it('accepts a well-formed interval', () => {
    expect(
      IntervalSchema.safeParse({ start: t0, end: t0 + 1, state: 'active', display: 'on', power: 'ac' })
        .success,
    ).toBe(true);
  });
  it.each([
    ['end before start', { start: t0, end: t0 - 1, state: 'idle' }],
    ['zero length', { start: t0, end: t0, state: 'idle' }],
    ['unknown state', { start: t0, end: t0 + 1, state: 'dozing' }],
    ['fractional ms', { start: t0 + 0.5, end: t0 + 1, state: 'idle' }],
    ['a date before 2000', { start: 0, end: 1000, state: 'idle' }],
    ['a string timestamp', { start: String(t0), end: t0 + 1, state: 'idle' }],
    ['an interval of a year', { start: t0, end: t0 + 365 * 24 * HOUR_MS, state: 'off' }],
  ])('rejects %s', (_name, value) => {
    expect(IntervalSchema.safeParse(value).success).toBe(false);
  });
});

describe('findOverlap and mergeAdjacent', () => {
  it('treats touching intervals as not overlapping', () => {
    expect(
      findOverlap([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBeNull();
  });
  it('finds an overlap regardless of order', () => {
    expect(
      findOverlap([
        { start: 15, end: 30 },
        { start: 0, end: 20 },
      ]),
    ).not.toBeNull();
  });
  it('joins touching intervals of the same kind only', () => {
    const merged = mergeAdjacent([
      { start: t0, end: t0 + 10, state: 'idle', display: 'on' },
      { start: t0 + 10, end: t0 + 20, state: 'idle', display: 'on' },
      { start: t0 + 20, end: t0 + 30, state: 'idle', display: 'off' },
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ start: t0, end: t0 + 20 });
  });
});

describe('joinTouching', () => {
  const a: Interval = { start: t0, end: t0 + 1000, state: 'idle' };
  it('returns the same list when nothing touches', () => {
    const list = [a, { start: t0 + 2000, end: t0 + 3000, state: 'idle' as const }];
    expect(joinTouching(list)).toBe(list);
  });
  it('joins runs of touching same-kind intervals and keeps other kinds apart', () => {
    expect(
      joinTouching([
        a,
        { start: t0 + 1000, end: t0 + 2000, state: 'idle' },
        { start: t0 + 2000, end: t0 + 3000, state: 'idle' },
        { start: t0 + 3000, end: t0 + 4000, state: 'active' },
        { start: t0 + 4000, end: t0 + 5000, state: 'active', power: 'ac' },
      ]),
    ).toEqual([
      { start: t0, end: t0 + 3000, state: 'idle' },
      { start: t0 + 3000, end: t0 + 4000, state: 'active' },
      { start: t0 + 4000, end: t0 + 5000, state: 'active', power: 'ac' },
    ]);
  });
  it('never joins beyond the longest interval allowed', () => {
    const long: Interval = { start: t0, end: t0 + MAX_INTERVAL_MS, state: 'off' };
    const next: Interval = { start: long.end, end: long.end + 1000, state: 'off' };
    expect(joinTouching([long, next])).toEqual([long, next]);
  });
});

describe('absorbShort', () => {
  it('leaves a list of whole seconds alone', () => {
    const list: Interval[] = [{ start: t0, end: t0 + 1000, state: 'idle' }];
    expect(absorbShort(list, 1000)).toEqual({ intervals: list });
  });
  it('gives a short piece to the interval before it, or else to the one after it, losing no time', () => {
    const out = absorbShort(
      [
        { start: t0, end: t0 + 300, state: 'active' },
        { start: t0 + 300, end: t0 + 5000, state: 'asleep' },
        { start: t0 + 5000, end: t0 + 5400, state: 'active' },
      ],
      1000,
    );
    expect(out).toEqual({ intervals: [{ start: t0, end: t0 + 5400, state: 'asleep' }] });
  });
  it('gives leading short pieces to the stored interval the list continues', () => {
    const before: Interval = { start: t0 - 60_000, end: t0, state: 'idle' };
    const out = absorbShort(
      [
        { start: t0, end: t0 + 200, state: 'active' },
        { start: t0 + 200, end: t0 + 400, state: 'idle' },
        { start: t0 + 400, end: t0 + 2000, state: 'active' },
      ],
      1000,
      before,
    );
    expect(out).toEqual({
      intervals: [{ start: t0 + 400, end: t0 + 2000, state: 'active' }],
      extendBefore: t0 + 400,
    });
  });
  it('collapses a flood of one-millisecond pieces into whole seconds and drops a lone piece', () => {
    const flood: Interval[] = Array.from({ length: 2500 }, (_, i) => ({
      start: t0 + i,
      end: t0 + i + 1,
      state: i % 2 ? 'active' : 'idle',
    }));
    const out = absorbShort(flood, 1000).intervals;
    expect(out.length).toBeLessThanOrEqual(3);
    expect(out.reduce((n, i) => n + i.end - i.start, 0)).toBe(2500);
    expect(absorbShort([{ start: t0, end: t0 + 1, state: 'idle' }], 1000).intervals).toEqual([]);
  });
});
