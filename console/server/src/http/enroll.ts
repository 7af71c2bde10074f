import { classifyDevice, EnrollRequestSchema, ErrorCode } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { hashToken, randomToken } from '../auth/crypto.js';
import { enrollSecretStatus } from '../auth/enroll-secrets.js';
import { RateLimiter } from '../auth/rate-limit.js';
import { LimitReachedError } from '../store/errors.js';
import type { RouteContext } from './context.js';
import { ApiError, parse, tooManyRequests } from './errors.js';

/** POST /api/v1/enroll: a device trades an enroll secret for its own device token (public, rate-limited per address) */
export function registerEnrollRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  limits: { enrollBurst: number; enrollPerSec: number },
): void {
  const { store, gateway, now } = ctx;
  const enrollPerAddress = new RateLimiter(limits.enrollBurst, limits.enrollPerSec);

  app.post('/api/v1/enroll', { config: { access: 'public' } }, async (request, reply) => {
    const address = request.ip;
    if (!enrollPerAddress.take(address)) {
      throw tooManyRequests(
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
    const status = enrollSecretStatus(secret, t);
    if (status === 'revoked') {
      throw new ApiError(
        401,
        ErrorCode.EnrollSecretRevoked,
        'enroll secret is revoked; ask IT for a valid secret for this school or room',
      );
    }
    if (status === 'expired') {
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

  // an agent that cannot read a refused WebSocket upgrade (a browser extension) asks here whether its
  // token still counts; the 401 comes from the 'agent' access check before this handler runs
  app.get('/api/v1/agent/device', { config: { access: 'agent' } }, async (request) => ({
    deviceId: request.device!.id,
  }));
}
