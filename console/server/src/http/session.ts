import { ChangePasswordRequestSchema, ErrorCode, LoginRequestSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { hashPassword, hashToken, needsRehash, randomToken } from '../auth/crypto.js';
import { revokeAccess } from '../auth/revoke-access.js';
import { CSRF_COOKIE, csrfTokenFor } from '../ops/csrf.js';
import { ANY_ROLE, SESSION_COOKIE, SESSION_TTL_MS } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, parse } from './errors.js';
import type { LoginGuard } from './login-guard.js';
import { publicUser } from './users.js';

/** The session of a person in the web app: log in, log out, who am I, change my own password. */
export function registerSessionRoutes(app: FastifyInstance, ctx: RouteContext, login: LoginGuard): void {
  const { store, now } = ctx;

  app.post('/api/v1/login', { config: { access: 'public' } }, async (request, reply) => {
    const address = request.ip;
    login.takeAttempt(address);
    const body = parse(LoginRequestSchema, request.body);
    const user = await login.checkPassword(body.username, body.password, address);
    if (!user) throw new ApiError(401, ErrorCode.Unauthorized, 'wrong user name or password');
    if (needsRehash(user.passwordHash)) {
      // a hash made at an older, lower cost: upgrade it now that the password is at hand
      const upgraded = await store.rehashPassword(
        user.id,
        user.passwordHash,
        await hashPassword(body.password),
      );
      if (upgraded) request.log.info({ userId: user.id }, 'password hash upgraded to the current cost');
    }
    const sid = randomToken();
    const t = now();
    await store.createSession({
      idHash: hashToken(sid),
      userId: user.id,
      now: t,
      expiresAt: t + SESSION_TTL_MS,
    });
    reply.setCookie(SESSION_COOKIE, sid, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.tls,
      maxAge: SESSION_TTL_MS / 1000,
    });
    // readable by the web app, which echoes it in X-CSRF-Token on every write (ops/csrf.ts)
    const csrfToken = csrfTokenFor(sid);
    reply.setCookie(CSRF_COOKIE, csrfToken, {
      path: '/',
      httpOnly: false,
      sameSite: 'strict',
      secure: ctx.tls,
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user: publicUser(user), expiresAt: t + SESSION_TTL_MS, csrfToken };
  });

  app.post('/api/v1/logout', { config: { access: 'public' } }, async (request, reply) => {
    const sid = request.cookies?.[SESSION_COOKIE];
    if (sid) await store.deleteSession(hashToken(sid));
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls });
    reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure: ctx.tls });
    return reply.code(204).send();
  });

  app.get('/api/v1/me', { config: { access: ANY_ROLE } }, async (request) => publicUser(request.user!));

  // a user changes their own password: the current one is checked under the login lockout
  app.post('/api/v1/me/password', { config: { access: ANY_ROLE } }, async (request, reply) => {
    const body = parse(ChangePasswordRequestSchema, request.body);
    const me = request.user!;
    const user = await login.checkPassword(me.username, body.currentPassword, request.ip);
    if (!user || user.id !== me.id) {
      throw new ApiError(400, ErrorCode.Validation, 'the current password is wrong', [
        { path: 'currentPassword', message: 'wrong password' },
      ]);
    }
    await store.updateUser(me.id, { passwordHash: await hashPassword(body.newPassword) });
    await revokeAccess(store, me.id, 'own password changed', request.log);
    // this session ended with the others: log in again with the new password
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls });
    reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure: ctx.tls });
    return reply.code(204).send();
  });
}
