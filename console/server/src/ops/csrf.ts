import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF protection for cookie-authenticated writes (double submit, bound to the session). At login
 * the console sets, next to the HttpOnly session cookie, a readable `sluimer_csrf` cookie whose value
 * is derived from the session id. The web app copies it into the `X-CSRF-Token` header of every
 * write; another site can neither read the cookie nor set that header without a CORS preflight the
 * console never allows. API tokens (`Authorization: Bearer`) are not sent by browsers on their own
 * and need no CSRF token.
 */
export const CSRF_COOKIE = 'sluimer_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** the CSRF token of a session: HMAC of the session id, so it is worthless without the session */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', 'sluimer-csrf-v1').update(sessionId).digest('base64url');
}

/** whether the request's header carries the session's CSRF token */
export function csrfMatches(sessionId: string, header: string | string[] | undefined): boolean {
  const given = Array.isArray(header) ? header[0] : header;
  if (!given) return false;
  const a = Buffer.from(csrfTokenFor(sessionId));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
