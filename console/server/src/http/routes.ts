import {
  AdminTokenQuerySchema,
  API_TOKEN_DAYS,
  type ApiToken,
  AssignRequestSchema,
  ChangePasswordRequestSchema,
  CreateApiTokenRequestSchema,
  CreateEnrollSecretRequestSchema,
  CreateGroupRequestSchema,
  CreateUserRequestSchema,
  classifyDevice,
  DAY_MS,
  DeviceUpdateRequestSchema,
  EnrollRequestSchema,
  ErrorCode,
  isValidTimeZone,
  LoginRequestSchema,
  PolicyRequestSchema,
  parseTimeParam,
  type Role,
  RoleSchema,
  SettingsSchema,
  SettingsUpdateRequestSchema,
  UnassignRequestSchema,
  UpdateGroupRequestSchema,
  UsageQuerySchema,
} from '@sluimer/shared';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Gateway } from '../agents/gateway.js';
import {
  dummyPasswordHash,
  hashPassword,
  hashToken,
  needsRehash,
  randomToken,
  verifyPassword,
} from '../crypto.js';
import { deviceLifecycle } from '../device-lifecycle.js';
import { deviceStateOf, policyStatusFor } from '../device-status.js';
import { effectiveClass } from '../energy-profile.js';
import {
  beginLogin,
  DEFAULT_LOCKOUT_POLICY,
  endLogin,
  type LockoutPolicy,
  newLockoutState,
} from '../login-lockout.js';
import { CSRF_COOKIE, csrfTokenFor } from '../ops/csrf.js';
import type { PolicyService } from '../policy-service.js';
import { RateLimiter } from '../rate-limit.js';
import { ConflictError, LimitReachedError } from '../store/sqlite.js';
import type {
  ApiTokenListItem,
  DeviceRecord,
  EnrollSecretRecord,
  GroupKind,
  GroupRecord,
  PolicyRecord,
  Store,
  UserRecord,
} from '../store/types.js';
import { computeUsage } from '../usage.js';
import { ADMIN, ANY_ROLE, SESSION_COOKIE, SESSION_TTL_MS, STAFF } from './auth.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

export interface RouteDeps {
  store: Store;
  policies: PolicyService;
  gateway: Gateway;
  now: () => number;
  /** whether the console serves HTTPS (session cookies get `Secure`) */
  tls: boolean;
  limits?: Partial<HttpLimits>;
  /** SLUIMER_PUBLIC_URL (an origin), for the install commands in the web app */
  publicUrl?: string;
}

export interface HttpLimits {
  /** smart lockout of failed logins (login-lockout.ts, docs/security.md) */
  loginLockout: LockoutPolicy;
  /** login attempts per address, good or bad (refills over 15 minutes): a cap on hashing work */
  loginAttemptsPerAddress: number;
  /** enrollments per address at once, and per second after that */
  enrollBurst: number;
  enrollPerSec: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  loginLockout: DEFAULT_LOCKOUT_POLICY,
  loginAttemptsPerAddress: 100,
  enrollBurst: 1000,
  enrollPerSec: 20,
};

const FIFTEEN_MIN_S = 15 * 60;

const publicUser = (u: UserRecord) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
});

const MAX_RANGE_MS = 5 * 366 * 24 * 3600 * 1000;
/** devices per page of GET /api/v1/devices (default and most) */
const MAX_DEVICE_PAGE = 1000;
/** group and device ids listed per policy at most; groupCount/deviceCount give the full numbers */
const MAX_ASSIGNED_IDS = 1000;

/** admin > it > viewer: a change to a lower rank is a demotion and ends the user's tokens */
const ROLE_RANK: Record<Role, number> = { admin: 3, it: 2, viewer: 1 };

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, policies, gateway, now } = deps;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  // in this process's memory: a restart forgets it, and several console processes do not share it
  const lockout = newLockoutState();
  const loginPerAddress = new RateLimiter(
    limits.loginAttemptsPerAddress,
    limits.loginAttemptsPerAddress / FIFTEEN_MIN_S,
  );
  const enrollPerAddress = new RateLimiter(limits.enrollBurst, limits.enrollPerSec);
  const tooMany = (message: string, waitMs: number) =>
    new ApiError(429, ErrorCode.TooManyRequests, message, undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
    });

  /**
   * The user, when the password is right; undefined when the name is unknown or the password wrong
   * (the same answer, after the same scrypt work). Goes through the smart lockout: a locked attempt
   * throws 429 before any password is checked.
   */
  async function checkPassword(username: string, password: string, address: string) {
    const attempt = { account: username.toLowerCase(), address, now: now() };
    const decision = beginLogin(lockout, limits.loginLockout, attempt);
    if (!decision.allowed) {
      if (decision.scope === 'in_flight') {
        throw tooMany('another login from this address is being checked; try again', decision.retryAfterMs);
      }
      const minutes = Math.ceil(decision.retryAfterMs / 60_000);
      throw new ApiError(
        429,
        ErrorCode.LoginLocked,
        `too many failed logins; wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`,
        { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) },
        { 'Retry-After': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) },
      );
    }
    let outcome: 'success' | 'failure' | 'error' = 'error';
    let user: UserRecord | undefined;
    try {
      user = await store.getUserByName(username);
      // an unknown name costs the same scrypt work as a known one
      const ok = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash());
      outcome = user && ok ? 'success' : 'failure';
    } finally {
      endLogin(lockout, limits.loginLockout, { ...attempt, now: now() }, outcome);
    }
    return outcome === 'success' ? user : undefined;
  }

  /** after a new password or a lower role: what was handed out under the old one stops working */
  async function revokeAccess(userId: number, why: string, log: FastifyBaseLogger) {
    const revoked = await store.revokeUserApiTokens(userId);
    await store.deleteUserSessions(userId);
    log.info({ userId, revoked }, `API tokens revoked and sessions ended: ${why}`);
  }

  const policyChanged = async (deviceIds?: number[]) => {
    policies.invalidate();
    return gateway.pushPolicies(deviceIds);
  };

  // ---- public ----

  app.get('/api/v1/health', { config: { access: 'public' } }, async () => ({
    ok: true,
    agentsOnline: gateway.connectionCount,
    // the address devices use (install commands); null when not configured
    publicUrl: deps.publicUrl ?? null,
  }));

  app.post('/api/v1/login', { config: { access: 'public' } }, async (request, reply) => {
    const address = request.ip;
    if (!loginPerAddress.take(address)) {
      throw tooMany(
        'too many login attempts from this address; wait and try again',
        loginPerAddress.waitMs(address),
      );
    }
    const body = parse(LoginRequestSchema, request.body);
    const user = await checkPassword(body.username, body.password, address);
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
      secure: deps.tls,
      maxAge: SESSION_TTL_MS / 1000,
    });
    // readable by the web app, which echoes it in X-CSRF-Token on every write (ops/csrf.ts)
    const csrfToken = csrfTokenFor(sid);
    reply.setCookie(CSRF_COOKIE, csrfToken, {
      path: '/',
      httpOnly: false,
      sameSite: 'strict',
      secure: deps.tls,
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user: publicUser(user), expiresAt: t + SESSION_TTL_MS, csrfToken };
  });

  app.post('/api/v1/logout', { config: { access: 'public' } }, async (request, reply) => {
    const sid = request.cookies?.[SESSION_COOKIE];
    if (sid) await store.deleteSession(hashToken(sid));
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.tls });
    reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure: deps.tls });
    return reply.code(204).send();
  });

  app.post('/api/v1/enroll', { config: { access: 'public' } }, async (request, reply) => {
    const address = request.ip;
    if (!enrollPerAddress.take(address)) {
      throw tooMany(
        'too many enrollments from this address; wait and try again',
        enrollPerAddress.waitMs(address),
      );
    }
    const body = parse(EnrollRequestSchema, request.body, 'enrollment');
    const secret = await store.findEnrollSecret(hashToken(body.enrollSecret));
    const t = now();
    if (!secret) {
      throw new ApiError(
        401,
        ErrorCode.BadEnrollSecret,
        'enroll secret is unknown; ask IT for a valid secret for this school or room',
      );
    }
    if (secret.revokedAt !== null) {
      throw new ApiError(
        401,
        ErrorCode.EnrollSecretRevoked,
        'enroll secret is revoked; ask IT for a valid secret for this school or room',
      );
    }
    if (secret.expiresAt !== null && secret.expiresAt <= t) {
      throw new ApiError(
        401,
        ErrorCode.EnrollSecretExpired,
        'enroll secret is expired; ask IT for a valid secret for this school or room',
      );
    }
    const decision = classifyDevice(body.inventory);
    const deviceToken = randomToken('sdt_');
    const { deviceId, created } = await store
      .enrollDevice({
        secret: { id: secret.id, deviceLimit: secret.deviceLimit },
        installId: body.installId,
        tokenHash: hashToken(deviceToken),
        groupId: secret.groupId,
        hostname: body.hostname,
        inventory: body.inventory,
        detectedClass: decision.deviceClass,
        classReview: decision.review,
        now: t,
      })
      .catch((err: unknown) => {
        if (err instanceof LimitReachedError) {
          throw new ApiError(
            403,
            ErrorCode.EnrollLimitReached,
            `enroll secret has enrolled its limit of ${secret.deviceLimit} devices; ask IT for a new secret or a higher limit`,
          );
        }
        throw err;
      });
    if (!created) gateway.disconnect(deviceId, 4001, 'device enrolled again; its old token no longer works');
    request.log.debug({ deviceId, created, groupId: secret.groupId }, 'device enrolled');
    return reply.code(201).send({ deviceId, deviceToken });
  });

  // ---- me, API tokens ----

  app.get('/api/v1/me', { config: { access: ANY_ROLE } }, async (request) => publicUser(request.user!));

  // a user changes their own password: the current one is checked under the login lockout
  app.post('/api/v1/me/password', { config: { access: ANY_ROLE } }, async (request, reply) => {
    const body = parse(ChangePasswordRequestSchema, request.body);
    const me = request.user!;
    const user = await checkPassword(me.username, body.currentPassword, request.ip);
    if (!user || user.id !== me.id) {
      throw new ApiError(400, ErrorCode.Validation, 'the current password is wrong', [
        { path: 'currentPassword', message: 'wrong password' },
      ]);
    }
    await store.updateUser(me.id, { passwordHash: await hashPassword(body.newPassword) });
    await revokeAccess(me.id, 'own password changed', request.log);
    // this session ended with the others: log in again with the new password
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.tls });
    reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure: deps.tls });
    return reply.code(204).send();
  });

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

  // ---- users (admin) ----

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
    const demoted = body.role !== undefined && ROLE_RANK[body.role] < ROLE_RANK[user.role];
    if (body.password || demoted) {
      await revokeAccess(id, body.password ? 'password reset by an admin' : 'role lowered', request.log);
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
    const admins = (await store.listUsers()).filter((u) => u.role === 'admin' && u.id !== losing);
    if (admins.length === 0)
      throw new ApiError(409, ErrorCode.Conflict, 'the console needs at least one admin');
  }

  // ---- groups ----

  const groupJson = (g: GroupRecord) => g;

  // the web app draws the whole tree from one answer: a generous default, still bounded
  app.get('/api/v1/groups', { config: { access: ANY_ROLE } }, async (request, reply) =>
    pageOf((await store.listGroups()).map(groupJson), pageQuery(request.query, 5000, 5000), reply),
  );

  app.get('/api/v1/groups/:id', { config: { access: ANY_ROLE } }, async (request) => {
    const id = idParam(request.params);
    const g = await store.getGroup(id);
    if (!g) throw notFound(`group ${id}`);
    return { ...groupJson(g), effectiveTimeZone: await policies.timeZoneOf(id) };
  });

  /** two groups with one parent never share a name (case and outer spaces ignored): lists stay unambiguous */
  const assertFreeGroupName = async (name: string, parentId: number | null, exceptId?: number) => {
    const key = name.trim().toLocaleLowerCase('nl');
    const clash = (await store.listGroups()).find(
      (g) => g.id !== exceptId && g.parentId === parentId && g.name.trim().toLocaleLowerCase('nl') === key,
    );
    if (clash) {
      throw new ApiError(409, ErrorCode.Conflict, `a group named ${clash.name} already exists there`, {
        reason: 'duplicate_name',
        groupId: clash.id,
      });
    }
  };

  app.post('/api/v1/groups', { config: { access: STAFF } }, async (request, reply) => {
    const body = parse(CreateGroupRequestSchema, request.body);
    await assertFreeGroupName(body.name, body.parentId ?? null);
    if (body.parentId !== undefined && !(await store.getGroup(body.parentId))) {
      throw new ApiError(400, ErrorCode.Validation, `parent group ${body.parentId} does not exist`);
    }
    if (body.timeZone !== undefined && !isValidTimeZone(body.timeZone)) {
      throw new ApiError(400, ErrorCode.Validation, `unknown time zone ${body.timeZone}; use an IANA name`);
    }
    const kind: GroupKind = body.kind ?? (body.parentId === undefined ? 'school' : 'room');
    const g = await store.createGroup({
      name: body.name,
      parentId: body.parentId ?? null,
      kind,
      timeZone: body.timeZone ?? null,
      excludedReason: body.excludedReason || null,
      now: now(),
    });
    policies.invalidate();
    return reply.code(201).send(groupJson(g));
  });

  app.patch('/api/v1/groups/:id', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(UpdateGroupRequestSchema, request.body);
    const before = await store.getGroup(id);
    if (!before) throw notFound(`group ${id}`);
    if (body.timeZone && !isValidTimeZone(body.timeZone)) {
      throw new ApiError(400, ErrorCode.Validation, `unknown time zone ${body.timeZone}; use an IANA name`);
    }
    if (body.parentId !== undefined && body.parentId !== null) {
      if (!(await store.getGroup(body.parentId))) {
        throw new ApiError(400, ErrorCode.Validation, `parent group ${body.parentId} does not exist`);
      }
      if ((await policies.subtree(id)).has(body.parentId)) {
        throw new ApiError(409, ErrorCode.Conflict, 'a group cannot move below itself', {
          reason: 'below_itself',
        });
      }
    }
    if (body.name !== undefined || body.parentId !== undefined) {
      await assertFreeGroupName(
        body.name ?? before.name,
        body.parentId !== undefined ? body.parentId : before.parentId,
        id,
      );
    }
    const g = await store.updateGroup(id, body);
    await policyChanged();
    return groupJson(g!);
  });

  app.delete('/api/v1/groups/:id', { config: { access: STAFF } }, async (request, reply) => {
    const id = idParam(request.params);
    const result = await store.deleteGroup(id);
    if (result === 'not_found') throw notFound(`group ${id}`);
    if (result === 'not_empty') {
      throw new ApiError(
        409,
        ErrorCode.Conflict,
        'the group still has subgroups or devices; move or remove them first',
      );
    }
    policies.invalidate();
    return reply.code(204).send();
  });

  // ---- enroll secrets ----

  const secretJson = (s: EnrollSecretRecord) => ({
    ...s,
    status:
      s.revokedAt !== null ? 'revoked' : s.expiresAt !== null && s.expiresAt <= now() ? 'expired' : 'active',
  });

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

  // ---- devices ----

  const deviceSummary = async (d: DeviceRecord, groups: Map<number, GroupRecord>) => {
    const { policy, etag } = await policies.effectiveFor(d);
    return {
      id: d.id,
      name: d.name,
      hostname: d.hostname,
      groupId: d.groupId,
      groupName: groups.get(d.groupId)?.name ?? null,
      deviceClass: effectiveClass(d),
      detectedClass: d.detectedClass,
      classOverride: d.deviceClass,
      classReview: d.classReview,
      desktopPreset: d.desktopPreset,
      monitors: d.monitors,
      policyId: d.policyId,
      effectivePolicyId: policy.policyId ?? null,
      effectivePolicyName: policy.policyName ?? null,
      excludedReason: policy.excludedReason ?? null,
      ownExcludedReason: d.excludedReason,
      online: gateway.isOnline(d.id),
      lastSeen: Math.max(gateway.lastSeen(d.id) ?? 0, d.lastSeen ?? 0) || null,
      agentVersion: d.agentVersion,
      enrolledAt: d.enrolledAt,
      policyEtag: etag,
      policyStatus: policyStatusFor(d, policy, etag),
    };
  };

  const DeviceListQuerySchema = z.object({ groupId: z.coerce.number().int().positive().optional() });

  app.get('/api/v1/devices', { config: { access: STAFF } }, async (request, reply) => {
    const q = parse(DeviceListQuerySchema, request.query, 'query');
    const page = pageQuery(request.query, MAX_DEVICE_PAGE, MAX_DEVICE_PAGE);
    // one row more than the page tells whether there is a next page
    const devices = await store.listDevices({
      ...(q.groupId ? { groupIds: [...(await policies.subtree(q.groupId))] } : {}),
      afterId: page.after,
      limit: page.limit + 1,
    });
    if (devices.length > page.limit) {
      devices.length = page.limit;
      reply.header('X-Next-Cursor', String(devices[devices.length - 1]!.id));
    }
    const groups = new Map((await store.listGroups()).map((g) => [g.id, g]));
    const out = [];
    for (const d of devices) out.push(await deviceSummary(d, groups));
    return out;
  });

  const deviceDetail = async (id: number) => {
    const d = await store.getDevice(id);
    if (!d) throw notFound(`device ${id}`);
    const groups = new Map((await store.listGroups()).map((g) => [g.id, g]));
    const { policy } = await policies.effectiveFor(d);
    const recent = (await store.recentIntervals(id, 100)).map(({ deviceId: _, ...iv }) => iv);
    const online = gateway.isOnline(id);
    return {
      ...(await deviceSummary(d, groups)),
      // the same state the device list and live events show (device-status.ts)
      state: deviceStateOf({
        connected: online,
        connectedSince: online ? d.helloAt : null,
        lastInterval: recent[0] ?? null,
      }),
      installId: d.installId,
      inventory: d.inventory,
      maxSeq: d.maxSeq,
      effectivePolicy: policy,
      policyStatusDetail: d.policyStatus,
      blockers: d.blockers,
      blockersAt: d.blockersAt,
      counters: d.counters,
      recentIntervals: recent,
      lifecycle: await deviceLifecycle(store, d),
    };
  };

  app.get('/api/v1/devices/:id', { config: { access: STAFF } }, async (request) =>
    deviceDetail(idParam(request.params)),
  );

  app.patch('/api/v1/devices/:id', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(DeviceUpdateRequestSchema, request.body);
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    if (body.groupId !== undefined && !(await store.getGroup(body.groupId))) {
      throw new ApiError(400, ErrorCode.Validation, `group ${body.groupId} does not exist`);
    }
    await store.updateDevice(id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.groupId !== undefined ? { groupId: body.groupId } : {}),
      ...(body.deviceClass !== undefined ? { deviceClass: body.deviceClass } : {}),
      ...(body.desktopPreset !== undefined ? { desktopPreset: body.desktopPreset } : {}),
      ...(body.monitors !== undefined ? { monitors: body.monitors } : {}),
      ...(body.excludedReason !== undefined ? { excludedReason: body.excludedReason || null } : {}),
    });
    await gateway.pushPolicies([id]);
    return deviceDetail(id);
  });

  // ---- policies ----

  /** a policy with where it is assigned directly; long id lists are cut at MAX_ASSIGNED_IDS (with counts) */
  const withTargets = (p: PolicyRecord, groups: GroupRecord[], devices: DeviceRecord[]) => {
    const groupIds = groups.filter((g) => g.policyId === p.id).map((g) => g.id);
    const deviceIds = devices.filter((d) => d.policyId === p.id).map((d) => d.id);
    return {
      ...p,
      groupIds: groupIds.slice(0, MAX_ASSIGNED_IDS),
      deviceIds: deviceIds.slice(0, MAX_ASSIGNED_IDS),
      groupCount: groupIds.length,
      deviceCount: deviceIds.length,
      ...(groupIds.length > MAX_ASSIGNED_IDS || deviceIds.length > MAX_ASSIGNED_IDS
        ? { truncated: true }
        : {}),
    };
  };

  const policyJson = async (id: number) => {
    const p = await store.getPolicy(id);
    if (!p) throw notFound(`policy ${id}`);
    return withTargets(p, await store.listGroups(), await store.listDevices());
  };

  app.get('/api/v1/policies', { config: { access: STAFF } }, async (request, reply) => {
    const page = pageQuery(request.query, 500, 500);
    const [list, groups, devices] = await Promise.all([
      store.listPolicies(),
      store.listGroups(),
      store.listDevices(),
    ]);
    return pageOf(list, page, reply).map((p) => withTargets(p, groups, devices));
  });

  app.get('/api/v1/policies/:id', { config: { access: STAFF } }, async (request) =>
    policyJson(idParam(request.params)),
  );

  app.post('/api/v1/policies', { config: { access: STAFF } }, async (request, reply) => {
    const body = parse(PolicyRequestSchema, request.body, 'policy');
    const p = await store.createPolicy({ ...body, now: now() });
    policies.invalidate();
    return reply.code(201).send(await policyJson(p.id));
  });

  app.put('/api/v1/policies/:id', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(PolicyRequestSchema, request.body, 'policy');
    if (!(await store.updatePolicy(id, { ...body, now: now() }))) throw notFound(`policy ${id}`);
    const pushed = await policyChanged();
    return { ...(await policyJson(id)), pushed };
  });

  app.delete('/api/v1/policies/:id', { config: { access: STAFF } }, async (request, reply) => {
    if (!(await store.deletePolicy(idParam(request.params)))) throw notFound('policy');
    await policyChanged();
    return reply.code(204).send();
  });

  const checkTargets = async (groupIds: number[], deviceIds: number[]) => {
    const groups = new Set((await store.listGroups()).map((g) => g.id));
    const missingGroups = groupIds.filter((id) => !groups.has(id));
    const missingDevices: number[] = [];
    for (const id of deviceIds) if (!(await store.getDevice(id))) missingDevices.push(id);
    if (missingGroups.length || missingDevices.length) {
      throw new ApiError(400, ErrorCode.Validation, 'some groups or devices do not exist', {
        groupIds: missingGroups,
        deviceIds: missingDevices,
      });
    }
  };

  app.post('/api/v1/policies/:id/assign', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(AssignRequestSchema, request.body, 'assignment');
    if (!(await store.getPolicy(id))) throw notFound(`policy ${id}`);
    const target = { groupIds: body.groupIds ?? [], deviceIds: body.deviceIds ?? [] };
    await checkTargets(target.groupIds, target.deviceIds);
    await store.assignPolicy(id, target);
    const pushed = await policyChanged();
    return { policyId: id, ...target, pushed };
  });

  app.post('/api/v1/policies/unassign', { config: { access: STAFF } }, async (request) => {
    const body = parse(UnassignRequestSchema, request.body, 'unassignment');
    const target = { groupIds: body.groupIds ?? [], deviceIds: body.deviceIds ?? [] };
    await checkTargets(target.groupIds, target.deviceIds);
    await store.assignPolicy(null, target);
    const pushed = await policyChanged();
    return { ...target, pushed };
  });

  // ---- usage ----

  app.get('/api/v1/usage', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(UsageQuerySchema, request.query, 'query');
    const from = parseTimeParam(q.from);
    const to = parseTimeParam(q.to);
    if (!Number.isFinite(from) || !Number.isFinite(to)) {
      throw new ApiError(400, ErrorCode.Validation, 'from and to must be ISO 8601 or epoch milliseconds');
    }
    if (to <= from) throw new ApiError(400, ErrorCode.Validation, 'to must be after from');
    if (to - from > MAX_RANGE_MS)
      throw new ApiError(400, ErrorCode.Validation, 'the range may span at most 5 years');
    if (q.groupId !== undefined && !(await store.getGroup(q.groupId))) throw notFound(`group ${q.groupId}`);
    return computeUsage(
      store,
      policies,
      { from, to, groupBy: q.groupBy, groupId: q.groupId },
      { now: now() },
    );
  });

  // ---- settings (admin) ----

  app.get('/api/v1/settings', { config: { access: ADMIN } }, async () => store.getSettings());

  app.put('/api/v1/settings', { config: { access: ADMIN } }, async (request) => {
    const body = parse(SettingsUpdateRequestSchema, request.body, 'settings');
    const merged = parse(SettingsSchema, { ...(await store.getSettings()), ...body }, 'settings');
    return store.putSettings(merged);
  });
}
