import { describe, expect, it } from 'vitest';
import type { GroupRecord } from '../store/types.js';
import { siblingWithName } from './group-names.js';

const group = (id: number, name: string, parentId: number | null) => ({ id, name, parentId }) as GroupRecord;

describe('siblingWithName', () => {
  const groups = [group(1, 'Het Baken', null), group(2, 'Lokaal 1', 1), group(3, 'Lokaal 2', 1)];

  it('finds a sibling with the same name, ignoring case and outer spaces', () => {
    expect(siblingWithName(groups, '  lokaal 1 ', 1)?.id).toBe(2);
  });

  it('allows the same name under another parent, and a group keeping its own name', () => {
    expect(siblingWithName(groups, 'Lokaal 1', null)).toBeUndefined();
    expect(siblingWithName(groups, 'Lokaal 1', 1, 2)).toBeUndefined();
  });
});
