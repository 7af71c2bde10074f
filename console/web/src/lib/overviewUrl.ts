import { localTime } from '@sluimer/shared';
import { DEFAULT_TZ } from './format.js';
import { type Metric, parseMetric } from './metric.js';
import { customPeriod, type Period, periodFor } from './period.js';

/**
 * The overview's view in its address, so a reload keeps it and a link can be shared:
 * `?period=thisWeek|lastMonth|schoolYear` or `?from=2026-03-02&to=2026-03-08` (local dates,
 * inclusive), `&group=12`, `&metric=eur|kwh|co2` (euros when absent).
 */
export interface OverviewView {
  period: Period;
  groupId: number | undefined;
  metric: Metric;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseOverviewView(search: URLSearchParams, now: number, timeZone = DEFAULT_TZ): OverviewView {
  const kind = search.get('period');
  const from = search.get('from');
  const to = search.get('to');
  let period: Period;
  if (from && to && DATE.test(from) && DATE.test(to) && from <= to)
    period = customPeriod(from, to, now, timeZone);
  else if (kind === 'lastMonth' || kind === 'schoolYear' || kind === 'thisWeek')
    period = periodFor(kind, now, timeZone);
  else period = periodFor('thisWeek', now, timeZone);
  const g = search.get('group');
  const groupId = g && /^\d{1,12}$/.test(g) ? Number(g) : undefined;
  return { period, groupId, metric: parseMetric(search.get('metric')) };
}

export function overviewSearch(view: OverviewView, timeZone = DEFAULT_TZ): string {
  const q = new URLSearchParams();
  if (view.period.kind === 'custom') {
    q.set('from', localTime(view.period.from, timeZone).date);
    q.set('to', localTime(Math.max(view.period.from, view.period.to - 1), timeZone).date);
  } else if (view.period.kind !== 'thisWeek') q.set('period', view.period.kind);
  if (view.groupId !== undefined) q.set('group', String(view.groupId));
  if (view.metric !== 'eur') q.set('metric', view.metric);
  const s = q.toString();
  return s ? `?${s}` : '';
}
