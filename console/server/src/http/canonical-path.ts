import { ErrorCode } from '@sluimer/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Canonical request paths. The router (find-my-way) is lenient: it percent-decodes the path before
 * matching (`/%61pi/v1/users` finds `/api/v1/users`, `/api/v1/devices/%35` gives id `5`) and accepts
 * absolute-form targets (`GET http://x/api/v1/audit`). Every security decision reads the matched
 * route, but a second spelling of a path is still a second door: caches, logs, proxies and people
 * reading the audit log all see the raw string. So a request reaches a route only when the raw path
 * it sent is exactly the route's pattern with its parameters filled in the one canonical way; any
 * other spelling gets 404, as if no route matched.
 *
 * The router options that decide what counts as "the same path" are set explicitly (see
 * ROUTER_OPTIONS); together with this check there is exactly one spelling per route.
 */

/**
 * Fastify router options, chosen deliberately:
 * - caseSensitive: `/API/v1/users` is not `/api/v1/users` (404);
 * - ignoreTrailingSlash: false, `/api/v1/users/` is another path (404);
 * - ignoreDuplicateSlashes: false, `//api//v1/users` is another path (404);
 * - useSemicolonDelimiter: false, `;jsessionid=…` is part of the path, not a parameter (404).
 */
export const ROUTER_OPTIONS = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  useSemicolonDelimiter: false,
} as const;

/** route patterns whose canonical form this module can build: static text, `:name` segments and a final `*` */
const PATTERN = /^\/(?:[A-Za-z0-9._~!$&'()+,=@-]|:[A-Za-z_][A-Za-z0-9_]*(?=\/|$)|\/)*(?:\*)?$/;

/** throws when a route pattern uses router syntax (regex params, `::`, params inside a segment) this check cannot rebuild */
export function assertCanonicalPattern(pattern: string): void {
  if (!PATTERN.test(pattern)) {
    throw new Error(
      `route ${pattern}: only static segments, whole-segment :params and a final * are allowed, so the canonical-path check can rebuild its paths`,
    );
  }
}

/**
 * The one raw path a client may send for this route pattern and these (decoded) parameters, or null
 * when there is none: a named parameter is never empty (`/api/v1/groups/` is not group ""), never a
 * dot segment and never holds a slash (`/groups/2%2Fenroll-secrets` is not group "2/enroll-secrets").
 */
export function canonicalPath(pattern: string, params: Record<string, string | undefined>): string | null {
  let impossible = false;
  let path = pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const value = params[name] ?? '';
    if (value === '' || value === '.' || value === '..' || value.includes('/')) impossible = true;
    return encodeURIComponent(value);
  });
  if (impossible) return null;
  if (path.endsWith('*')) {
    const rest = (params['*'] ?? '').split('/').map(encodeURIComponent).join('/');
    path = path.slice(0, -1) + rest;
  }
  return path;
}

/** the path part of the raw request target (everything before the first `?`) */
export function rawPathOf(rawUrl: string | undefined): string {
  const url = rawUrl ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Whether an unmatched GET may get the web app's index.html (its own router shows the page): only a
 * plain path (origin-form, unreserved characters, no empty or dot segments) outside /api. Every
 * other unmatched request, including each odd spelling of an API path, gets the API's JSON 404.
 */
export function isWebAppPath(rawPath: string): boolean {
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(rawPath)) return false;
  const segments = rawPath.slice(1).split('/');
  if (segments.slice(0, -1).some((s) => s === '' || s === '.' || s === '..')) return false;
  const last = segments[segments.length - 1];
  if (last === '.' || last === '..') return false;
  return segments[0]?.toLowerCase() !== 'api';
}

const nonCanonical = new WeakSet<FastifyRequest>();

/** The route the router matched, or null when none did or the raw path was not its canonical spelling. */
export function matchedRoute(request: FastifyRequest): { url: string } | null {
  if (request.is404 || nonCanonical.has(request)) return null;
  const url = request.routeOptions.url;
  return url === undefined ? null : { url };
}

/** Answers 404 (JSON) for any request whose raw path is not the canonical spelling of the route it matched. */
export function installCanonicalPaths(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    assertCanonicalPattern(route.url);
  });
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const pattern = request.routeOptions.url ?? '';
    const raw = rawPathOf(request.raw.url);
    if (raw === canonicalPath(pattern, request.params as Record<string, string | undefined>)) return;
    nonCanonical.add(request);
    throw notFoundPath(request.method, raw);
  });
}

export function notFoundPath(method: string, rawPath: string): ApiError {
  return new ApiError(
    404,
    ErrorCode.NotFound,
    `no API endpoint ${method} ${rawPath.slice(0, 200)}; paths are case-sensitive and must be sent as written in docs/api.md (no encoded letters, dot segments, doubled or trailing slashes)`,
  );
}
