import type { Role, User } from '@sluimer/shared';
import { createContext, useContext } from 'react';

/** who is logged in: the user of `POST /api/v1/login` and `GET /api/v1/me` */
export type SessionUser = Pick<User, 'username' | 'role'>;

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
