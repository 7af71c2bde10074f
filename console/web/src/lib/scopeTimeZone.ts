import type { Group, GroupDetail } from '@sluimer/shared';
import { DEFAULT_TZ } from './format.js';

/**
 * The time zone the overview shows a scope in: the chosen group's `effectiveTimeZone` as the API
 * resolves it (a room or subgroup without a zone of its own inherits its school's), once the detail
 * of that very group has arrived; until then the group's own zone, else Amsterdam.
 */
export function scopeTimeZone(
  groupId: number | undefined,
  groups: readonly Pick<Group, 'id' | 'timeZone'>[],
  detail: Pick<GroupDetail, 'id' | 'effectiveTimeZone'> | undefined,
): string {
  if (groupId === undefined) return DEFAULT_TZ;
  if (detail?.id === groupId) return detail.effectiveTimeZone;
  return groups.find((g) => g.id === groupId)?.timeZone ?? DEFAULT_TZ;
}
