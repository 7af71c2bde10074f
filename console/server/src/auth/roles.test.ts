import { describe, expect, it } from 'vitest';
import { isDemotion, keepsAnAdmin } from './roles.js';

describe('roles', () => {
  it('counts only a move to a lower rank as a demotion', () => {
    expect(isDemotion('admin', 'it')).toBe(true);
    expect(isDemotion('it', 'viewer')).toBe(true);
    expect(isDemotion('viewer', 'admin')).toBe(false);
    expect(isDemotion('it', 'it')).toBe(false);
  });

  it('keeps an admin only when another user is one', () => {
    const users = [
      { id: 1, role: 'admin' as const },
      { id: 2, role: 'it' as const },
    ];
    expect(keepsAnAdmin(users, 1)).toBe(false);
    expect(keepsAnAdmin(users, 2)).toBe(true);
    expect(keepsAnAdmin([...users, { id: 3, role: 'admin' as const }], 1)).toBe(true);
  });
});
