import { describe, expect, it } from 'vitest';
import { EffectivePolicySchema, isDayOff, MAX_DAYS_OFF } from '../policy.js';
import { daysOffFor } from './days-off.js';
import { dutchSchoolCalendar } from './dutch-holidays.js';
import type { SchoolCalendar } from './school-calendar.js';

const calendar: SchoolCalendar = {
  timeZone: 'Europe/Amsterdam',
  schoolHours: { mon: { start: '08:30', end: '15:00' } },
  vacations: [
    { name: 'Zomervakantie', start: '2026-07-18', end: '2026-08-30' },
    { name: 'Herfstvakantie', start: '2026-10-17', end: '2026-10-25' },
    { name: 'Herfstvakantie', start: '2028-10-14', end: '2028-10-22' },
  ],
  holidays: [{ date: '2026-04-27', name: 'Koningsdag' }],
  studyDays: [{ date: '2026-11-12', name: 'Studiedag' }],
};

describe('daysOffFor', () => {
  it('sends the vacations, holidays and study days of the current and next school year, earliest first', () => {
    expect(daysOffFor(calendar, '2026-12-03')).toEqual([
      // the summer vacation reaches into this school year: sent, so its last days are known
      { kind: 'vacation', start: '2026-07-18', end: '2026-08-30' },
      { kind: 'vacation', start: '2026-10-17', end: '2026-10-25' },
      { kind: 'study_day', start: '2026-11-12', end: '2026-11-12' },
    ]);
  });

  it('keeps the same list all school year, so the policy etag does not change every day', () => {
    expect(daysOffFor(calendar, '2026-08-01')).toEqual(daysOffFor(calendar, '2027-07-31'));
    // from 1 August 2027 the 2028 autumn vacation is in the next school year
    expect(daysOffFor(calendar, '2027-08-01').map((d) => d.start)).toEqual(['2028-10-14']);
  });

  it('fits the protocol limit for two shipped school years of a Dutch school', () => {
    const days = daysOffFor(dutchSchoolCalendar('midden'), '2026-12-03');
    expect(days.length).toBeGreaterThan(10);
    expect(days.length).toBeLessThanOrEqual(MAX_DAYS_OFF);
    const parsed = EffectivePolicySchema.safeParse({ auditOnly: false, daysOff: days });
    expect(parsed.success).toBe(true);
    expect(isDayOff(days, '2026-12-28')).toBe(true);
    expect(isDayOff(days, '2026-12-03')).toBe(false);
  });

  it('is refused by the schema when a range runs backwards or there are too many', () => {
    const bad = { daysOff: [{ kind: 'vacation', start: '2026-10-25', end: '2026-10-17' }] };
    expect(EffectivePolicySchema.safeParse(bad).success).toBe(false);
    const many = Array.from({ length: MAX_DAYS_OFF + 1 }, () => ({
      kind: 'holiday',
      start: '2026-04-27',
      end: '2026-04-27',
    }));
    expect(EffectivePolicySchema.safeParse({ daysOff: many }).success).toBe(false);
  });
});
