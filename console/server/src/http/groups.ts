import {
  CreateGroupRequestSchema,
  ErrorCode,
  isValidTimeZone,
  UpdateGroupRequestSchema,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { siblingWithName } from '../groups/group-names.js';
import type { GroupKind, GroupRecord } from '../store/types.js';
import { ANY_ROLE, STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, idParam, notFound, parse } from './errors.js';
import { pageOf, pageQuery } from './paging.js';

/** The group tree: schools, buildings, rooms (the tree itself is resolved in groups/policy-service.ts). */
export function registerGroupRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, policies, now, policyChanged } = ctx;

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
    const clash = siblingWithName(await store.listGroups(), name, parentId, exceptId);
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
}
