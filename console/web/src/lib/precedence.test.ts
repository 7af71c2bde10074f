import type { Group } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { policyLayers } from './precedence.js';

const g = (id: number, parentId: number | null, policyId: number | null = null): Group => ({
  id,
  parentId,
  name: `g${id}`,
  kind: 'room',
  timeZone: null,
  excludedReason: null,
  policyId,
  createdAt: 0,
});

describe('policy precedence', () => {
  const groups = [g(1, null, 10), g(2, 1), g(3, 2, 30)];

  it('puts the device before its room, the room before its school', () => {
    expect(policyLayers({ policyId: 99, groupId: 3 }, groups)).toEqual([
      { level: 'device', policyId: 99 },
      { level: 'group', groupId: 3, policyId: 30 },
      { level: 'group', groupId: 1, policyId: 10 },
    ]);
  });

  it('skips groups without a policy and ends at the console default (empty)', () => {
    expect(policyLayers({ policyId: null, groupId: 2 }, groups)).toEqual([
      { level: 'group', groupId: 1, policyId: 10 },
    ]);
    expect(policyLayers({ groupId: 2 }, [g(1, null), g(2, 1)])).toEqual([]);
  });

  it('survives a loop in the tree', () => {
    expect(policyLayers({ groupId: 1 }, [g(1, 2, 5), g(2, 1)])).toEqual([
      { level: 'group', groupId: 1, policyId: 5 },
    ]);
  });
});
