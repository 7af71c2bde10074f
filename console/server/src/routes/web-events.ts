import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { GatewayEvent } from '../gateway.js';
import { ANY_ROLE } from '../http/auth.js';
import type { WebDeps } from './web-devices.js';
import type { DeviceStateTracker } from './web-state.js';

/** How often pending events are flushed to each browser: many reports per second become one message per device. */
export const FLUSH_MS = 500;
const HEARTBEAT_MS = 25_000;

/**
 * Server-Sent Events for the web app (`GET /api/v1/web/events`): `device` (online state changed:
 * connected, disconnected, or its reported state moved between awake and asleep) and
 * `policy_status` (a device reported applying its policy). Fed by the gateway's events; coalesced per
 * device per FLUSH_MS so a busy fleet does not flood a browser.
 */
export function registerWebEventRoutes(
  app: FastifyInstance,
  deps: WebDeps,
  states: DeviceStateTracker,
): void {
  const streams = new Set<ServerResponse>();

  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
    streams.clear();
  });

  app.get('/api/v1/web/events', { config: { access: ANY_ROLE } }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 3000\n: sluimer live updates\n\n`);
    streams.add(res);

    const pending = new Map<string, { event: string; data: object }>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (res.writableEnded) return;
      let out = '';
      for (const { event, data } of pending.values())
        out += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      pending.clear();
      if (out) res.write(out);
    };
    const queue = (key: string, event: string, data: object) => {
      pending.set(key, { event, data });
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const lastSent = new Map<number, string>();

    const onEvent = (e: GatewayEvent) => {
      if (e.type === 'policy_status') {
        queue(`p${e.deviceId}`, 'policy_status', { deviceId: e.deviceId, ok: e.ok, etag: e.etag, at: e.at });
        return;
      }
      const state =
        e.type === 'report'
          ? states.stateWith(e.deviceId, e.lastState)
          : states.stateWith(e.deviceId, states.peek(e.deviceId));
      // a report that does not change what the browser shows is not worth a message
      if (e.type === 'report' && lastSent.get(e.deviceId) === state) return;
      lastSent.set(e.deviceId, state);
      queue(`d${e.deviceId}`, 'device', {
        deviceId: e.deviceId,
        online: deps.gateway.isOnline(e.deviceId),
        state,
        lastSeen: e.at,
      });
    };
    deps.gateway.events.on('event', onEvent);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(`: ping ${deps.now()}\n\n`);
    }, HEARTBEAT_MS);
    heartbeat.unref();

    const cleanup = () => {
      deps.gateway.events.off('event', onEvent);
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      streams.delete(res);
    };
    request.raw.on('close', cleanup);
    res.on('close', cleanup);
  });
}
