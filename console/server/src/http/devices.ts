import { DeviceUpdateRequestSchema, ErrorCode } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { effectiveClass } from '../energy/energy-profile.js';
import { deviceLifecycle } from '../lifecycle/device-lifecycle.js';
import type { DeviceRecord, GroupRecord, StoredInterval } from '../store/types.js';
import { deviceStateOf, policyStatusFor } from '../usage/device-status.js';
import { STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageQuery } from './paging.js';

/** devices per page of GET /api/v1/devices (default and most) */
const MAX_DEVICE_PAGE = 1000;

/** Devices: the API's list, one device in detail, and edits (name, group, class, monitors, exclusion). */
export function registerDeviceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, policies, gateway } = ctx;

  // the same state the web list, the device page and live events show (device-status.ts)
  const stateOf = async (d: DeviceRecord, lastInterval?: StoredInterval | null) => {
    const online = gateway.isOnline(d.id);
    const last =
      lastInterval !== undefined ? lastInterval : ((await store.recentIntervals(d.id, 1))[0] ?? null);
    return deviceStateOf({
      connected: online,
      connectedSince: online ? d.helloAt : null,
      lastInterval: last,
    });
  };

  const deviceSummary = async (
    d: DeviceRecord,
    groups: Map<number, GroupRecord>,
    lastInterval?: StoredInterval | null,
  ) => {
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
      state: await stateOf(d, lastInterval),
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
    const stored = await store.recentIntervals(id, 100);
    const recent = stored.map(({ deviceId: _, ...iv }) => iv);
    return {
      ...(await deviceSummary(d, groups, stored[0] ?? null)),
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
}
