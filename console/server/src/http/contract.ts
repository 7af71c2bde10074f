import {
  ApiErrorBodySchema,
  contractOf,
  ErrorCode,
  openApiDocument,
  type RouteAccess,
  type RouteContract,
} from '@sluimer/shared';
import type { FastifyInstance, onRouteHookHandler, preSerializationAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import { ANY_ROLE, type DeclaredRoute } from './auth.js';
import { ApiError, parse } from './errors.js';

/**
 * The shared API contract (shared/src/api/contract.ts) applied to every route, without touching the
 * route files: an onRoute hook looks each `/api/` route up in the contract table by the method and
 * URL pattern it was registered with, and adds
 * - a preValidation hook that checks path parameters, query and body with the contract's schemas
 *   (400 `validation_failed` naming each field, as the routes' own parsing answers) — unless the
 *   entry says `requestCheck: 'handler'` (the handler parses with the same schemas itself);
 * - a preSerialization hook that serialises the answer with the response schema of its status:
 *   what the schema does not name is not sent, and an answer that breaks the contract is a 500
 *   (a bug in the console, logged with the failing fields) instead of a surprise for the web app.
 * Error bodies are checked against `{error:{code,message,details?}}`. A route missing from the table
 * goes unchecked here and fails http/contract-coverage.test.ts. Install before the routes register.
 */
export function installContract(app: FastifyInstance): void {
  const onRoute: onRouteHookHandler = (r) => {
    if (!r.url.startsWith('/api/')) return;
    const methods = [r.method].flat().map((m) => (m === 'HEAD' ? 'GET' : m));
    const c = contractOf(methods[0]!, r.url);
    if (!c || methods.some((m) => contractOf(m, r.url) !== c)) return;
    if (c.requestCheck !== 'handler' && (c.params || c.query || c.body)) {
      r.preValidation = [
        ...[r.preValidation ?? []].flat(),
        async (request) => {
          if (c.params) parse(c.params, request.params, 'path');
          if (c.query) parse(c.query, request.query, 'query');
          if (c.body) parse(c.body, request.body, 'request');
        },
      ];
    }
    r.preSerialization = [...[r.preSerialization ?? []].flat(), serialiser(c)];
  };
  app.addHook('onRoute', onRoute);
}

function serialiser(c: RouteContract): preSerializationAsyncHookHandler {
  return async (request, reply, payload) => {
    const status = reply.statusCode;
    let schema: z.ZodType | null | undefined = c.responses[status];
    if (schema === undefined && status >= 400) schema = ApiErrorBodySchema;
    const r = schema ? schema.safeParse(payload) : undefined;
    if (r?.success) return r.data;
    request.log.error(
      {
        route: `${request.method} ${request.routeOptions.url}`,
        status,
        issues: r?.error.issues.slice(0, 10) ?? 'no response schema for this status',
      },
      'answer does not match the API contract (shared/src/api)',
    );
    throw new ApiError(
      500,
      ErrorCode.Internal,
      'internal error: the answer broke the API contract; see the console log',
    );
  };
}

/**
 * `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the contract, with the access every route
 * declares. For any logged-in user (every role may read what the API offers; API clients have a
 * token anyway), not public: nothing is told to someone without an account.
 */
export function registerOpenApiRoute(app: FastifyInstance, routes: readonly DeclaredRoute[]): void {
  let doc: object | undefined;
  app.get('/api/v1/openapi.json', { config: { access: ANY_ROLE } }, async () => {
    doc ??= openApiFor(routes);
    return doc;
  });
}

/** the OpenAPI document of the contract, each operation with the access its route declares */
export function openApiFor(routes: readonly DeclaredRoute[]): object {
  return openApiDocument({
    access: Object.fromEntries(routes.map((r): [string, RouteAccess] => [`${r.method} ${r.url}`, r.access])),
  });
}
