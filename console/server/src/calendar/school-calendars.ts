import {
  ASSUMED_VACATION_REGION,
  dutchSchoolCalendar,
  type SchoolCalendar,
  type VacationRegion,
} from '@sluimer/shared';
import type { PolicyService } from '../groups/policy-service.js';
import type { GroupRecord } from '../store/types.js';

/**
 * Which school calendar holds for a group (docs/impact.md, "School calendar in the console"): the
 * nearest calendar stored on the group or an ancestor (normally the school), else the shipped Dutch
 * holidays of region midden in the group's time zone, marked as assumed so an answer can say so.
 */

/** The region the console assumes for a school that stored no calendar of its own. */
export const ASSUMED_REGION: VacationRegion = ASSUMED_VACATION_REGION;

export interface ResolvedCalendar {
  calendar: SchoolCalendar;
  /** the group the calendar is stored on; null when assumed */
  schoolId: number | null;
  /** false: no calendar stored on the group or above it, the assumed one applies */
  stored: boolean;
}

/** The shipped calendar the console assumes for a time zone (and optionally weekly hours). */
export function assumedCalendar(timeZone: string, region: VacationRegion = ASSUMED_REGION): SchoolCalendar {
  return dutchSchoolCalendar(region, { timeZone });
}

export async function resolveCalendar(policies: PolicyService, groupId: number): Promise<ResolvedCalendar> {
  const own = await policies.calendarOf(groupId);
  if (own) return { calendar: own.calendar, schoolId: own.schoolId, stored: true };
  return { calendar: assumedCalendar(await policies.timeZoneOf(groupId)), schoolId: null, stored: false };
}

/** The school a group belongs to: the nearest group of kind school on its chain, else its top group. */
export async function schoolOf(policies: PolicyService, groupId: number): Promise<GroupRecord | undefined> {
  const chain = await policies.chain(groupId);
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.kind === 'school') return chain[i];
  return chain[0];
}
