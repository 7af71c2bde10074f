import type { Group } from '@sluimer/shared';

/**
 * Where a device's policy comes from, by the console's precedence: the device itself, else the
 * nearest group up its tree with a policy (room before building before school before board), else
 * the console default. Returns every layer that sets a policy, most specific first.
 */
export function policyLayers(
  device: { policyId?: number | null; groupId: number },
  groups: readonly Group[],
): { level: 'device' | 'group'; groupId?: number; policyId: number }[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const out: { level: 'device' | 'group'; groupId?: number; policyId: number }[] = [];
  if (device.policyId) out.push({ level: 'device', policyId: device.policyId });
  const seen = new Set<number>();
  let g = byId.get(device.groupId);
  while (g && !seen.has(g.id)) {
    seen.add(g.id);
    if (g.policyId) out.push({ level: 'group', groupId: g.id, policyId: g.policyId });
    g = g.parentId != null ? byId.get(g.parentId) : undefined;
  }
  return out;
}
