import type { EnrollSecretRecord } from '../store/types.js';

export type EnrollSecretStatus = 'active' | 'revoked' | 'expired';

/** whether a device may still enroll with this secret at `now`: revoked wins over expired */
export function enrollSecretStatus(
  s: Pick<EnrollSecretRecord, 'revokedAt' | 'expiresAt'>,
  now: number,
): EnrollSecretStatus {
  if (s.revokedAt !== null) return 'revoked';
  return s.expiresAt !== null && s.expiresAt <= now ? 'expired' : 'active';
}
