import { DAY_MS, MINUTE_MS } from '@sluimer/shared';

/**
 * Calendar maths for simulated schools: local dates and wall-clock times in a school's IANA zone,
 * without a date library. Intl is slow, so callers work per day, not per minute.
 */

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `ms`, in ms (Europe/Amsterdam: +1 h or +2 h). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = offsetFormatter(timeZone).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour') % 24, n('minute'), n('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** A local calendar day: its date string, weekday and how to turn local clock time into epoch ms. */
export interface LocalDay {
  /** YYYY-MM-DD */
  date: string;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  /** epoch ms of local 00:00 (DST changes happen at night, so daytime maths uses the noon offset) */
  midnight: number;
  /** offset at local noon, ms */
  offsetMs: number;
  /** epoch ms of a local clock time on this day, given in minutes after midnight (fractional ok) */
  at(minuteOfDay: number): number;
}

function utcDateParts(ms: number): { y: number; m: number; d: number } {
  const dt = new Date(ms);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

function dateString(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const localDayCache = new Map<string, LocalDay>();

/** The local day called `date` (YYYY-MM-DD) in `timeZone` (cached: days never change). */
export function localDay(date: string, timeZone: string): LocalDay {
  const key = `${timeZone}|${date}`;
  let day = localDayCache.get(key);
  if (!day) {
    day = computeLocalDay(date, timeZone);
    if (localDayCache.size > 50_000) localDayCache.clear();
    localDayCache.set(key, day);
  }
  return day;
}

function computeLocalDay(date: string, timeZone: string): LocalDay {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcNoon = Date.UTC(y, m - 1, d, 12);
  const offsetMs = zoneOffsetMs(utcNoon - zoneOffsetMs(utcNoon, timeZone), timeZone);
  const utcMidnight = Date.UTC(y, m - 1, d);
  const midnightOffset = zoneOffsetMs(utcMidnight - offsetMs, timeZone);
  const weekday = (new Date(utcMidnight).getUTCDay() + 6) % 7;
  return {
    date,
    weekday,
    midnight: utcMidnight - midnightOffset,
    offsetMs,
    at: (minuteOfDay) => Math.round(utcMidnight + minuteOfDay * MINUTE_MS - offsetMs),
  };
}

/** The local date (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDateOf(ms: number, timeZone: string): string {
  const { y, m, d } = utcDateParts(ms + zoneOffsetMs(ms, timeZone));
  return dateString(y, m, d);
}

/** Adds whole calendar days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const { y: y2, m: m2, d: d2 } = utcDateParts(Date.UTC(y, m - 1, d) + days * DAY_MS);
  return dateString(y2, m2, d2);
}

/** Local days from the one containing `from` to the one containing `to` (inclusive). */
export function localDaysBetween(from: number, to: number, timeZone: string): LocalDay[] {
  const out: LocalDay[] = [];
  const last = localDateOf(to, timeZone);
  let date = localDateOf(from, timeZone);
  for (let guard = 0; guard < 10_000; guard++) {
    out.push(localDay(date, timeZone));
    if (date >= last) break;
    date = addDays(date, 1);
  }
  return out;
}
