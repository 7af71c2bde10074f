import type { EnrollSecret } from '@sluimer/shared';

/**
 * An enroll secret's state as the page shows it: the server's status (revoked, expired, active),
 * and `full` for an active secret that has enrolled its device limit.
 */
export function secretStatus(
  s: Pick<EnrollSecret, 'status' | 'deviceLimit' | 'devicesEnrolled'>,
): 'active' | 'revoked' | 'expired' | 'full' {
  if (s.status !== 'active') return s.status;
  if (s.deviceLimit !== null && s.devicesEnrolled >= s.deviceLimit) return 'full';
  return 'active';
}
