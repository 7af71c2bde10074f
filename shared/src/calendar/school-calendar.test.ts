import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../time.js';
import { dutchSchoolCalendar, dutchSchoolHolidays, dutchVacations, easterSunday } from './dutch-holidays.js';
import {
  compileCalendar,
  countDayTypes,
  daysBetween,
  dayTypeAt,
  dayTypeOf,
  isInSchoolHours,
  isSchoolDay,
  isStudyDay,
  isVacation,
  SchoolCalendarSchema,
  weekdayOfDate,
  zonedTimeToUtc,
} from './school-calendar.js';

// a primary school's own week, Monday to Friday 08:30–15:00 (the default is 08:00–17:00)
const primaryWeek = { start: '08:30', end: '15:00' };
const midden = dutchSchoolCalendar('midden', {
  schoolHours: { mon: primaryWeek, tue: primaryWeek, wed: primaryWeek, thu: primaryWeek, fri: primaryWeek },
  studyDays: [{ date: '2027-11-17', name: 'Studiedag' }],
});

describe('school calendar day types', () => {
  it('calls a weekday with school hours outside any vacation a school day', () => {
    expect(dayTypeOf(midden, '2027-11-16')).toBe('school_day');
  });

  it('calls Saturday and Sunday weekend, and a weekday without school hours too', () => {
    expect(dayTypeOf(midden, '2027-11-13')).toBe('weekend');
    expect(dayTypeOf(midden, '2027-11-14')).toBe('weekend');
    const noWednesday = { ...midden, schoolHours: { mon: { start: '08:30', end: '15:00' } } };
    expect(dayTypeOf(noWednesday, '2027-11-17')).toBe('weekend');
  });

  it('calls a study day a study day', () => {
    expect(dayTypeOf(midden, '2027-11-17')).toBe('study_day');
    expect(isStudyDay(midden, Date.parse('2027-11-17T10:00:00Z'))).toBe(true);
  });

  it('calls every day of a vacation week vacation, its weekend included', () => {
    // herfstvakantie midden 2027-2028: 16–24 October
    for (const d of ['2027-10-16', '2027-10-18', '2027-10-22', '2027-10-24'])
      expect(dayTypeOf(midden, d)).toBe('vacation');
    expect(dayTypeOf(midden, '2027-10-25')).toBe('school_day');
    expect(dayTypeOf(dutchSchoolCalendar('zuid'), '2027-10-18')).toBe('school_day');
  });

  it('calls Tweede Pinksterdag a holiday and Koningsdag inside the meivakantie vacation', () => {
    expect(dayTypeOf(midden, '2028-06-05')).toBe('holiday');
    expect(dayTypeOf(midden, '2027-04-27')).toBe('vacation');
  });

  it('answers questions about a moment in the school time zone, not in UTC', () => {
    // 23:30 UTC on Friday 19 Nov 2027 is already Saturday in Amsterdam
    const lateFriday = Date.parse('2027-11-19T23:30:00Z');
    expect(dayTypeAt(midden, lateFriday)).toBe('weekend');
    expect(isSchoolDay(midden, lateFriday)).toBe(false);
    expect(isVacation(midden, Date.parse('2027-10-20T12:00:00Z'))).toBe(true);
  });

  it('knows school hours in local time in winter and in summer', () => {
    // 08:30 local is 07:30 UTC in winter (CET) and 06:30 UTC in summer (CEST)
    expect(isInSchoolHours(midden, Date.parse('2027-11-16T07:29:00Z'))).toBe(false);
    expect(isInSchoolHours(midden, Date.parse('2027-11-16T07:30:00Z'))).toBe(true);
    expect(isInSchoolHours(midden, Date.parse('2027-11-16T13:59:00Z'))).toBe(true);
    expect(isInSchoolHours(midden, Date.parse('2027-11-16T14:00:00Z'))).toBe(false);
    expect(isInSchoolHours(midden, Date.parse('2028-06-06T06:30:00Z'))).toBe(true);
    expect(isInSchoolHours(midden, Date.parse('2028-06-06T06:29:00Z'))).toBe(false);
  });

  it('has no school hours on a vacation, holiday or study day', () => {
    expect(isInSchoolHours(midden, Date.parse('2027-10-20T10:00:00Z'))).toBe(false);
    expect(isInSchoolHours(midden, Date.parse('2028-06-05T10:00:00Z'))).toBe(false);
    expect(isInSchoolHours(midden, Date.parse('2027-11-17T10:00:00Z'))).toBe(false);
  });
});

describe('school calendar around the DST switches', () => {
  const cal = compileCalendar(midden);

  it('gives the day the clocks go forward 23 hours and the day they go back 25', () => {
    const spring = cal.day('2028-03-26');
    expect(spring.end - spring.start).toBe(23 * HOUR_MS);
    expect(spring.start).toBe(Date.parse('2028-03-25T23:00:00Z'));
    const autumn = cal.day('2027-10-31');
    expect(autumn.end - autumn.start).toBe(25 * HOUR_MS);
    expect(autumn.start).toBe(Date.parse('2027-10-30T22:00:00Z'));
  });

  it('puts Monday school hours after a switch at the new offset', () => {
    const mon = cal.day('2028-03-27');
    expect(mon.type).toBe('school_day');
    expect(mon.school).toEqual({
      start: Date.parse('2028-03-27T06:30:00Z'),
      end: Date.parse('2028-03-27T13:00:00Z'),
    });
    const monAutumn = cal.day('2027-11-01');
    expect(monAutumn.school?.start).toBe(Date.parse('2027-11-01T07:30:00Z'));
  });

  it('finds the local day of instants just before and after local midnight on switch days', () => {
    expect(cal.dayAt(Date.parse('2028-03-25T22:59:59Z')).date).toBe('2028-03-25');
    expect(cal.dayAt(Date.parse('2028-03-25T23:00:00Z')).date).toBe('2028-03-26');
    expect(cal.dayAt(Date.parse('2028-03-26T21:59:59Z')).date).toBe('2028-03-26');
    expect(cal.dayAt(Date.parse('2028-03-26T22:00:00Z')).date).toBe('2028-03-27');
    expect(cal.dayAt(Date.parse('2027-10-31T22:59:59Z')).date).toBe('2027-10-31');
    expect(cal.dayAt(Date.parse('2027-10-31T23:00:00Z')).date).toBe('2027-11-01');
  });

  it('turns a wall-clock time into the right instant in both halves of the year', () => {
    expect(zonedTimeToUtc('2028-01-10', 8 * 60, 'Europe/Amsterdam')).toBe(Date.parse('2028-01-10T07:00:00Z'));
    expect(zonedTimeToUtc('2028-07-10', 8 * 60, 'Europe/Amsterdam')).toBe(Date.parse('2028-07-10T06:00:00Z'));
    expect(zonedTimeToUtc('2028-07-10', 8 * 60, 'UTC')).toBe(Date.parse('2028-07-10T08:00:00Z'));
  });

  it('lists the local days overlapping a span in order', () => {
    const days = cal.daysBetween(Date.parse('2028-03-24T12:00:00Z'), Date.parse('2028-03-27T00:00:00Z'));
    expect(days.map((d) => d.date)).toEqual(['2028-03-24', '2028-03-25', '2028-03-26', '2028-03-27']);
  });
});

describe('shipped Dutch holidays', () => {
  it('computes Easter for the shipped years', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2028)).toBe('2028-04-16');
  });

  it('closes schools on Bevrijdingsdag only in lustrum years', () => {
    expect(dutchSchoolHolidays(2029).some((d) => d.name === 'Bevrijdingsdag')).toBe(true);
    expect(dutchSchoolHolidays(2027).some((d) => d.name === 'Bevrijdingsdag')).toBe(false);
  });

  it('moves Koningsdag to Saturday when 27 April is a Sunday', () => {
    // 27 April 2025 was a Sunday
    expect(dutchSchoolHolidays(2024).find((d) => d.name === 'Koningsdag')?.date).toBe('2025-04-26');
  });

  it('leaves out Goede Vrijdag and the Friday after Hemelvaart when customary days are off', () => {
    const names = dutchSchoolHolidays(2027, { customary: false }).map((d) => d.name);
    expect(names).not.toContain('Goede Vrijdag');
    expect(names).not.toContain('Vrijdag na Hemelvaart');
    expect(names).toContain('Hemelvaartsdag');
  });

  it('marks the 2026-2027 dates indicative and the checked 2027-2028 dates not', () => {
    expect(dutchVacations('noord', '2026-2027').every((v) => v.indicative === true)).toBe(true);
    expect(dutchVacations('noord', '2027-2028').some((v) => v.indicative)).toBe(false);
  });

  it('ships vacations that run Saturday to Sunday with the usual lengths', () => {
    const lengths: Record<string, number> = {
      Herfstvakantie: 9,
      Kerstvakantie: 16,
      Voorjaarsvakantie: 9,
      Meivakantie: 9,
      Zomervakantie: 44,
    };
    for (const region of ['noord', 'midden', 'zuid'] as const) {
      for (const year of ['2026-2027', '2027-2028'] as const) {
        for (const v of dutchVacations(region, year)) {
          expect(weekdayOfDate(v.start), `${region} ${year} ${v.name} start`).toBe(5);
          expect(weekdayOfDate(v.end), `${region} ${year} ${v.name} end`).toBe(6);
          expect(daysBetween(v.start, v.end) + 1, `${region} ${year} ${v.name}`).toBe(lengths[v.name]);
        }
      }
    }
  });

  it('keeps the checked 2027-2028 dates of the published overview', () => {
    const zomer = (r: 'noord' | 'midden' | 'zuid') =>
      dutchVacations(r, '2027-2028').find((v) => v.name === 'Zomervakantie');
    expect(zomer('noord')).toMatchObject({ start: '2028-07-15', end: '2028-08-27' });
    expect(zomer('midden')).toMatchObject({ start: '2028-07-08', end: '2028-08-20' });
    expect(zomer('zuid')).toMatchObject({ start: '2028-07-22', end: '2028-09-03' });
    const herfstZuid = dutchVacations('zuid', '2027-2028').find((v) => v.name === 'Herfstvakantie');
    expect(herfstZuid).toMatchObject({ start: '2027-10-23', end: '2027-10-31' });
  });

  it('builds calendars that pass the calendar schema', () => {
    for (const r of ['noord', 'midden', 'zuid'] as const) {
      expect(SchoolCalendarSchema.safeParse(dutchSchoolCalendar(r)).success).toBe(true);
    }
  });

  it('counts a plausible number of school days in the verified school year', () => {
    const counts = countDayTypes(
      dutchSchoolCalendar('midden', { schoolYears: ['2027-2028'] }),
      '2027-08-01',
      '2028-07-31',
    );
    // the binding summer starts 8 July 2028; the 2027 summer is not in this calendar
    expect(counts.school_day).toBeGreaterThan(185);
    expect(counts.school_day).toBeLessThan(215);
  });
});

describe('school calendar validation', () => {
  it('refuses an unknown time zone, unknown fields and impossible dates', () => {
    const base = { schoolHours: {}, vacations: [], holidays: [], studyDays: [] };
    expect(SchoolCalendarSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(SchoolCalendarSchema.safeParse({ ...base, colour: 'red' }).success).toBe(false);
    expect(
      SchoolCalendarSchema.safeParse({ ...base, holidays: [{ date: '2027-02-30', name: 'x' }] }).success,
    ).toBe(false);
    expect(
      SchoolCalendarSchema.safeParse({
        ...base,
        vacations: [{ name: 'x', start: '2027-03-02', end: '2027-03-01' }],
      }).success,
    ).toBe(false);
    expect(SchoolCalendarSchema.parse(base).timeZone).toBe('Europe/Amsterdam');
  });
});
