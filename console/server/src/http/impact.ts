import {
  checkWhatIfScope,
  ErrorCode,
  isSluimerError,
  parseWhatIfRequest,
  RecommendedQuerySchema,
  recommendedPolicy,
  replayWhatIf,
  type WhatIfLimitation,
  type WhatIfResponse,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_TIME_ZONE, type PolicyService } from '../groups/policy-service.js';
import { blockerHistoryLimitation } from '../impact/blocker-history.js';
import { GateFullError, ReplayGate } from '../impact/replay-gate.js';
import { ASSUMED_REGION, calendarForZone, gatherWhatIfData, knownScope } from '../impact/what-if-data.js';
import type { Store } from '../store/types.js';
import { ANY_ROLE } from './auth.js';
import { ApiError, notFound, parse } from './errors.js';

/**
 * Proof of impact (docs/api.md "Impact"): thin routes over the pure core in shared/src/impact. The
 * recommended policy as a template, and the what-if replay of a draft policy over recorded timelines.
 */
export interface ImpactRouteDeps {
  store: Store;
  policies: PolicyService;
  now: () => number;
}

/** what-if requests that may wait while one replays; more are refused with 429 (replay-gate.ts) */
const WHAT_IF_QUEUE = 8;

function refuseWhenFull(err: unknown): never {
  if (!(err instanceof GateFullError)) throw err;
  throw new ApiError(
    429,
    ErrorCode.TooManyRequests,
    'er lopen al te veel wat-als-berekeningen; probeer het over een paar seconden opnieuw / too many what-if requests are waiting; try again in a few seconds',
    { waiting: err.waiting },
    { 'Retry-After': '5' },
  );
}

/** A SluimerError from the core (bad period, bounds, unknown scope) as a 400 with its own code. */
function asApiError(err: unknown): unknown {
  if (!isSluimerError(err)) return err;
  return new ApiError(400, err.code, err.message, err.details);
}

export function registerImpactRoutes(app: FastifyInstance, deps: ImpactRouteDeps): void {
  const { store, policies, now } = deps;
  const gate = new ReplayGate(WHAT_IF_QUEUE);

  // a template, ready to POST /api/v1/policies; with ?groupId the school hours that group has now
  app.get('/api/v1/policies/recommended', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(RecommendedQuerySchema, request.query, 'query');
    if (q.groupId === undefined) return recommendedPolicy();
    if (!(await store.getGroup(q.groupId))) throw notFound(`group ${q.groupId}`);
    const { policy } = await policies.effectiveFor({
      groupId: q.groupId,
      policyId: null,
      excludedReason: null,
    });
    return recommendedPolicy(policy.schoolHours ? { schoolHours: policy.schoolHours } : {});
  });

  // reads only (a POST for its body): a viewer may ask what a draft would save; not audited
  app.post(
    '/api/v1/what-if',
    { config: { access: ANY_ROLE, readOnly: true } },
    async (request): Promise<WhatIfResponse> => {
      const t = now();
      let req: ReturnType<typeof parseWhatIfRequest>;
      try {
        req = parseWhatIfRequest(request.body ?? {}, {
          now: t,
          calendar: calendarForZone(DEFAULT_TIME_ZONE),
        });
        checkWhatIfScope(req, await knownScope(store));
      } catch (err) {
        throw asApiError(err);
      }
      const { data, result } = await gate
        .run(async () => {
          const data = await gatherWhatIfData(
            store,
            policies,
            { groupIds: req.groupIds, deviceIds: req.deviceIds },
            { from: req.from, to: req.to, now: t },
            // blocker names (program names) only for admin and IT (docs/privacy.md)
            { blockerNames: request.user!.role !== 'viewer' },
          );
          const result = replayWhatIf({
            policy: req.policy,
            from: req.from,
            to: req.to,
            rawRetentionFrom: data.rawRetentionFrom,
            calendar: calendarForZone(DEFAULT_TIME_ZONE),
            calendars: data.calendars,
            devices: data.devices,
            energy: data.settings,
          });
          return { data, result };
        })
        .catch(refuseWhenFull);
      // the full per-device list can be 100,000 rows: the answer carries the top devices only
      const { perDevice: _all, ...rest } = result;
      return {
        ...rest,
        defaultPeriod: req.defaultPeriod,
        devicesWithBlockersNow: data.devicesWithBlockersNow,
        limitations: limitationsOf(
          result.retention,
          blockerHistoryLimitation(req.from, data.blockerHistoryFrom),
          data.devicesWithAssumedCalendar,
        ),
      };
    },
  );
}

function limitationsOf(
  retention: { complete: boolean; coveredFrom: number },
  blockerHistory: WhatIfLimitation | undefined,
  devicesWithAssumedCalendar: number,
): WhatIfLimitation[] {
  const out: WhatIfLimitation[] = blockerHistory ? [blockerHistory] : [];
  if (devicesWithAssumedCalendar > 0) {
    out.push({
      code: 'school_calendar_assumed',
      message:
        `${devicesWithAssumedCalendar} apparaten horen bij een school zonder eigen schoolkalender: daar gelden de vakanties en feestdagen van regio ${ASSUMED_REGION}, met de schooltijden van het concept, anders die van het huidige beleid (of ma–vr 08:00–17:00). Stel de kalender in bij Scholen en lokalen. / ` +
        `${devicesWithAssumedCalendar} devices belong to a school without its own calendar: the vacations and holidays of region ${ASSUMED_REGION} apply there, with the draft's school hours, else those of the current policy (or Mon–Fri 08:00–17:00). Set the calendar under Schools and rooms.`,
    });
  }
  if (!retention.complete) {
    const from = new Date(retention.coveredFrom).toISOString();
    out.push({
      code: 'raw_retention_exceeded',
      message:
        `Een deel van de periode ligt voor de bewaartermijn van de ruwe gegevens; de cijfers gelden vanaf ${from}. / ` +
        `Part of the period lies before the raw-data retention; the figures cover only from ${from}.`,
    });
  }
  return out;
}
