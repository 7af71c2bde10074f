import { z } from 'zod';
import { SchoolCalendarSchema, VacationRegionSchema } from '../calendar/school-calendar.js';

/**
 * School calendars (docs/impact.md "School calendar", docs/api.md "School calendar"): per school its
 * hours, region, vacations, holidays and study days. The body of `PUT` is a SchoolCalendar itself.
 */

/** the region whose shipped vacations apply to a school without a stored calendar, and a template's default */
export const ASSUMED_VACATION_REGION = 'midden' as const;

/** `GET /api/v1/calendar/template` query */
export const CalendarTemplateQuerySchema = z
  .object({
    region: VacationRegionSchema.default(ASSUMED_VACATION_REGION),
    /** take the time zone of this group */
    groupId: z.coerce.number().int().positive().optional(),
  })
  .strict();

/** `GET` / `PUT /api/v1/groups/:id/calendar`: the calendar that applies to a group and where it comes from */
export const GroupCalendarSchema = z.object({
  groupId: z.number().int(),
  /** the school the calendar comes from; null: assumed (nothing stored) */
  schoolId: z.number().int().nullable(),
  /** false: nothing stored, the shipped Dutch holidays of the assumed region apply */
  stored: z.boolean(),
  /** true when the calendar is the group's own, false when inherited or assumed */
  own: z.boolean(),
  updatedAt: z.number().nullable(),
  calendar: SchoolCalendarSchema,
});
export type GroupCalendar = z.infer<typeof GroupCalendarSchema>;
