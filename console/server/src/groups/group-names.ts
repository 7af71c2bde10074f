import type { GroupRecord } from '../store/types.js';

/**
 * Two groups with one parent never share a name (case and outer spaces ignored), so lists and paths
 * stay unambiguous. The sibling that already has `name` under `parentId`, if any (`exceptId`: the
 * group being renamed or moved).
 */
export function siblingWithName(
  groups: readonly GroupRecord[],
  name: string,
  parentId: number | null,
  exceptId?: number,
): GroupRecord | undefined {
  const key = name.trim().toLocaleLowerCase('nl');
  return groups.find(
    (g) => g.id !== exceptId && g.parentId === parentId && g.name.trim().toLocaleLowerCase('nl') === key,
  );
}
