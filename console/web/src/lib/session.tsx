import type { Role } from '@sluimer/shared';
import { createContext, useContext } from 'react';

export interface SessionUser {
  username: string;
  role: Role;
}

/** Pulls the user out of a login or "who am I" answer, whatever wrapper the server used. */
export function parseUser(body: unknown): SessionUser | undefined {
  const b = body as Record<string, unknown> | undefined;
  const u = (b && typeof b.user === 'object' && b.user ? b.user : b) as Record<string, unknown> | undefined;
  if (!u || typeof u.username !== 'string') return undefined;
  const role = u.role;
  if (role !== 'admin' && role !== 'it' && role !== 'viewer') return undefined;
  return { username: u.username, role };
}

export const can = {
  editDevices: (r: Role) => r === 'admin' || r === 'it',
  editPolicies: (r: Role) => r === 'admin' || r === 'it',
  editGroups: (r: Role) => r === 'admin' || r === 'it',
  seeSettings: (r: Role) => r === 'admin',
  /** blocker process names are shown to IT only (privacy by design) */
  seeBlockerNames: (r: Role) => r === 'admin' || r === 'it',
};

export const SessionCtx = createContext<{ user: SessionUser; logout: () => void } | null>(null);

export function useSession() {
  const s = useContext(SessionCtx);
  if (!s) throw new Error('useSession outside a session');
  return s;
}
