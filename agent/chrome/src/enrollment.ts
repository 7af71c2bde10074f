/**
 * When the extension (re-)enrolls: the pure rules behind the service worker's fetches. A Chromebook
 * whose device token the console refuses (the device was erased, or enrolled again elsewhere) enrolls
 * again with the managed enroll secret, as the Node agent does, and keeps its outbox: the welcome's
 * `ackedSeq` tells what the console already has, everything above it is still to be delivered.
 * Enrolling is never a loop: a failed attempt waits a growing, jittered delay, and a secret the
 * console refuses (wrong, expired, revoked, at its device limit) waits hours, or until Google Admin
 * pushes another one (the worker resets this state when the managed policy changes).
 */
/** Asked when a socket failed in a way that may mean a refused token (tokenMayBeRefused). */
export const TOKEN_CHECK_PATH = '/api/v1/agent/device';

export interface EnrollBackoff {
  /** failed attempts in a row */
  attempt: number;
  /** no attempt before this moment (epoch ms) */
  notBefore: number;
}

export const ENROLL_TIMINGS = {
  /** the first retry after a failure waits about this long */
  baseMs: 60_000,
  maxMs: 60 * 60_000,
  /** a refused secret will not start working by itself: ask again after this */
  refusedSecretMs: 6 * 3600_000,
} as const;

export type EnrollOutcome = 'enrolled' | 'secret-refused' | 'failed';

/** POST /api/v1/enroll's status (null: no answer) as an outcome. */
export function enrollOutcomeOf(status: number | null): EnrollOutcome {
  if (status === 201 || status === 200) return 'enrolled';
  // 401 bad/expired/revoked secret, 403 the secret's device limit: only IT can change that
  if (status === 401 || status === 403) return 'secret-refused';
  return 'failed'; // unreachable, 429, 5xx: try again later
}

export function mayEnroll(b: EnrollBackoff | undefined, now: number): boolean {
  return !b || now >= b.notBefore;
}

/**
 * The backoff after an attempt; `random` in [0, 1). A successful enrollment also counts: only the
 * console's welcome on the new token ends the backoff (`undefined`), so a console that takes the
 * secret but keeps refusing the socket cannot drive a loop of enrollments.
 */
export function afterEnroll(
  b: EnrollBackoff | undefined,
  outcome: EnrollOutcome,
  now: number,
  random: number,
): EnrollBackoff {
  const attempt = (b?.attempt ?? 0) + 1;
  if (outcome === 'secret-refused') return { attempt, notBefore: now + ENROLL_TIMINGS.refusedSecretMs };
  const ceiling = Math.min(ENROLL_TIMINGS.maxMs, ENROLL_TIMINGS.baseMs * 2 ** Math.min(attempt - 1, 20));
  // half fixed, half random: never sooner than half the step, and a school's devices spread out
  const r = Math.max(0, Math.min(0.999999, random));
  return { attempt, notBefore: now + Math.floor(ceiling / 2 + (ceiling / 2) * r) };
}

/**
 * A browser tells nothing about a refused WebSocket upgrade (a 401 looks like a network failure,
 * close code 1006), so a socket that never opened, or one the console closed with 4001 (device no
 * longer enrolled, or enrolled again), is a reason to ask GET /api/v1/agent/device.
 */
export function tokenMayBeRefused(opened: boolean, closeCode: number): boolean {
  return !opened || closeCode === 4001;
}

export type TokenCheck = 'accepted' | 'refused' | 'unknown';

/** GET /api/v1/agent/device's status (null: no answer): only a 401 says the token is refused. */
export function tokenCheckOf(status: number | null): TokenCheck {
  if (status === 200) return 'accepted';
  if (status === 401) return 'refused';
  return 'unknown';
}
