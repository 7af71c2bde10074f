import type { Role } from '@sluimer/shared';

/** admin > it > viewer */
const ROLE_RANK: Record<Role, number> = { admin: 3, it: 2, viewer: 1 };

/** a change to a lower rank: it ends the user's API tokens and sessions */
export function isDemotion(from: Role, to: Role): boolean {
  return ROLE_RANK[to] < ROLE_RANK[from];
}

/** whether the console keeps at least one admin when this user stops being one */
export function keepsAnAdmin(users: readonly { id: number; role: Role }[], losing: number): boolean {
  return users.some((u) => u.role === 'admin' && u.id !== losing);
}
