import { z } from 'zod';
import { SchoolHoursSchema, WEEKDAYS } from '../policy.js';
import { DAY_MS, isValidTimeZone, localTime, MINUTE_MS } from '../time.js';

/**
 * A school's calendar: its weekly school hours, vacations, holidays and study days, in its own time
 * zone. Pure and browser-safe, so the console and the web's policy editor compute the same day types.
 */

export const DEFAULT_SCHOOL_TIME_ZONE = 'Europe/Amsterdam';

export const VACATION_REGIONS = ['noord', 'midden', 'zuid'] as const;
export const VacationRegionSchema = z.enum(VACATION_REGIONS);
export type VacationRegion = z.infer<typeof VacationRegionSchema>;

/**
 * What kind of day a local date is for a school. When more than one applies, the first in this order
 * wins: a vacation (so a vacation week is one block, weekends included), a holiday, a weekend (a day
 * the weekly timetable has no school hours), a study day, else a school day.
 */
export const CALENDAR_DAY_TYPES = ['school_day', 'weekend', 'vacation', 'holiday', 'study_day'] as const;
export const CalendarDayTypeSchema = z.enum(CALENDAR_DAY_TYPES);
export type CalendarDayType = z.infer<typeof CalendarDayTypeSchema>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A valid calendar date written YYYY-MM-DD (no time, no zone). */
export const IsoDateSchema = z
  .string()
  .regex(ISO_DATE, 'date as YYYY-MM-DD')
  .refine((s) => isRealDate(s), { message: 'no such date' });
export type IsoDate = z.infer<typeof IsoDateSchema>;

export const VacationSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** first and last day, both included */
    start: IsoDateSchema,
    end: IsoDateSchema,
    /** true when the dates are not checked against the published source (see docs/impact.md) */
    indicative: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.start <= v.end, { message: 'start must not be after end', path: ['end'] })
  .refine((v) => daysBetween(v.start, v.end) <= 92, {
    message: 'a vacation spans at most 92 days',
    path: ['end'],
  });
export type Vacation = z.infer<typeof VacationSchema>;

export const CalendarDaySchema = z
  .object({ date: IsoDateSchema, name: z.string().trim().min(1).max(100) })
  .strict();
export type CalendarDay = z.infer<typeof CalendarDaySchema>;

export const SchoolCalendarSchema = z
  .object({
    /** IANA zone the school hours and dates are in */
    timeZone: z
      .string()
      .max(64)
      .refine((z) => isValidTimeZone(z), { message: 'unknown time zone' })
      .default(DEFAULT_SCHOOL_TIME_ZONE),
    /** the school-holiday region the shipped vacations came from, if any */
    region: VacationRegionSchema.optional(),
    /** school hours per weekday; days left out have no school */
    schoolHours: SchoolHoursSchema,
    vacations: z.array(VacationSchema).max(200).default([]),
    /** holidays on which the school is closed */
    holidays: z.array(CalendarDaySchema).max(400).default([]),
    /** days without pupils (studiedagen, margedagen) */
    studyDays: z.array(CalendarDaySchema).max(400).default([]),
  })
  .strict();
export type SchoolCalendar = z.infer<typeof SchoolCalendarSchema>;
export type SchoolCalendarInput = z.input<typeof SchoolCalendarSchema>;

// ---- calendar dates (no instants involved) ----

function isRealDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function dateToUtcMidnight(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function utcMidnightToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar date `n` days after `date` (n may be negative). */
export function addDays(date: string, n: number): string {
  return utcMidnightToDate(dateToUtcMidnight(date) + n * DAY_MS);
}

/** Whole calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((dateToUtcMidnight(b) - dateToUtcMidnight(a)) / DAY_MS);
}

/** 0 = Monday … 6 = Sunday, as `localTime` counts. */
export function weekdayOfDate(date: string): number {
  return (new Date(dateToUtcMidnight(date)).getUTCDay() + 6) % 7;
}

// ---- wall clock ↔ instant, DST-correct ----

/** The zone's UTC offset at an instant, in ms (Amsterdam: +1 h in winter, +2 h in summer). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const lt = localTime(ms, timeZone);
  const wall = dateToUtcMidnight(lt.date) + lt.hour * 3_600_000 + lt.minute * MINUTE_MS;
  // localTime has minute precision: compare against the instant floored to the minute
  return wall - Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * The instant a local wall-clock time happens in a zone, DST-correct. Wall times that do not exist
 * or happen twice (02:00–03:00 on the switch nights in Amsterdam) map to one of the nearby instants;
 * midnights and school hours never fall there.
 */
export function zonedTimeToUtc(date: string, minuteOfDay: number, timeZone: string): number {
  const wall = dateToUtcMidnight(date) + minuteOfDay * MINUTE_MS;
  const guessOffset = zoneOffsetMs(wall, timeZone);
  const t = wall - guessOffset;
  const offset = zoneOffsetMs(t, timeZone);
  return offset === guessOffset ? t : wall - offset;
}

function minuteOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

// ---- compiled calendar: fast day lookups ----

/** One local day of a school, with its instants. */
export interface CalendarDayInfo {
  date: string;
  weekday: number;
  type: CalendarDayType;
  /** the holiday, vacation or study day's name, if any */
  name?: string;
  /** local midnight, epoch ms */
  start: number;
  /** the next local midnight (23 or 25 h later on DST days) */
  end: number;
  /** school hours as instants, on school days only */
  school?: { start: number; end: number };
}

export interface CompiledCalendar {
  readonly calendar: SchoolCalendar;
  dayType(date: string): CalendarDayType;
  /** the day info of a local date (cached) */
  day(date: string): CalendarDayInfo;
  /** the day info of the local day an instant falls on */
  dayAt(ms: number): CalendarDayInfo;
  /** the local days overlapping [from, to) in order */
  daysBetween(from: number, to: number): CalendarDayInfo[];
  /** whether the school year containing `date` (1 Aug – 31 Jul) has any vacation in the calendar */
  coversSchoolYearOf(date: string): boolean;
}

const compiled = new WeakMap<SchoolCalendar, CompiledCalendar>();

/** Parses a calendar from untrusted input; throws a ZodError when it is not valid. */
export function parseSchoolCalendar(input: unknown): SchoolCalendar {
  return SchoolCalendarSchema.parse(input);
}

/** Indexes a calendar once for fast lookups; the same calendar object gets the same index. */
export function compileCalendar(calendar: SchoolCalendar): CompiledCalendar {
  const hit = compiled.get(calendar);
  if (hit) return hit;

  const tz = calendar.timeZone;
  const special = new Map<string, { type: CalendarDayType; name: string }>();
  // lowest precedence first, so later writes win: study day < holiday < vacation
  for (const d of calendar.studyDays) special.set(d.date, { type: 'study_day', name: d.name });
  for (const d of calendar.holidays) special.set(d.date, { type: 'holiday', name: d.name });
  for (const v of calendar.vacations) {
    for (let d = v.start; d <= v.end; d = addDays(d, 1)) special.set(d, { type: 'vacation', name: v.name });
  }
  const schoolYears = new Set<number>();
  for (const v of calendar.vacations) {
    schoolYears.add(schoolYearOf(v.start));
    schoolYears.add(schoolYearOf(v.end));
  }

  const typeOf = (date: string): { type: CalendarDayType; name?: string } => {
    const s = special.get(date);
    if (s && (s.type === 'vacation' || s.type === 'holiday')) return s;
    const hours = calendar.schoolHours[WEEKDAYS[weekdayOfDate(date)]!];
    if (!hours) return { type: 'weekend' };
    if (s) return s;
    return { type: 'school_day' };
  };

  const cache = new Map<string, CalendarDayInfo>();
  const day = (date: string): CalendarDayInfo => {
    let info = cache.get(date);
    if (info) return info;
    const weekday = weekdayOfDate(date);
    const t = typeOf(date);
    const start = zonedTimeToUtc(date, 0, tz);
    const end = zonedTimeToUtc(addDays(date, 1), 0, tz);
    info = { date, weekday, type: t.type, start, end };
    if (t.name !== undefined) info.name = t.name;
    if (t.type === 'school_day') {
      const w = calendar.schoolHours[WEEKDAYS[weekday]!]!;
      info.school = {
        start: zonedTimeToUtc(date, minuteOf(w.start), tz),
        end: zonedTimeToUtc(date, minuteOf(w.end), tz),
      };
    }
    cache.set(date, info);
    return info;
  };

  const dayAt = (ms: number): CalendarDayInfo => {
    // guess the local date from the offset, then step if the guess is off by the DST hour
    const guess = utcMidnightToDate(Math.floor((ms + zoneOffsetMs(ms, tz)) / DAY_MS) * DAY_MS);
    let info = day(guess);
    if (ms < info.start) info = day(addDays(guess, -1));
    else if (ms >= info.end) info = day(addDays(guess, 1));
    return info;
  };

  const result: CompiledCalendar = {
    calendar,
    dayType: (date) => typeOf(date).type,
    day,
    dayAt,
    daysBetween(from, to) {
      const out: CalendarDayInfo[] = [];
      if (to <= from) return out;
      let info = dayAt(from);
      while (info.start < to) {
        out.push(info);
        info = day(addDays(info.date, 1));
      }
      return out;
    },
    coversSchoolYearOf: (date) => schoolYears.has(schoolYearOf(date)),
  };
  compiled.set(calendar, result);
  return result;
}

/** The calendar year a school year starts in: 1 Aug 2026 – 31 Jul 2027 is 2026. */
export function schoolYearOf(date: string): number {
  const y = Number(date.slice(0, 4));
  return date.slice(5) >= '08-01' ? y : y - 1;
}

// ---- questions about a moment or a date ----

/** The day type of a local date. */
export function dayTypeOf(calendar: SchoolCalendar, date: string): CalendarDayType {
  return compileCalendar(calendar).dayType(date);
}

/** The day type of the local day an instant falls on, in the school's time zone. */
export function dayTypeAt(calendar: SchoolCalendar, ms: number): CalendarDayType {
  return compileCalendar(calendar).dayAt(ms).type;
}

export function isSchoolDay(calendar: SchoolCalendar, ms: number): boolean {
  return dayTypeAt(calendar, ms) === 'school_day';
}

export function isVacation(calendar: SchoolCalendar, ms: number): boolean {
  return dayTypeAt(calendar, ms) === 'vacation';
}

export function isStudyDay(calendar: SchoolCalendar, ms: number): boolean {
  return dayTypeAt(calendar, ms) === 'study_day';
}

export function isHoliday(calendar: SchoolCalendar, ms: number): boolean {
  return dayTypeAt(calendar, ms) === 'holiday';
}

/** Whether an instant lies inside school hours on a school day (vacations, holidays and study days have none). */
export function isInSchoolHours(calendar: SchoolCalendar, ms: number): boolean {
  const d = compileCalendar(calendar).dayAt(ms);
  return d.school !== undefined && ms >= d.school.start && ms < d.school.end;
}

/** Counts the local days of each type from `fromDate` to `toDate`, both included. */
export function countDayTypes(
  calendar: SchoolCalendar,
  fromDate: string,
  toDate: string,
): Record<CalendarDayType, number> {
  const c = compileCalendar(calendar);
  const out: Record<CalendarDayType, number> = {
    school_day: 0,
    weekend: 0,
    vacation: 0,
    holiday: 0,
    study_day: 0,
  };
  for (let d = fromDate; d <= toDate; d = addDays(d, 1)) out[c.dayType(d)]++;
  return out;
}
