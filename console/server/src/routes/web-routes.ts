import type { FastifyInstance } from 'fastify';
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
  registerWebDeviceRoutes(app, deps, views);
  registerWebEventRoutes(app, deps, states);
}
