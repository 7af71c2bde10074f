import { describe, expect, it } from 'vitest';
import { percentile } from '../fleet/util.js';
import { addDays, localDateOf, localDay, localDaysBetween, zoneOffsetMs } from './calendar.js';
import { createRng, hashSeed } from './rng.js';

describe('calendar maths in Europe/Amsterdam', () => {
  const tz = 'Europe/Amsterdam';

  it('knows the offset in winter and in summer', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15, 12), tz)).toBe(3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15, 12), tz)).toBe(7_200_000);
  });

  it('turns local clock times into instants on days with a DST switch', () => {
    const spring = localDay('2026-03-29', tz);
    expect(spring.at(12 * 60)).toBe(Date.UTC(2026, 2, 29, 10));
    expect(spring.midnight).toBe(Date.UTC(2026, 2, 28, 23));
    const autumn = localDay('2026-10-25', tz);
    expect(autumn.at(12 * 60)).toBe(Date.UTC(2026, 9, 25, 11));
    expect(autumn.midnight).toBe(Date.UTC(2026, 9, 24, 22));
    expect(autumn.weekday).toBe(6); // Sunday
    expect(localDay('2026-11-02', tz).weekday).toBe(0); // Monday
  });

  it('gives local dates of instants and walks days across month ends', () => {
    expect(localDateOf(Date.UTC(2026, 10, 1, 23, 30), tz)).toBe('2026-11-02');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(
      localDaysBetween(Date.UTC(2026, 10, 1, 23, 30), Date.UTC(2026, 10, 4, 12), tz).map((d) => d.date),
    ).toEqual(['2026-11-02', '2026-11-03', '2026-11-04']);
  });
});

describe('seeded random numbers', () => {
  it('repeat for the same seed and differ for another', () => {
    const a = createRng(hashSeed('school', 1));
    const b = createRng(hashSeed('school', 1));
    const c = createRng(hashSeed('school', 2));
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('pick by weight roughly in proportion', () => {
    const rng = createRng(7);
    let yes = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        rng.weighted([
          ['y', 3],
          ['n', 1],
        ] as const) === 'y'
      )
        yes++;
    expect(yes / 10_000).toBeGreaterThan(0.72);
    expect(yes / 10_000).toBeLessThan(0.78);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});
