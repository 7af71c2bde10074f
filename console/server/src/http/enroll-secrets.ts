import { CreateEnrollSecretRequestSchema, ErrorCode, parseTimeParam } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { hashToken, randomToken } from '../auth/crypto.js';
import { enrollSecretStatus } from '../auth/enroll-secrets.js';
import type { EnrollSecretRecord } from '../store/types.js';
import { STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

/** Enroll secrets: made per group, listed, revoked (the secret itself is shown once, at creation). */
export function registerEnrollSecretRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, now } = ctx;

  const secretJson = (s: EnrollSecretRecord) => ({ ...s, status: enrollSecretStatus(s, now()) });

  app.post('/api/v1/groups/:id/enroll-secrets', { config: { access: STAFF } }, async (request, reply) => {
    const groupId = idParam(request.params);
    if (!(await store.getGroup(groupId))) throw notFound(`group ${groupId}`);
    const body = parse(CreateEnrollSecretRequestSchema, request.body ?? {});
    let expiresAt: number | null = null;
    if (body.expiresAt !== undefined) {
      expiresAt = typeof body.expiresAt === 'number' ? body.expiresAt : parseTimeParam(body.expiresAt);
      if (!Number.isFinite(expiresAt)) {
        throw new ApiError(400, ErrorCode.Validation, 'expiresAt must be ISO 8601 or epoch milliseconds');
      }
      if (expiresAt <= now())
        throw new ApiError(400, ErrorCode.Validation, 'expiresAt must lie in the future');
    }
    const secret = randomToken('ses_');
    const rec = await store.createEnrollSecret({
      groupId,
      secretHash: hashToken(secret),
      note: body.note,
      expiresAt,
      deviceLimit: body.deviceLimit ?? null,
      now: now(),
    });
    return reply.code(201).send({ ...secretJson(rec), secret });
  });

  app.get('/api/v1/groups/:id/enroll-secrets', { config: { access: STAFF } }, async (request, reply) => {
    const groupId = idParam(request.params);
    const page = pageQuery(request.query, 500, 500);
    if (!(await store.getGroup(groupId))) throw notFound(`group ${groupId}`);
    return pageOf((await store.listEnrollSecrets(groupId)).map(secretJson), page, reply);
  });

  app.get('/api/v1/enroll-secrets', { config: { access: STAFF } }, async (request, reply) =>
    pageOf((await store.listEnrollSecrets()).map(secretJson), pageQuery(request.query, 1000, 1000), reply),
  );

  app.delete('/api/v1/enroll-secrets/:id', { config: { access: STAFF } }, async (request) => {
    const rec = await store.revokeEnrollSecret(idParam(request.params), now());
    if (!rec) throw notFound('enroll secret');
    return secretJson(rec);
  });
}
