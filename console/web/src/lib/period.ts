import { DAY_MS, localTime } from '@sluimer/shared';
import { DEFAULT_TZ } from './format.js';

export type PeriodKind = 'thisWeek' | 'lastMonth' | 'schoolYear' | 'custom';
export interface Period {
  kind: PeriodKind;
  from: number;
  to: number;
}

/** Epoch ms of local midnight at the start of `date` (YYYY-MM-DD) in a zone, DST-safe. */
export function localMidnight(date: string, timeZone = DEFAULT_TZ): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // start from UTC midnight and correct by the zone's offset (twice, for DST edges)
  let guess = Date.UTC(y, m - 1, d);
  for (let i = 0; i < 2; i++) {
    const lt = localTime(guess, timeZone);
    const [ly, lm, ld] = lt.date.split('-').map(Number) as [number, number, number];
    const asUtc = Date.UTC(ly, lm - 1, ld, lt.hour, lt.minute);
    guess -= asUtc - Date.UTC(y, m - 1, d);
  }
  return guess;
}

function ymd(y: number, m: number, d: number): string {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.toISOString().slice(0, 10);
}

/** The period for a preset, in the school's zone. Weeks start on Monday; the school year on 1 August. */
export function periodFor(kind: Exclude<PeriodKind, 'custom'>, now: number, timeZone = DEFAULT_TZ): Period {
  const lt = localTime(now, timeZone);
  const [y, m, d] = lt.date.split('-').map(Number) as [number, number, number];
  if (kind === 'thisWeek') {
    const from = localMidnight(ymd(y, m, d - lt.weekday), timeZone);
    return { kind, from, to: now };
  }
  if (kind === 'lastMonth') {
    const from = localMidnight(ymd(y, m - 1, 1), timeZone);
    const to = localMidnight(ymd(y, m, 1), timeZone);
    return { kind, from, to };
  }
  const startYear = m >= 8 ? y : y - 1;
  return { kind, from: localMidnight(ymd(startYear, 8, 1), timeZone), to: now };
}

/** A custom period from two local dates (inclusive), capped at now. */
export function customPeriod(fromDate: string, toDate: string, now: number, timeZone = DEFAULT_TZ): Period {
  const from = localMidnight(fromDate, timeZone);
  const end = localMidnight(toDate, timeZone) + DAY_MS;
  return { kind: 'custom', from, to: Math.min(Math.max(end, from + 1), now) };
}

/** Local dates (YYYY-MM-DD) of every day the period touches, in order. */
export function daysOf(period: Pick<Period, 'from' | 'to'>, timeZone = DEFAULT_TZ): string[] {
  const out: string[] = [];
  let t = period.from;
  let last = '';
  // step by 6 h so DST days are never skipped, keep unique dates
  while (t < period.to) {
    const d = localTime(t, timeZone).date;
    if (d !== last) {
      out.push(d);
      last = d;
    }
    t += DAY_MS / 4;
  }
  return out;
}
