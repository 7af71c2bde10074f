import { adminSettingsNotInForce, DAY_MS, googleAdminSettings, idleOverruns } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { STAFF } from './auth.js';
import type { RouteContext } from './context.js';
import { idParam, notFound } from './errors.js';

const LOOKBACK_MS = 7 * DAY_MS;

/**
 * GET /api/v1/groups/:id/google-admin: the Google Admin settings that make the group's Chromebooks
 * follow its Sluimer policy (ChromeOS enforces, the extension only measures), and the Chromebooks
 * whose last week shows idle stretches far past the idle time without sleep: settings not in force.
 */
export function registerGoogleAdminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, policies, now } = ctx;
  app.get('/api/v1/groups/:id/google-admin', { config: { access: STAFF } }, async (request) => {
    const groupId = idParam(request.params);
    if (!(await store.getGroup(groupId))) throw notFound(`group ${groupId}`);
    const { policy } = await policies.effectiveFor({ groupId, policyId: null, excludedReason: null });
    const admin = googleAdminSettings(policy);
    const devices = (await store.listDevices({ groupIds: [groupId] })).filter(
      (d) => (d.deviceClass ?? d.detectedClass) === 'chromebook',
    );
    const to = now();
    const from = to - LOOKBACK_MS;
    const intervals = devices.length
      ? await store.intervalsOverlapping(
          devices.map((d) => d.id),
          from,
          to,
        )
      : [];
    const chromebooks = devices.map((d) => {
      const own = intervals.filter((i) => i.deviceId === d.id).sort((a, b) => a.start - b.start);
      const overruns = idleOverruns(own, admin.idleSec);
      return {
        deviceId: d.id,
        name: d.name ?? d.hostname,
        overruns: overruns.length,
        longestIdleMin: Math.round(Math.max(0, ...overruns.map((o) => o.end - o.start)) / 60_000),
        notInForce: adminSettingsNotInForce(overruns),
      };
    });
    return { groupId, policyName: policy.policyName ?? null, ...admin, chromebooks };
  });
}
