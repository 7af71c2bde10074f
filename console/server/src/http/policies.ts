import { AssignRequestSchema, ErrorCode, PolicyRequestSchema, UnassignRequestSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import type { DeviceRecord, GroupRecord, PolicyRecord } from '../store/types.js';
import { STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

/** group and device ids listed per policy at most; groupCount/deviceCount give the full numbers */
const MAX_ASSIGNED_IDS = 1000;

/** Policies: create, edit, delete, and assign them to groups and devices (each change is pushed to agents). */
export function registerPolicyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, policies, now, policyChanged } = ctx;

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
    // one read however many devices are named (up to 100,000)
    const devices = new Set((await store.policyTargets(deviceIds)).map((d) => d.id));
    const missingDevices = deviceIds.filter((id) => !devices.has(id));
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
}
