import { DEFAULT_SCHOOL_HOURS, type SchoolHours } from '../policy.js';
import {
  addDays,
  type CalendarDay,
  DEFAULT_SCHOOL_TIME_ZONE,
  type SchoolCalendar,
  type Vacation,
  type VacationRegion,
} from './school-calendar.js';

/**
 * Dutch school holidays per region as published by the Ministry of Education (OCW) on
 * Rijksoverheid.nl, for the school years Sluimer ships. Herfst- and voorjaarsvakantie are the
 * ministry's advisory dates (a school may move them); the zomervakantie is binding. Schools usually
 * extend the one-week meivakantie to two weeks and add study days: both are edited per school.
 *
 * `indicative: true` marks dates that could not be checked against the published overview when this
 * table was written (see docs/impact.md); a school should confirm them before relying on a figure.
 */
interface RegionalVacation {
  name: string;
  noord: [string, string];
  midden: [string, string];
  zuid: [string, string];
  indicative?: true;
}

export const SHIPPED_SCHOOL_YEARS = ['2026-2027', '2027-2028'] as const;
export type ShippedSchoolYear = (typeof SHIPPED_SCHOOL_YEARS)[number];

const DUTCH_VACATIONS: Record<ShippedSchoolYear, RegionalVacation[]> = {
  '2026-2027': [
    // Not checked against the published overview: school pages for 2026-2027 show 19–23 Oct (lessons)
    // in the north and middle and 12–16 Oct elsewhere.
    {
      name: 'Herfstvakantie',
      noord: ['2026-10-17', '2026-10-25'],
      midden: ['2026-10-17', '2026-10-25'],
      zuid: ['2026-10-10', '2026-10-18'],
      indicative: true,
    },
    // One secondary source citing OCW gives 19 Dec 2026 – 3 Jan 2027 for all regions; not the primary page.
    {
      name: 'Kerstvakantie',
      noord: ['2026-12-19', '2027-01-03'],
      midden: ['2026-12-19', '2027-01-03'],
      zuid: ['2026-12-19', '2027-01-03'],
      indicative: true,
    },
    // Carnaval 2027 falls on 7–9 Feb, so the south takes 6–14 Feb; north and middle from school pages.
    {
      name: 'Voorjaarsvakantie',
      noord: ['2027-02-20', '2027-02-28'],
      midden: ['2027-02-20', '2027-02-28'],
      zuid: ['2027-02-06', '2027-02-14'],
      indicative: true,
    },
    // The national week around Koningsdag (Tue 27 Apr 2027); many schools add the week after.
    {
      name: 'Meivakantie',
      noord: ['2027-04-24', '2027-05-02'],
      midden: ['2027-04-24', '2027-05-02'],
      zuid: ['2027-04-24', '2027-05-02'],
      indicative: true,
    },
    // South 17 Jul – 29 Aug is what two southern school pages show; the order of north and middle is
    // a guess from the usual rotation. Check before use.
    {
      name: 'Zomervakantie',
      noord: ['2027-07-24', '2027-09-05'],
      midden: ['2027-07-10', '2027-08-22'],
      zuid: ['2027-07-17', '2027-08-29'],
      indicative: true,
    },
  ],
  // Checked against Rijksoverheid "Overzicht schoolvakanties 2027-2028".
  '2027-2028': [
    {
      name: 'Herfstvakantie',
      noord: ['2027-10-16', '2027-10-24'],
      midden: ['2027-10-16', '2027-10-24'],
      zuid: ['2027-10-23', '2027-10-31'],
    },
    {
      name: 'Kerstvakantie',
      noord: ['2027-12-25', '2028-01-09'],
      midden: ['2027-12-25', '2028-01-09'],
      zuid: ['2027-12-25', '2028-01-09'],
    },
    {
      name: 'Voorjaarsvakantie',
      noord: ['2028-02-19', '2028-02-27'],
      midden: ['2028-02-26', '2028-03-05'],
      zuid: ['2028-02-26', '2028-03-05'],
    },
    {
      name: 'Meivakantie',
      noord: ['2028-04-29', '2028-05-07'],
      midden: ['2028-04-29', '2028-05-07'],
      zuid: ['2028-04-29', '2028-05-07'],
    },
    {
      name: 'Zomervakantie',
      noord: ['2028-07-15', '2028-08-27'],
      midden: ['2028-07-08', '2028-08-20'],
      zuid: ['2028-07-22', '2028-09-03'],
    },
  ],
};

/** The shipped vacations of one region and school year. */
export function dutchVacations(region: VacationRegion, schoolYear: ShippedSchoolYear): Vacation[] {
  return DUTCH_VACATIONS[schoolYear].map((v) => {
    const [start, end] = v[region];
    const out: Vacation = { name: v.name, start, end };
    if (v.indicative) out.indicative = true;
    return out;
  });
}

/** Easter Sunday of a year (Gregorian calendar; anonymous algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Days schools close for national holidays in a school year (1 Aug `startYear` – 31 Jul the next).
 * Bevrijdingsdag only in lustrum years (2025, 2030, …). `customary` adds Goede Vrijdag and the
 * Friday after Hemelvaart, which most schools give off although no rule requires it.
 */
export function dutchSchoolHolidays(startYear: number, opts: { customary?: boolean } = {}): CalendarDay[] {
  const customary = opts.customary ?? true;
  const y = startYear + 1;
  const easter = easterSunday(y);
  const kings = `${y}-04-27`;
  const kingsIsSunday = new Date(`${kings}T00:00:00Z`).getUTCDay() === 0;
  const days: CalendarDay[] = [
    { date: `${startYear}-12-25`, name: 'Eerste Kerstdag' },
    { date: `${startYear}-12-26`, name: 'Tweede Kerstdag' },
    { date: `${y}-01-01`, name: 'Nieuwjaarsdag' },
    { date: addDays(easter, 1), name: 'Tweede Paasdag' },
    { date: kingsIsSunday ? `${y}-04-26` : kings, name: 'Koningsdag' },
    { date: addDays(easter, 39), name: 'Hemelvaartsdag' },
    { date: addDays(easter, 50), name: 'Tweede Pinksterdag' },
  ];
  if (y % 5 === 0) days.push({ date: `${y}-05-05`, name: 'Bevrijdingsdag' });
  if (customary) {
    days.push({ date: addDays(easter, -2), name: 'Goede Vrijdag' });
    days.push({ date: addDays(easter, 40), name: 'Vrijdag na Hemelvaart' });
  }
  return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * A school calendar for a region with the shipped vacations and national holidays of the given
 * school years (all shipped years by default), plus the school's own hours and study days.
 */
export function dutchSchoolCalendar(
  region: VacationRegion,
  opts: {
    schoolHours?: SchoolHours;
    studyDays?: CalendarDay[];
    timeZone?: string;
    schoolYears?: readonly ShippedSchoolYear[];
    customaryHolidays?: boolean;
  } = {},
): SchoolCalendar {
  const years = opts.schoolYears ?? SHIPPED_SCHOOL_YEARS;
  const vacations: Vacation[] = [];
  const holidays: CalendarDay[] = [];
  for (const sy of years) {
    vacations.push(...dutchVacations(region, sy));
    const hol: { customary?: boolean } = {};
    if (opts.customaryHolidays !== undefined) hol.customary = opts.customaryHolidays;
    holidays.push(...dutchSchoolHolidays(Number(sy.slice(0, 4)), hol));
  }
  return {
    timeZone: opts.timeZone ?? DEFAULT_SCHOOL_TIME_ZONE,
    region,
    schoolHours: opts.schoolHours ?? DEFAULT_SCHOOL_HOURS,
    vacations,
    holidays,
    studyDays: opts.studyDays ?? [],
  };
}
