import type { UsageRow } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  heatmapMatrix,
  heatmapSeries,
  namedBars,
  neverSleeping,
  parseHourOfWeek,
  shareOutsideSchoolHours,
  timelineBars,
  topByWaste,
  totals,
  trendByDay,
} from './shaping.js';

const row = (key: string, p: Partial<UsageRow> = {}): UsageRow => ({
  key,
  activeSec: 0,
  idleSec: 0,
  asleepSec: 0,
  offSec: 0,
  energyKwh: 0,
  wasteKwh: 0,
  wasteEur: 0,
  wasteCo2eKg: 0,
  ...p,
});

describe('trend per day', () => {
  it('gives every day of the period a point, zero where no device reported', () => {
    const out = trendByDay(
      [row('2026-03-03', { wasteKwh: 2, wasteEur: 0.5 })],
      ['2026-03-02', '2026-03-03', '2026-03-04'],
    );
    expect(out.map((p) => [p.date, p.wasteKwh])).toEqual([
      ['2026-03-02', 0],
      ['2026-03-03', 2],
      ['2026-03-04', 0],
    ]);
    expect(out[1]?.wasteEur).toBe(0.5);
  });
});

describe('hour-of-week heatmap', () => {
  it('reads the console key "weekday-hour" with Monday as 0, and the index form', () => {
    expect(parseHourOfWeek('0-8')).toEqual([0, 8]);
    expect(parseHourOfWeek('6-23')).toEqual([6, 23]);
    expect(parseHourOfWeek('25')).toEqual([1, 1]);
    expect(parseHourOfWeek('mon:07')).toEqual([0, 7]);
    expect(parseHourOfWeek('7-1')).toBeUndefined();
    expect(parseHourOfWeek('2-24')).toBeUndefined();
    expect(parseHourOfWeek('nonsense')).toBeUndefined();
  });

  it('builds a 7 × 24 matrix and echarts triples [hour, weekday, value] with the maximum', () => {
    const m = heatmapMatrix([
      row('0-9', { wasteKwh: 1.5 }),
      row('4-22', { wasteKwh: 3 }),
      row('bad', { wasteKwh: 99 }),
    ]);
    expect(m).toHaveLength(7);
    expect(m.every((r) => r.length === 24)).toBe(true);
    expect(m[0]?.[9]).toBe(1.5);
    expect(m[4]?.[22]).toBe(3);
    const { data, max } = heatmapSeries(m);
    expect(data).toHaveLength(168);
    expect(data).toContainEqual([22, 4, 3]);
    expect(max).toBe(3);
  });

  it('counts the share of waste outside school hours (default Mon–Fri 08:00–17:00)', () => {
    const m = heatmapMatrix([
      row('0-10', { wasteKwh: 1 }), // Monday 10:00, in school
      row('0-20', { wasteKwh: 1 }), // Monday evening
      row('5-10', { wasteKwh: 2 }), // Saturday
    ]);
    expect(shareOutsideSchoolHours(m)).toBeCloseTo(0.75, 10);
    expect(shareOutsideSchoolHours(heatmapMatrix([]))).toBe(0);
    // a school with its own hours: Monday 09:00–10:00 only
    expect(shareOutsideSchoolHours(m, { mon: { start: '09:00', end: '10:00' } })).toBe(1);
  });
});

describe('tiles and rankings', () => {
  const devices = [
    row('1', { activeSec: 100, idleSec: 50, asleepSec: 0, wasteKwh: 0.2, wasteEur: 0.05 }),
    row('2', { activeSec: 100, idleSec: 10, asleepSec: 3600, wasteKwh: 0.01 }),
    row('3', { activeSec: 0, idleSec: 0, offSec: 0, asleepSec: 0 }),
    row('4', { idleSec: 7200, offSec: 10, wasteKwh: 0.5 }),
  ];

  it('adds up waste and seconds over all rows', () => {
    const t = totals(devices);
    expect(t.wasteKwh).toBeCloseTo(0.71, 10);
    expect(t.idleSec).toBe(7260);
  });

  it('finds devices that were awake but never slept or went off', () => {
    expect(neverSleeping(devices).map((r) => r.key)).toEqual(['1']);
  });

  it('ranks by waste, largest first, leaving out rows without waste', () => {
    expect(topByWaste(devices, 2).map((r) => r.key)).toEqual(['4', '1']);
    expect(topByWaste(devices, 10).map((r) => r.key)).toEqual(['4', '1', '2']);
  });

  it('names bars, keeping the key when the name is unknown', () => {
    const bars = namedBars(devices, (k) => (k === '4' ? 'Lokaal 1.04' : undefined));
    expect(bars.map((b) => b.name)).toEqual(['Lokaal 1.04', '1', '2']);
  });
});

describe('device timeline', () => {
  it('clips intervals to the window, sorts them and sums seconds per state with coverage', () => {
    const from = 1_000_000;
    const to = from + 3_600_000;
    const { bars, seconds, coverage } = timelineBars(
      [
        { start: from + 1_800_000, end: to + 600_000, state: 'asleep' },
        { start: from - 600_000, end: from + 600_000, state: 'active' },
        { start: from + 600_000, end: from + 1_200_000, state: 'idle' },
        { start: to + 1, end: to + 2, state: 'off' },
      ],
      from,
      to,
    );
    expect(bars.map((b) => [b.state, b.start - from, b.end - from])).toEqual([
      ['active', 0, 600_000],
      ['idle', 600_000, 1_200_000],
      ['asleep', 1_800_000, 3_600_000],
    ]);
    expect(seconds).toEqual({ active: 600, idle: 600, asleep: 1800, off: 0 });
    expect(coverage).toBeCloseTo(5 / 6, 10);
  });
});
