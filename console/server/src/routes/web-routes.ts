import type { FastifyInstance } from 'fastify';
import type { GatewayEvent } from '../gateway.js';
import { matchedRoute } from '../http/canonical-path.js';
import { DeviceViews, registerWebDeviceRoutes, type WebDeps } from './web-devices.js';
import { registerWebEventRoutes } from './web-events.js';
import { DeviceStateTracker } from './web-state.js';

export type { WebDeps } from './web-devices.js';

/**
 * Endpoints made for the web app (docs/api.md "Web app endpoints"): the paginated device list,
 * device timelines, top-waster reasons and live events. Registered by the console next to the API.
 */
export function registerWebRoutes(app: FastifyInstance, deps: WebDeps): void {
  const states = new DeviceStateTracker(deps.store, deps.gateway);
  app.addHook('onClose', async () => states.close());
  const views = new DeviceViews(deps, states);
  // the cached device list is rebuilt after any change made through the API (enrollment, policy,
  // group, device edits) and after hellos and policy statuses, which change what the list shows
  app.addHook('onResponse', async (request) => {
    if (
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      matchedRoute(request)?.url.startsWith('/api/')
    )
      views.invalidate();
  });
  const onEvent = (e: GatewayEvent) => {
    if (e.type === 'policy_status' || (e.type === 'device' && e.online)) views.invalidate();
  };
  deps.gateway.events.on('event', onEvent);
  app.addHook('onClose', async () => {
    deps.gateway.events.off('event', onEvent);
  });
  registerWebDeviceRoutes(app, deps, views);
  registerWebEventRoutes(app, deps, states);
}
