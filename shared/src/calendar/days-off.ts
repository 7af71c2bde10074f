import { type DayOff, MAX_DAYS_OFF } from '../policy.js';
import { type SchoolCalendar, schoolYearOf } from './school-calendar.js';

/**
 * The days off a console sends an agent in its effective policy (`policy.daysOff`, docs/api.md
 * "Protocol extensions"): the calendar's vacations, holidays and study days that touch the current or
 * the next school year (1 August to 31 July) of the school's local date `today`, earliest first, at
 * most MAX_DAYS_OFF. A window of whole school years keeps the policy (and its etag) the same all year:
 * it changes when the school edits its calendar or on 1 August, not every day. Pure.
 */
export function daysOffFor(calendar: SchoolCalendar, today: string): DayOff[] {
  const year = schoolYearOf(today);
  const from = `${year}-08-01`;
  const to = `${year + 2}-07-31`;
  const out: DayOff[] = [];
  for (const v of calendar.vacations) out.push({ kind: 'vacation', start: v.start, end: v.end });
  for (const h of calendar.holidays) out.push({ kind: 'holiday', start: h.date, end: h.date });
  for (const s of calendar.studyDays) out.push({ kind: 'study_day', start: s.date, end: s.date });
  return out
    .filter((d) => d.end >= from && d.start <= to)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.kind < b.kind ? -1 : 1))
    .slice(0, MAX_DAYS_OFF);
}
