import type { EnrollSecretInfo } from './types.js';

/**
 * An enroll secret's state: revoked, expired, full (its device limit reached) or active. Reads the
 * server's `status` when it sends one and works from the optional fields otherwise.
 */
export function secretStatus(
  s: EnrollSecretInfo,
  now = Date.now(),
): 'active' | 'revoked' | 'expired' | 'full' {
  if (s.revokedAt != null || s.status === 'revoked') return 'revoked';
  if ((s.expiresAt != null && s.expiresAt <= now) || s.status === 'expired') return 'expired';
  if (s.status === 'full' || (s.deviceLimit != null && (s.devicesEnrolled ?? 0) >= s.deviceLimit))
    return 'full';
  return 'active';
}
