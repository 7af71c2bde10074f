import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { GatewayEvent } from '../agents/gateway.js';
import { DeviceStateTracker } from '../usage/device-states.js';
import { matchedRoute } from './canonical-path.js';
import { registerWebEventRoutes, type WebNotice } from './events.js';
import { DeviceViews, registerWebDeviceRoutes, type WebDeps } from './web-devices.js';

export type { WebDeps } from './web-devices.js';

/** what one console process tells the others about the web app (agents/cluster.ts carries it) */
export type WebPeerMessage = { type: 'changed' } | WebNotice;
export interface WebPeers {
  share(m: WebPeerMessage): void;
  onShared(handler: (m: WebPeerMessage) => void): void;
}

/**
 * Endpoints made for the web app (docs/api.md "Web app endpoints"): the paginated device list,
 * device timelines, top-waster reasons and live events. Registered by the console next to the API.
 */
export function registerWebRoutes(app: FastifyInstance, deps: WebDeps, peers?: WebPeers): void {
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
    ) {
      views.invalidate();
      // other console processes rebuild theirs too
      peers?.share({ type: 'changed' });
    }
  });
  const onEvent = (e: GatewayEvent) => {
    if (e.type === 'policy_status' || (e.type === 'device' && e.online)) views.invalidate();
  };
  deps.gateway.events.on('event', onEvent);
  app.addHook('onClose', async () => {
    deps.gateway.events.off('event', onEvent);
  });
  // a device enrolled over HTTP: open pages (an empty overview, the device list) hear of it at once,
  // before its agent connects. Matched on the route the framework chose, and only its id is passed on.
  const notices = new EventEmitter();
  notices.setMaxListeners(0);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== '/api/v1/enroll' || reply.statusCode !== 201) return payload;
    if (typeof payload !== 'string') return payload;
    try {
      const { deviceId } = JSON.parse(payload) as { deviceId?: unknown };
      if (typeof deviceId === 'number') {
        const notice: WebNotice = { type: 'enrolled', deviceId, at: deps.now() };
        notices.emit('notice', notice);
        peers?.share(notice);
      }
    } catch {
      // not JSON: nothing to tell
    }
    return payload;
  });
  peers?.onShared((m) => {
    if (m.type === 'changed') views.invalidate();
    else notices.emit('notice', m);
  });
  registerWebDeviceRoutes(app, deps, views);
  registerWebEventRoutes(app, deps, states, notices);
}
