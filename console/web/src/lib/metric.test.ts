import { describe, expect, it } from 'vitest';
import { hoursReached, summariseBars, summariseHeatmap, summariseTrend } from './metric.js';
import { overviewSearch, parseOverviewView } from './overviewUrl.js';
import { localMidnight } from './period.js';

const w = (eur: number) => ({ wasteEur: eur, wasteKwh: eur * 4, wasteCo2eKg: eur });

describe('chart summaries read by screen readers', () => {
  it('say in Dutch what the bars show, in euros, the largest first', () => {
    const s = summariseBars(
      'Verspilling per school',
      [
        { name: 'Aula', ...w(1.5) },
        { name: 'Lokaal 2', ...w(5) },
      ],
      'eur',
      'nl',
    );
    expect(s.replace(/\u00a0/g, ' ')).toBe(
      'Verspilling per school: 2 staven, samen € 6,50. Het meest: Lokaal 2 € 5,00 en Aula € 1,50.',
    );
  });

  it('name the period and the highest day of a trend, without epoch numbers', () => {
    const s = summariseTrend(
      'Verspilling per dag',
      [
        { date: '2026-03-02', ...w(1) },
        { date: '2026-03-03', ...w(3.2) },
      ],
      'kwh',
      'nl',
    );
    expect(s).toContain('van ma 2 mrt tot en met di 3 mrt');
    expect(s).toContain('de hoogste dag is di 3 mrt met 12,8');
    expect(s).not.toMatch(/\d{10,}/);
  });

  it('name the worst hours of the week and the hours without data', () => {
    const matrix = Array.from({ length: 7 }, (_, d) =>
      Array.from({ length: 24 }, (_, h) => (d > 2 ? null : h === 14 && d === 1 ? 0.5 : 0)),
    );
    const s = summariseHeatmap(
      'Wanneer',
      matrix,
      ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'],
      (v) => `${v} kWh`,
      'nl',
    );
    expect(s).toBe(
      'Wanneer: de meeste verspilling: di 14:00–15:00 (0.5 kWh). 96 uren zijn nog niet geweest en hebben geen gegevens.',
    );
  });
});

describe('hours of the week a period has reached', () => {
  it('leaves the rest of this week unreached on a Wednesday morning', () => {
    const monday = localMidnight('2026-03-02');
    const m = hoursReached({ from: monday, to: monday + (2 * 24 + 9.5) * 3600_000 });
    expect(m[0]!.every(Boolean)).toBe(true);
    expect(m[2]![9]).toBe(true);
    expect(m[2]![10]).toBe(false);
    expect(m[6]!.some(Boolean)).toBe(false);
  });

  it('reaches every hour in a period of a week or more', () => {
    const m = hoursReached({ from: localMidnight('2025-08-01'), to: localMidnight('2026-03-01') });
    expect(m.every((d) => d.every(Boolean))).toBe(true);
  });
});

describe('the overview view in the address', () => {
  const now = Date.UTC(2026, 2, 4, 10);
  it('keeps a custom period, a scope and the unit through a reload', () => {
    const view = parseOverviewView(
      new URLSearchParams('from=2026-02-02&to=2026-02-08&group=7&metric=kwh'),
      now,
    );
    expect(view.groupId).toBe(7);
    expect(view.metric).toBe('kwh');
    expect(view.period.from).toBe(localMidnight('2026-02-02'));
    expect(overviewSearch(view)).toBe('?from=2026-02-02&to=2026-02-08&group=7&metric=kwh');
  });

  it('falls back to this week in euros for missing or bad values', () => {
    const view = parseOverviewView(new URLSearchParams('period=never&group=x&metric=%3Cscript%3E'), now);
    expect(view.period.kind).toBe('thisWeek');
    expect(view.groupId).toBeUndefined();
    expect(view.metric).toBe('eur');
    expect(overviewSearch(view)).toBe('');
  });

  it('names a preset period by its kind', () => {
    const view = parseOverviewView(new URLSearchParams('period=lastMonth'), now);
    expect(view.period.from).toBe(localMidnight('2026-02-01'));
    expect(overviewSearch(view)).toBe('?period=lastMonth');
  });
});
