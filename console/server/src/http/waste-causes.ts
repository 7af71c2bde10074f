import { ErrorCode, WasteCausesQuerySchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import type { PolicyService } from '../groups/policy-service.js';
import { GateFullError, ReplayGate } from '../impact/replay-gate.js';
import { computeWasteCauses } from '../impact/waste-causes-data.js';
import { knownScope } from '../impact/what-if-data.js';
import type { Store } from '../store/types.js';
import { ANY_ROLE } from './auth.js';
import { ApiError, parse } from './errors.js';

/**
 * GET /api/v1/waste-causes (docs/api.md, "Impact"): each device's remaining waste in a period split by
 * cause, with a next step per cause. Replays like the what-if, so it shares its bounds and a queue.
 */
export interface WasteCausesRouteDeps {
  store: Store;
  policies: PolicyService;
  now: () => number;
}

const MAX_PERIOD_MS = 92 * 24 * 3_600_000;

export function registerWasteCausesRoutes(app: FastifyInstance, deps: WasteCausesRouteDeps): void {
  const { store, policies, now } = deps;
  const gate = new ReplayGate(8);

  app.get('/api/v1/waste-causes', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(WasteCausesQuerySchema, request.query, 'query');
    const t = now();
    if (q.to <= q.from) throw new ApiError(400, ErrorCode.Validation, 'to must be after from');
    if (q.to > t + 60_000) {
      throw new ApiError(
        400,
        ErrorCode.PeriodInFuture,
        'de periode ligt (deels) in de toekomst / the period lies (partly) in the future',
      );
    }
    if (q.to - q.from > MAX_PERIOD_MS) {
      throw new ApiError(
        400,
        ErrorCode.PeriodTooLong,
        'de periode is langer dan 92 dagen / the period is longer than 92 days',
      );
    }
    const scope = { groupIds: q.groupId ? [q.groupId] : [], deviceIds: q.ids ?? [] };
    const known = await knownScope(store);
    const unknownGroups = scope.groupIds.filter((id) => !known.hasGroup(id));
    const unknownDevices = scope.deviceIds.filter((id) => !known.hasDevice(id));
    if (unknownGroups.length || unknownDevices.length) {
      throw new ApiError(400, ErrorCode.Validation, 'some groups or devices do not exist', {
        groupIds: unknownGroups,
        deviceIds: unknownDevices,
      });
    }
    try {
      return await gate.run(() =>
        computeWasteCauses(
          store,
          policies,
          scope,
          { from: q.from, to: q.to, now: t },
          // blocker names (program names) only for admin and IT (docs/privacy.md)
          { blockerNames: request.user!.role !== 'viewer' },
        ),
      );
    } catch (err) {
      if (!(err instanceof GateFullError)) throw err;
      throw new ApiError(
        429,
        ErrorCode.TooManyRequests,
        'te veel berekeningen tegelijk; probeer het zo opnieuw / too many calculations at once; try again shortly',
        { waiting: err.waiting },
        { 'Retry-After': '5' },
      );
    }
  });
}
