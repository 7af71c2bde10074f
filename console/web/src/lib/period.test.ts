import { describe, expect, it } from 'vitest';
import { customPeriod, daysOf, localMidnight, periodFor } from './period.js';

describe('periods in the school time zone', () => {
  // Wednesday 5 March 2026, 10:00 in Amsterdam (09:00 UTC)
  const now = Date.UTC(2026, 2, 5, 9, 0);

  it('finds local midnight, also across a DST switch', () => {
    expect(new Date(localMidnight('2026-03-02')).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(new Date(localMidnight('2026-07-01')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('starts this week on Monday at local midnight and ends now', () => {
    const p = periodFor('thisWeek', now);
    expect(new Date(p.from).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(p.to).toBe(now);
  });

  it('takes last month as whole local days', () => {
    const p = periodFor('lastMonth', now);
    expect(new Date(p.from).toISOString()).toBe('2026-01-31T23:00:00.000Z');
    expect(new Date(p.to).toISOString()).toBe('2026-02-28T23:00:00.000Z');
  });

  it('starts the school year on 1 August, the previous year before August', () => {
    expect(new Date(periodFor('schoolYear', now).from).toISOString()).toBe('2025-07-31T22:00:00.000Z');
    expect(new Date(periodFor('schoolYear', Date.UTC(2026, 8, 1)).from).toISOString()).toBe(
      '2026-07-31T22:00:00.000Z',
    );
  });

  it('makes a custom period inclusive of its last day, capped at now', () => {
    const p = customPeriod('2026-03-01', '2026-03-02', now);
    expect(new Date(p.to).toISOString()).toBe('2026-03-02T23:00:00.000Z');
    expect(customPeriod('2026-03-04', '2026-03-09', now).to).toBe(now);
  });

  it('lists every local day once, including the 23-hour day in March', () => {
    const p = { from: localMidnight('2026-03-28'), to: localMidnight('2026-03-31') };
    expect(daysOf(p)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
  });
});
