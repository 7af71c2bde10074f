import type { SchoolHours, UsageRow } from '@sluimer/shared';
import { DEFAULT_SCHOOL_HOURS, WEEKDAYS } from '@sluimer/shared';

/** Chart and tile data shaped from `/api/v1/usage` rows. Pure functions, tested in shaping.test.ts. */

export interface DayPoint {
  date: string;
  wasteKwh: number;
  wasteEur: number;
  wasteCo2eKg: number;
  energyKwh: number;
  idleSec: number;
}

/** One point per local day of the period, in order; days without data are zero, not missing. */
export function trendByDay(rows: readonly UsageRow[], days: readonly string[]): DayPoint[] {
  const byKey = new Map<string, UsageRow>();
  for (const r of rows) byKey.set(r.key.slice(0, 10), r);
  const keys = days.length ? days : [...byKey.keys()].sort();
  return keys.map((date) => {
    const r = byKey.get(date);
    return {
      date,
      wasteKwh: r?.wasteKwh ?? 0,
      wasteEur: r?.wasteEur ?? 0,
      wasteCo2eKg: r?.wasteCo2eKg ?? 0,
      energyKwh: r?.energyKwh ?? 0,
      idleSec: r?.idleSec ?? 0,
    };
  });
}

/**
 * Parses an hour-of-week key into [weekday 0 = Monday … 6 = Sunday, hour 0–23]. Accepts the index
 * form "0".."167" (Monday 00:00 = 0) and "D:HH"/"D-HH" with D as 0–6 (Monday first) or a weekday name.
 */
export function parseHourOfWeek(key: string): [number, number] | undefined {
  const k = key.trim().toLowerCase();
  if (/^\d{1,3}$/.test(k)) {
    const n = Number(k);
    return n >= 0 && n < 168 ? [Math.floor(n / 24), n % 24] : undefined;
  }
  const m = k.match(/^([a-z]{3}|\d)[:\-_ t](\d{1,2})$/);
  if (!m) return undefined;
  const d = /^\d$/.test(m[1]!) ? Number(m[1]) : WEEKDAYS.indexOf(m[1] as (typeof WEEKDAYS)[number]);
  const h = Number(m[2]);
  if (d < 0 || d > 6 || h > 23) return undefined;
  return [d, h];
}

/** 7 × 24 matrix of a metric (weekday Monday first × hour). */
export function heatmapMatrix(
  rows: readonly UsageRow[],
  metric: keyof Omit<UsageRow, 'key' | 'label'> = 'wasteKwh',
) {
  const m: number[][] = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of rows) {
    const p = parseHourOfWeek(r.key);
    if (p) m[p[0]]![p[1]]! += r[metric];
  }
  return m;
}

/** [hour, weekday, value] triples for an echarts heatmap; max for its colour scale. */
export function heatmapSeries(matrix: number[][]): { data: [number, number, number][]; max: number } {
  const data: [number, number, number][] = [];
  let max = 0;
  for (let d = 0; d < matrix.length; d++) {
    const hours = matrix[d]!;
    for (let h = 0; h < hours.length; h++) {
      const v = hours[h]!;
      data.push([h, d, v]);
      if (v > max) max = v;
    }
  }
  return { data, max };
}

/** Monday–Friday 08:00–17:00 when no policy names school hours: the one default, from shared. */
export { DEFAULT_SCHOOL_HOURS };

/** Whether the whole clock hour `hour` of a weekday falls inside school hours (partial hours count as inside). */
export function hourInSchool(hours: SchoolHours, weekday: number, hour: number): boolean {
  const w = hours[WEEKDAYS[weekday]!];
  if (!w) return false;
  const start = `${String(hour).padStart(2, '0')}:00`;
  const end = `${String(hour + 1).padStart(2, '0')}:00`;
  return start < w.end && end > w.start;
}

/** Share (0–1) of the matrix total that falls outside school hours; 0 when there is none at all. */
export function shareOutsideSchoolHours(
  matrix: number[][],
  hours: SchoolHours = DEFAULT_SCHOOL_HOURS,
): number {
  let total = 0;
  let outside = 0;
  for (let d = 0; d < matrix.length; d++) {
    const row = matrix[d]!;
    for (let h = 0; h < row.length; h++) {
      const v = row[h]!;
      total += v;
      if (!hourInSchool(hours, d, h)) outside += v;
    }
  }
  return total > 0 ? outside / total : 0;
}

export interface Totals {
  wasteKwh: number;
  wasteEur: number;
  wasteCo2eKg: number;
  energyKwh: number;
  idleSec: number;
  activeSec: number;
  asleepSec: number;
  offSec: number;
}

export function totals(rows: readonly UsageRow[]): Totals {
  const t: Totals = {
    wasteKwh: 0,
    wasteEur: 0,
    wasteCo2eKg: 0,
    energyKwh: 0,
    idleSec: 0,
    activeSec: 0,
    asleepSec: 0,
    offSec: 0,
  };
  for (const r of rows) {
    t.wasteKwh += r.wasteKwh;
    t.wasteEur += r.wasteEur;
    t.wasteCo2eKg += r.wasteCo2eKg;
    t.energyKwh += r.energyKwh;
    t.idleSec += r.idleSec;
    t.activeSec += r.activeSec;
    t.asleepSec += r.asleepSec;
    t.offSec += r.offSec;
  }
  return t;
}

/**
 * Devices that never slept in the period: they reported awake time (active or idle) but not one
 * second asleep or off.
 */
export function neverSleeping(deviceRows: readonly UsageRow[]): UsageRow[] {
  return deviceRows.filter((r) => r.asleepSec === 0 && r.offSec === 0 && r.activeSec + r.idleSec > 0);
}

/** The n rows with the most avoidable waste, largest first; rows without waste are left out. */
export function topByWaste<T extends { wasteKwh: number }>(rows: readonly T[], n: number): T[] {
  return [...rows]
    .filter((r) => r.wasteKwh > 0)
    .sort((a, b) => b.wasteKwh - a.wasteKwh)
    .slice(0, n);
}

/** Rows sorted by waste for a bar chart, with names resolved; unknown keys keep their key as name. */
export function namedBars(
  rows: readonly UsageRow[],
  nameOf: (key: string) => string | undefined,
  limit = 15,
): { key: string; name: string; wasteKwh: number; wasteEur: number; wasteCo2eKg: number }[] {
  return topByWaste(rows, limit).map((r) => ({
    key: r.key,
    name: nameOf(r.key) ?? r.key,
    wasteKwh: r.wasteKwh,
    wasteEur: r.wasteEur,
    wasteCo2eKg: r.wasteCo2eKg,
  }));
}

export type TimelineState = 'active' | 'idle' | 'asleep' | 'off';
export interface TimelineInterval {
  start: number;
  end: number;
  state: TimelineState;
  display?: 'on' | 'off';
}

/**
 * Timeline bars for one device: intervals clipped to [from, to), in order, with the seconds per
 * state. Gaps (no data) stay gaps.
 */
export function timelineBars(intervals: readonly TimelineInterval[], from: number, to: number) {
  const bars = intervals
    .map((i) => ({ ...i, start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  const seconds: Record<TimelineState, number> = { active: 0, idle: 0, asleep: 0, off: 0 };
  for (const b of bars) seconds[b.state] += (b.end - b.start) / 1000;
  const covered = Object.values(seconds).reduce((a, b) => a + b, 0);
  return { bars, seconds, coverage: to > from ? covered / ((to - from) / 1000) : 0 };
}
