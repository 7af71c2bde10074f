import { CreateUserRequestSchema, ErrorCode, RoleSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword } from '../auth/crypto.js';
import { revokeAccess } from '../auth/revoke-access.js';
import { isDemotion, keepsAnAdmin } from '../auth/roles.js';
import { ConflictError } from '../store/errors.js';
import type { UserRecord } from '../store/types.js';
import { ADMIN } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

/** a user as the API shows it: never the password hash */
export const publicUser = (u: UserRecord) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
});

/** The console's user accounts (admin only). */
export function registerUserRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, now } = ctx;

  app.get('/api/v1/users', { config: { access: ADMIN } }, async (request, reply) =>
    pageOf((await store.listUsers()).map(publicUser), pageQuery(request.query, 500, 500), reply),
  );

  app.post('/api/v1/users', { config: { access: ADMIN } }, async (request, reply) => {
    const body = parse(CreateUserRequestSchema, request.body);
    try {
      const user = await store.createUser({
        username: body.username,
        passwordHash: await hashPassword(body.password),
        role: body.role,
        now: now(),
      });
      return reply.code(201).send(publicUser(user));
    } catch (err) {
      if (err instanceof ConflictError) {
        throw new ApiError(409, ErrorCode.Conflict, `user name ${body.username} is taken`);
      }
      throw err;
    }
  });

  const UserPatchSchema = z
    .object({ role: RoleSchema.optional(), password: CreateUserRequestSchema.shape.password.optional() })
    .strict();

  app.patch('/api/v1/users/:id', { config: { access: ADMIN } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(UserPatchSchema, request.body);
    const user = await store.getUser(id);
    if (!user) throw notFound(`user ${id}`);
    if (body.role && body.role !== 'admin' && user.role === 'admin') await keepOneAdmin(id);
    const updated = await store.updateUser(id, {
      ...(body.role ? { role: body.role } : {}),
      ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}),
    });
    const demoted = body.role !== undefined && isDemotion(user.role, body.role);
    if (body.password || demoted) {
      await revokeAccess(
        store,
        id,
        body.password ? 'password reset by an admin' : 'role lowered',
        request.log,
      );
    } else if (body.role) {
      await store.deleteUserSessions(id);
    }
    return publicUser(updated!);
  });

  app.delete('/api/v1/users/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const id = idParam(request.params);
    const user = await store.getUser(id);
    if (!user) throw notFound(`user ${id}`);
    if (user.role === 'admin') await keepOneAdmin(id);
    await store.deleteUser(id);
    return reply.code(204).send();
  });

  async function keepOneAdmin(losing: number) {
    if (!keepsAnAdmin(await store.listUsers(), losing))
      throw new ApiError(409, ErrorCode.Conflict, 'the console needs at least one admin');
  }
}
