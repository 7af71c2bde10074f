import { ErrorCode, parseTimeParam, UsageQuerySchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { computeUsage } from '../usage/usage.js';
import { ANY_ROLE } from './auth.js';
import type { RouteContext } from './context.js';
import { ApiError, notFound, parse } from './errors.js';

const MAX_RANGE_MS = 5 * 366 * 24 * 3600 * 1000;

/** GET /api/v1/usage: idle-on time and energy over a range, grouped (computed in usage/usage.ts) */
export function registerUsageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, policies, now } = ctx;

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
}
