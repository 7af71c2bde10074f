import {
  AdminTokenQuerySchema,
  API_TOKEN_DAYS,
  type ApiToken,
  CreateApiTokenRequestSchema,
  DAY_MS,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { hashToken, randomToken } from '../auth/crypto.js';
import type { ApiTokenListItem } from '../store/types.js';
import { ADMIN, ANY_ROLE } from './auth.js';
import type { RouteContext } from './context.js';
import { idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

/** API tokens: a user's own (/tokens), and every user's for an admin (/admin/tokens) */
export function registerTokenRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, now } = ctx;

  const tokenJson = (tk: ApiTokenListItem): ApiToken => ({
    ...tk,
    status: tk.expiresAt <= now() ? 'expired' : 'active',
  });

  app.get('/api/v1/tokens', { config: { access: ANY_ROLE } }, async (request, reply) =>
    pageOf(
      (await store.listApiTokens({ userId: request.user!.id })).map(tokenJson),
      pageQuery(request.query, 500, 500),
      reply,
    ),
  );

  app.post('/api/v1/tokens', { config: { access: ANY_ROLE } }, async (request, reply) => {
    const body = parse(CreateApiTokenRequestSchema, request.body);
    const token = randomToken('sat_');
    const t = now();
    const rec = await store.createApiToken({
      userId: request.user!.id,
      name: body.name,
      tokenHash: hashToken(token),
      now: t,
      expiresAt: t + (body.expiresInDays ?? API_TOKEN_DAYS.default) * DAY_MS,
    });
    return reply.code(201).send({ ...tokenJson({ ...rec, username: request.user!.username }), token });
  });

  app.delete('/api/v1/tokens/:id', { config: { access: ANY_ROLE } }, async (request, reply) => {
    if (!(await store.deleteApiToken(request.user!.id, idParam(request.params)))) throw notFound('token');
    return reply.code(204).send();
  });

  // every user's tokens, for an admin to see and revoke (own routes, so the role check stays the route's)
  app.get('/api/v1/admin/tokens', { config: { access: ADMIN } }, async (request, reply) => {
    const q = parse(AdminTokenQuerySchema, request.query, 'query');
    if (q.userId !== undefined && !(await store.getUser(q.userId))) throw notFound(`user ${q.userId}`);
    const tokens = await store.listApiTokens(q.userId === undefined ? {} : { userId: q.userId });
    return pageOf(tokens.map(tokenJson), pageQuery(request.query, 1000, 1000), reply);
  });

  app.delete('/api/v1/admin/tokens/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const id = idParam(request.params);
    if (!(await store.revokeApiToken(id))) throw notFound(`token ${id}`);
    request.log.info({ tokenId: id, by: request.user!.id }, 'API token revoked by an admin');
    return reply.code(204).send();
  });
}
