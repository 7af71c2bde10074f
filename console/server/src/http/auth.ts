import { ErrorCode, type Role, RoleSchema } from '@sluimer/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hashToken } from '../auth/crypto.js';
import { CSRF_COOKIE, CSRF_HEADER, csrfMatches } from '../ops/csrf.js';
import type { DeviceRecord, Store, UserRecord } from '../store/types.js';
import { matchedRoute } from './canonical-path.js';
import { ApiError } from './errors.js';
import { type HostPolicy, originAllowed } from './host-check.js';

export const SESSION_COOKIE = 'sluimer_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Who may call a route: `public` (anyone), `agent` (a device with its device token in
 * `Authorization: Bearer`), or the user roles allowed. Every route declares it in its options,
 * `{ config: { access: ... } }`; a route without one stops the console at start-up.
 */
export type Access = 'public' | 'agent' | readonly Role[];

export const ANY_ROLE: readonly Role[] = ['admin', 'it', 'viewer'];
export const STAFF: readonly Role[] = ['admin', 'it'];
export const ADMIN: readonly Role[] = ['admin'];

const AccessSchema = z.union([z.literal('public'), z.literal('agent'), z.array(RoleSchema).min(1)]);

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user: UserRecord | null;
    authVia: 'session' | 'token' | null;
    /** the device, on `agent` routes */
    device: DeviceRecord | null;
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
}

/**
 * Makes every route declare its access (Fastify onRoute hook): registering a route without a valid
 * `config.access` throws, so the console does not start. Returns the live list of declared routes
 * (HEAD twins of GET routes left out), which the route × role test walks.
 */
export function installRouteAccess(app: FastifyInstance): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  app.addHook('onRoute', (r) => {
    const declared = (r.config as { access?: unknown } | undefined)?.access;
    const parsed = AccessSchema.safeParse(declared);
    if (!parsed.success) {
      throw new Error(
        `route ${[r.method].flat().join(',')} ${r.url} declares no valid access; add config: { access: 'public' | 'agent' | [roles] }`,
      );
    }
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: r.url, access: parsed.data });
    }
  });
  return routes;
}

/**
 * Authenticates every request to a matched route that is not public (session cookie or
 * `Authorization: Bearer <apiToken>`, or a device token on `agent` routes) and checks the route's
 * roles: 401 without valid credentials, 403 for a role that may not call it, 403 csrf_failed for a
 * cookie-authenticated write from another origin or without the CSRF token. The decision reads the
 * route the router matched, never the request's URL string.
 */
export function installAuth(app: FastifyInstance, store: Store, now: () => number, hosts: HostPolicy): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('device', null);
  app.addHook('onRequest', async (request) => {
    if (!matchedRoute(request)) return; // the not-found handler answers; nothing to protect
    const access = request.routeOptions.config.access;
    if (access === undefined) {
      // unreachable: installRouteAccess refuses such routes at start-up
      throw new ApiError(500, ErrorCode.Internal, 'route declares no access');
    }
    if (access === 'public') return;
    if (access === 'agent') {
      await authenticateDevice(request, store);
      if (!request.device) {
        throw new ApiError(
          401,
          ErrorCode.Unauthorized,
          'missing or unknown device token (Authorization: Bearer <deviceToken>)',
        );
      }
      return;
    }
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
      // (another port or subdomain of the same site still gets the cookie)
      const origin = request.headers.origin;
      if (origin !== undefined && !originAllowed(hosts, origin, request)) {
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

async function authenticateDevice(request: FastifyRequest, store: Store): Promise<void> {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!m) return;
  request.device = (await store.getDeviceByTokenHash(hashToken(m[1]!))) ?? null;
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
