import { localTime } from '@sluimer/shared';
import { DEFAULT_TZ, formatDay, formatEur, formatKg, formatKwh, type Lang } from './format.js';

/**
 * The unit the management charts show: euros first (docs/wording.md: management reads money
 * and CO2e before kWh), switchable to kWh and kg CO2e. Pure helpers and the Dutch (or English)
 * one-paragraph summaries that are each chart's accessible name.
 */
export type Metric = 'eur' | 'kwh' | 'co2';
export const METRICS: readonly Metric[] = ['eur', 'kwh', 'co2'];

export interface Waste {
  wasteKwh: number;
  wasteEur: number;
  wasteCo2eKg: number;
}

export function metricValue(w: Waste, m: Metric): number {
  return m === 'eur' ? w.wasteEur : m === 'kwh' ? w.wasteKwh : w.wasteCo2eKg;
}

export function formatMetric(v: number, m: Metric, lang: Lang): string {
  return m === 'eur' ? formatEur(v, lang) : m === 'kwh' ? formatKwh(v, lang) : formatKg(v, lang);
}

/** The axis name: `€`, `kWh`, `kg CO2e`. */
export function metricUnit(m: Metric): string {
  return m === 'eur' ? '€' : m === 'kwh' ? 'kWh' : 'kg CO2e';
}

export function parseMetric(s: string | null | undefined): Metric {
  return s === 'kwh' || s === 'co2' || s === 'eur' ? s : 'eur';
}

const list = (items: string[], lang: Lang) =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} ${lang === 'nl' ? 'en' : 'and'} ${items[items.length - 1]}`;

/** "Verspilling per school: 4 groepen, samen € 12,50. Het meest: Aula € 5,00, …" */
export function summariseBars(
  title: string,
  items: readonly ({ name: string } & Waste)[],
  m: Metric,
  lang: Lang,
): string {
  if (items.length === 0) return `${title}: ${lang === 'nl' ? 'geen gegevens' : 'no data'}.`;
  const sorted = [...items].sort((a, b) => metricValue(b, m) - metricValue(a, m));
  const total = sorted.reduce((s, i) => s + metricValue(i, m), 0);
  const top = sorted.slice(0, 3).map((i) => `${i.name} ${formatMetric(metricValue(i, m), m, lang)}`);
  return lang === 'nl'
    ? `${title}: ${items.length} ${items.length === 1 ? 'staaf' : 'staven'}, samen ${formatMetric(total, m, lang)}. Het meest: ${list(top, lang)}.`
    : `${title}: ${items.length} ${items.length === 1 ? 'bar' : 'bars'}, together ${formatMetric(total, m, lang)}. Most: ${list(top, lang)}.`;
}

/** "Verspilling per dag van ma 2 mrt tot en met zo 8 mrt: samen € 12,50; de hoogste dag di 3 mrt met € 3,20." */
export function summariseTrend(
  title: string,
  points: readonly ({ date: string } & Waste)[],
  m: Metric,
  lang: Lang,
): string {
  if (points.length === 0) return `${title}: ${lang === 'nl' ? 'geen gegevens' : 'no data'}.`;
  const day = (d: string) => formatDay(Date.parse(`${d}T12:00:00Z`), lang, 'UTC');
  const total = points.reduce((s, p) => s + metricValue(p, m), 0);
  const max = points.reduce((a, b) => (metricValue(b, m) > metricValue(a, m) ? b : a));
  const first = day(points[0]!.date);
  const last = day(points[points.length - 1]!.date);
  return lang === 'nl'
    ? `${title} van ${first} tot en met ${last}: samen ${formatMetric(total, m, lang)}; de hoogste dag is ${day(max.date)} met ${formatMetric(metricValue(max, m), m, lang)}.`
    : `${title} from ${first} to ${last}: together ${formatMetric(total, m, lang)}; the highest day is ${day(max.date)} with ${formatMetric(metricValue(max, m), m, lang)}.`;
}

/** "… De meeste verspilling: di 14:00–15:00 (0,42 kWh), …; 30 uren hebben nog geen gegevens." */
export function summariseHeatmap(
  title: string,
  matrix: readonly (readonly (number | null)[])[],
  dayNames: readonly string[],
  format: (v: number) => string,
  lang: Lang,
): string {
  const cells: { d: number; h: number; v: number }[] = [];
  let missing = 0;
  matrix.forEach((hours, d) => {
    hours.forEach((v, h) => {
      if (v === null) missing++;
      else if (v > 0) cells.push({ d, h, v });
    });
  });
  cells.sort((a, b) => b.v - a.v);
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  const top = cells
    .slice(0, 3)
    .map((c) => `${dayNames[c.d]} ${hh(c.h)}–${hh((c.h + 1) % 24)} (${format(c.v)})`);
  const most =
    top.length === 0
      ? lang === 'nl'
        ? 'geen verspilling gemeten'
        : 'no waste measured'
      : `${lang === 'nl' ? 'de meeste verspilling' : 'most waste'}: ${list(top, lang)}`;
  const rest =
    missing > 0
      ? lang === 'nl'
        ? ` ${missing} uren zijn nog niet geweest en hebben geen gegevens.`
        : ` ${missing} hours have not happened yet and have no data.`
      : '';
  return `${title}: ${most}.${rest}`;
}

/**
 * Which hours of the week (weekday Monday first × hour) the period has reached. A period shorter
 * than a week ("this week" on a Wednesday) has not reached the rest of the week: those cells have no
 * data yet and must not read as zero waste.
 */
export function hoursReached(period: { from: number; to: number }, timeZone = DEFAULT_TZ): boolean[][] {
  const m = Array.from({ length: 7 }, () => new Array<boolean>(24).fill(false));
  const end = Math.min(period.to, period.from + 7 * 24 * 3600_000 + 3600_000);
  for (let t = period.from; t < end; t += 15 * 60_000) {
    const lt = localTime(t, timeZone);
    m[lt.weekday]![lt.hour] = true;
  }
  return m;
}
