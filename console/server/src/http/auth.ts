import { ErrorCode, type Role } from '@sluimer/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashToken } from '../crypto.js';
import { CSRF_COOKIE, CSRF_HEADER, csrfMatches } from '../ops/csrf.js';
import type { Store, UserRecord } from '../store/types.js';
import { ApiError } from './errors.js';

export const SESSION_COOKIE = 'sluimer_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Who may call a route: `public`, or the roles allowed. Every /api route declares it. */
export type Access = 'public' | readonly Role[];

export const ANY_ROLE: readonly Role[] = ['admin', 'it', 'viewer'];
export const STAFF: readonly Role[] = ['admin', 'it'];
export const ADMIN: readonly Role[] = ['admin'];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user: UserRecord | null;
    authVia: 'session' | 'token' | null;
  }
}

/**
 * Authenticates every /api request (session cookie or `Authorization: Bearer <apiToken>`) and checks
 * the route's roles: 401 without valid credentials, 403 for a role that may not call it. A route that
 * forgot to declare its access is admin-only.
 */
export function installAuth(app: FastifyInstance, store: Store, now: () => number): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.is404) return;
    const access = request.routeOptions.config?.access ?? ADMIN;
    if (access === 'public') return;
    await authenticate(request, store, now());
    if (!request.user) {
      throw new ApiError(
        401,
        ErrorCode.Unauthorized,
        'log in first (session cookie or Authorization: Bearer <apiToken>)',
      );
    }
    if (!access.includes(request.user.role)) {
      throw new ApiError(
        403,
        ErrorCode.Forbidden,
        `role ${request.user.role} may not do this; needs ${access.join(' or ')}`,
      );
    }
    if (request.authVia === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      // SameSite=Strict already keeps the cookie off cross-site requests; refuse a foreign Origin too
      const origin = request.headers.origin;
      if (origin && originHost(origin) !== request.headers.host) {
        throw new ApiError(403, ErrorCode.CsrfFailed, 'request from another origin refused');
      }
      if (!csrfMatches(request.cookies[SESSION_COOKIE] ?? '', request.headers[CSRF_HEADER])) {
        throw new ApiError(
          403,
          ErrorCode.CsrfFailed,
          `missing or wrong ${CSRF_HEADER} header; send the value of the ${CSRF_COOKIE} cookie (log in again if it is gone)`,
        );
      }
    }
  });
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export async function authenticate(request: FastifyRequest, store: Store, at: number): Promise<void> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m) {
      const found = await store.authenticateApiToken(hashToken(m[1]!), at);
      if (found?.expired) {
        throw new ApiError(
          401,
          ErrorCode.TokenExpired,
          'this API token has expired; make a new one in Settings (Instellingen) and use that',
        );
      }
      if (found) {
        request.user = found.user;
        request.authVia = 'token';
      }
    }
    return;
  }
  const sid = request.cookies?.[SESSION_COOKIE];
  if (sid) {
    const user = await store.getSessionUser(hashToken(sid), at);
    if (user) {
      request.user = user;
      request.authVia = 'session';
    }
  }
}
