export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export function floorToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function floorToUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Parses an API time parameter: ISO 8601 or epoch milliseconds. Returns NaN when neither. */
export function parseTimeParam(value: string): number {
  const trimmed = value.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return Number.NaN;
  return Date.parse(trimmed);
}

const weekdayIndex: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formatterCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatterCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatterCache.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  /** YYYY-MM-DD in the given zone */
  date: string;
  /** 0 = Monday … 6 = Sunday (Dutch weeks start on Monday) */
  weekday: number;
  hour: number;
  minute: number;
}

/** Reads the wall-clock parts of an instant in an IANA time zone. */
export type LocalTimeReader = (ms: number, timeZone: string) => LocalTime;

let reader: LocalTimeReader = intlLocalTime;

/**
 * Replaces how `localTime` reads wall-clock parts, for a whole process (null: back to Intl). The agent
 * service reads them through its own process time zone instead (agent/src/service/zone-time.ts): the
 * first Intl formatter in a process makes V8 list every locale ICU has, ≈ 6–7 MB of resident memory
 * for a service that only ever needs hours and weekdays (docs/benchmarks.md "Agent footprint").
 */
export function setLocalTimeReader(next: LocalTimeReader | null): void {
  reader = next ?? intlLocalTime;
}

/** Wall-clock parts of an instant in a time zone (Europe/Amsterdam unless a school sets another). */
export function localTime(ms: number, timeZone = 'Europe/Amsterdam'): LocalTime {
  return reader(ms, timeZone);
}

/** localTime through Intl: the default, right for any zone in any process. */
export function intlLocalTime(ms: number, timeZone: string): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    weekday: weekdayIndex[get('weekday')] ?? 0,
    hour: Number(get('hour')),
    minute: Number(get('minute')),
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
