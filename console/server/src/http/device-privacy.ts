import { ErrorCode, RetireRequestSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { randomToken } from '../auth/crypto.js';
import type { AuditLog } from '../ops/audit.js';
import { ADMIN, STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';

/**
 * The end of a device's life and the privacy routes (docs/api.md, docs/privacy.md): retiring a device
 * (its token stops working at once), and the AVG export and erasure of one device's data.
 */
export function registerDevicePrivacyRoutes(app: FastifyInstance, ctx: RouteContext, audit: AuditLog): void {
  const { store, gateway, policies, now } = ctx;

  // retire: the device token is replaced by an unusable value and its socket closed; history stays
  app.post('/api/v1/devices/:id/retire', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(RetireRequestSchema, request.body, 'retirement');
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    const at = now();
    await store.retireDevice(id, { at, reason: body?.reason ?? null, tokenHash: `retired:${randomToken()}` });
    gateway.disconnect(id, 4001, 'device retired; its token no longer works');
    return { id, retiredAt: at, reason: body?.reason ?? null };
  });

  // AVG: everything stored about one device, as JSON
  app.get('/api/v1/devices/:id/export', { config: { access: ADMIN } }, async (request, reply) => {
    const id = idParam(request.params);
    const stored = await store.exportDevice(id);
    if (!stored) throw notFound(`device ${id}`);
    reply.header('content-disposition', `attachment; filename="sluimer-device-${id}.json"`);
    return {
      exportedAt: now(),
      deviceId: id,
      note:
        'Alles wat de Sluimer-console over dit apparaat bewaart (AVG art. 15/20). Het apparaattoken staat er alleen als hash in de database en is hier weggelaten. / ' +
        'Everything the Sluimer console stores about this device. The device token is stored only as a hash and left out here.',
      ...stored,
      audit: await audit.forDevice(id),
    };
  });

  // AVG: erase one device: intervals, rollups, token and the device itself
  app.delete('/api/v1/devices/:id', { config: { access: ADMIN } }, async (request) => {
    const id = idParam(request.params);
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    const counts = await store.eraseDevice(id);
    if (counts.devices !== 1) throw new ApiError(409, ErrorCode.Conflict, `device ${id} changed meanwhile`);
    gateway.disconnect(id, 4001, 'device deleted');
    policies.invalidate();
    return { id, deleted: counts };
  });
}
