import { describe, expect, it } from 'vitest';
import { dutchSchoolCalendar } from '../calendar/dutch-holidays.js';
import type { CalendarDayType } from '../calendar/school-calendar.js';
import { totalWatts } from '../energy.js';
import { compareBeforeAfter, type DeviceDayWaste, wastePerDeviceDay } from './before-after.js';

const day = (
  deviceId: number,
  date: string,
  dayType: CalendarDayType,
  wasteKwh: number,
  hasData?: boolean,
): DeviceDayWaste =>
  hasData === undefined
    ? { deviceId, date, dayType, wasteKwh }
    : { deviceId, date, dayType, wasteKwh, hasData };

/** `n` devices × the given dates, each with the same waste */
function fleet(n: number, dates: string[], dayType: CalendarDayType, kwh: number): DeviceDayWaste[] {
  return dates.flatMap((date) => Array.from({ length: n }, (_, i) => day(i + 1, date, dayType, kwh)));
}

const SCHOOL_BEFORE = ['2027-11-08', '2027-11-09', '2027-11-10', '2027-11-11', '2027-11-12'];
const SCHOOL_AFTER = ['2027-11-16', '2027-11-17', '2027-11-18', '2027-11-19', '2027-11-22'];

describe('before/after comparison', () => {
  it('compares school days with school days, per device-day, and names the reduction', () => {
    const r = compareBeforeAfter({
      changedOn: '2027-11-15',
      days: [...fleet(4, SCHOOL_BEFORE, 'school_day', 0.5), ...fleet(4, SCHOOL_AFTER, 'school_day', 0.2)],
    });
    expect(r.dayType).toBe('school_day');
    expect(r.before).toEqual({
      deviceDays: 20,
      wasteKwh: expect.closeTo(10, 9),
      wasteKwhPerDeviceDay: expect.closeTo(0.5, 12),
    });
    expect(r.after.wasteKwhPerDeviceDay).toBeCloseTo(0.2, 12);
    expect(r.reductionPct).toBeCloseTo(60, 9);
    expect(r.confidence).toBe('enough');
    expect(r.note).toBeUndefined();
  });

  it('never mixes vacation or weekend days into the school-day figures', () => {
    const r = compareBeforeAfter({
      changedOn: '2027-11-15',
      days: [
        ...fleet(4, SCHOOL_BEFORE, 'school_day', 0.5),
        // a vacation week after the change with very low waste must not flatter the result
        ...fleet(4, ['2027-12-27', '2027-12-28', '2027-12-29'], 'vacation', 0.01),
        ...fleet(4, ['2027-11-13', '2027-11-14'], 'weekend', 2),
        ...fleet(4, SCHOOL_AFTER, 'school_day', 0.4),
      ],
      dayTypes: ['school_day', 'vacation', 'weekend'],
    });
    expect(r.before.deviceDays).toBe(20);
    expect(r.after.deviceDays).toBe(20);
    expect(r.reductionPct).toBeCloseTo(20, 9);
    const vacation = r.byDayType.find((c) => c.dayType === 'vacation')!;
    expect(vacation.before.deviceDays).toBe(0);
    expect(vacation.after.deviceDays).toBe(12);
    expect(vacation.reductionPct).toBeNull();
    expect(vacation.confidence).toBe('none');
    const weekend = r.byDayType.find((c) => c.dayType === 'weekend')!;
    expect(weekend.after.deviceDays).toBe(0);
  });

  it('leaves out the day of the change and days without data', () => {
    const r = compareBeforeAfter({
      changedOn: '2027-11-15',
      days: [
        ...fleet(4, SCHOOL_BEFORE, 'school_day', 0.5),
        ...fleet(4, ['2027-11-15'], 'school_day', 9),
        day(9, '2027-11-16', 'school_day', 0, false),
        ...fleet(4, SCHOOL_AFTER, 'school_day', 0.25),
      ],
    });
    expect(r.before.deviceDays).toBe(20);
    expect(r.after.deviceDays).toBe(20);
    expect(r.reductionPct).toBeCloseTo(50, 9);
  });

  it('adds a plain Dutch confidence note when there are too few device-days', () => {
    const r = compareBeforeAfter({
      changedOn: '2027-11-15',
      days: [
        ...fleet(2, SCHOOL_BEFORE, 'school_day', 0.5),
        ...fleet(2, SCHOOL_AFTER.slice(0, 3), 'school_day', 0.2),
      ],
    });
    expect(r.confidence).toBe('few');
    expect(r.note?.nl).toContain('weinig gegevens (10 apparaat-schooldagen vóór en 6 na de wijziging');
    expect(r.note?.en).toContain('10 device school days before and 6 after');
    expect(r.reductionPct).toBeCloseTo(60, 9);
  });

  it('says there is nothing to compare yet when the policy has not run a school day', () => {
    const r = compareBeforeAfter({
      changedOn: '2027-11-15',
      days: fleet(4, SCHOOL_BEFORE, 'school_day', 0.5),
    });
    expect(r.confidence).toBe('none');
    expect(r.reductionPct).toBeNull();
    expect(r.after.wasteKwhPerDeviceDay).toBeNull();
    expect(r.note?.nl).toBe('Nog geen apparaat-schooldagen na de wijziging, dus nog geen vergelijking.');
  });
});

describe('waste per device-day', () => {
  it('splits intervals on local midnights, types each day and marks days without data', () => {
    const cal = dutchSchoolCalendar('midden');
    const laptop = totalWatts({ deviceClass: 'laptop' }); // 7 W waste with the screen on
    // Friday 22:00 – Saturday 02:00 Amsterdam (CET = UTC+1) idle; nothing on Sunday
    const days = wastePerDeviceDay(
      {
        deviceId: 5,
        watts: laptop,
        intervals: [
          {
            start: Date.parse('2027-11-19T21:00:00Z'),
            end: Date.parse('2027-11-20T01:00:00Z'),
            state: 'idle',
          },
        ],
      },
      cal,
      Date.parse('2027-11-18T23:00:00Z'),
      Date.parse('2027-11-21T23:00:00Z'),
    );
    expect(days.map((d) => [d.date, d.dayType, d.hasData])).toEqual([
      ['2027-11-19', 'school_day', true],
      ['2027-11-20', 'weekend', true],
      ['2027-11-21', 'weekend', false],
    ]);
    expect(days[0]!.wasteKwh).toBeCloseTo(0.014, 12);
    expect(days[1]!.wasteKwh).toBeCloseTo(0.014, 12);
    expect(days[2]!.wasteKwh).toBe(0);
  });
});
