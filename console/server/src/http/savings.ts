import { ImpactScopeQuerySchema, type PolicyHistoryAnswer } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import type { PolicyService } from '../groups/policy-service.js';
import { PolicyHistoryRecorder } from '../impact/policy-history.js';
import { computeSavings } from '../impact/savings.js';
import type { Store } from '../store/types.js';
import { ANY_ROLE } from './auth.js';
import { notFound, parse } from './errors.js';

/**
 * What a policy did save (docs/api.md, "Savings"): before/after per school and room, and the policy
 * history it rests on. Also keeps that history: after every successful change to policies, groups,
 * devices or a school calendar (matched by the route, not the raw URL) the effective policies are
 * compared with the last recorded ones before the answer goes out.
 */
export interface SavingsRouteDeps {
  store: Store;
  policies: PolicyService;
  now: () => number;
}

/** routes whose successful changes can move an effective policy */
const CHANGES_POLICY = /^\/api\/v1\/(policies|groups|devices)(\/|$)/;

export function registerSavingsRoutes(app: FastifyInstance, deps: SavingsRouteDeps): void {
  const { store, policies, now } = deps;
  const recorder = new PolicyHistoryRecorder(store, policies, now);

  app.addHook('onReady', async () => {
    await recorder.record();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (request.method !== 'GET' && reply.statusCode < 400 && route && CHANGES_POLICY.test(route)) {
      // awaited: whoever got the answer to a change finds it in the history
      await recorder
        .record()
        .catch((err: unknown) => request.log.error({ err }, 'policy history not recorded'));
    }
    return payload;
  });

  app.get('/api/v1/savings', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(ImpactScopeQuerySchema, request.query, 'query');
    if (q.groupId !== undefined && !(await store.getGroup(q.groupId))) throw notFound(`group ${q.groupId}`);
    return computeSavings(store, policies, {
      ...(q.groupId !== undefined ? { groupId: q.groupId } : {}),
      now: now(),
    });
  });

  app.get(
    '/api/v1/policy-history',
    { config: { access: ANY_ROLE } },
    async (request): Promise<PolicyHistoryAnswer> => {
      const q = parse(ImpactScopeQuerySchema, request.query, 'query');
      if (q.groupId === undefined) return { items: await store.listPolicyHistory() };
      if (!(await store.getGroup(q.groupId))) throw notFound(`group ${q.groupId}`);
      const groupIds = [...(await policies.subtree(q.groupId))];
      const deviceIds = (await store.listDevices({ groupIds })).map((d) => d.id);
      return { items: await store.listPolicyHistory({ groupIds, deviceIds }) };
    },
  );
}
