import type { Store } from '../store/types.js';

/** after a new password or a lower role: what was handed out under the old one stops working */
export async function revokeAccess(
  store: Store,
  userId: number,
  why: string,
  log: { info(obj: object, msg: string): void },
): Promise<void> {
  const revoked = await store.revokeUserApiTokens(userId);
  await store.deleteUserSessions(userId);
  log.info({ userId, revoked }, `API tokens revoked and sessions ended: ${why}`);
}
