import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { GatewayEvent } from '../agents/gateway.js';
import { type PolicyStatusName, policyStatusFor } from '../device-status.js';
import { ANY_ROLE } from '../http/auth.js';
import type { WebDeps } from './web-devices.js';
import type { DeviceStateTracker, OnlineState } from './web-state.js';

/** How often pending events are flushed to each browser: many reports per second become one message per device. */
export const FLUSH_MS = 500;
const HEARTBEAT_MS = 25_000;
/** Fleet-wide "new measurements" notices go out at most this often: the overview re-reads usage on them. */
export const REPORT_NOTICE_MS = 2_000;

/** Events the web routes raise themselves (not from the gateway), e.g. a device enrolled over HTTP. */
export interface WebNotice {
  type: 'enrolled';
  deviceId: number;
  groupId?: number;
  at: number;
}

/**
 * Server-Sent Events for the web app (`GET /api/v1/web/events`): `device` (online state changed:
 * connected, disconnected, or its reported state moved between awake and asleep), `policy_status`
 * (a device reported applying its policy), `enrolled` (a new device enrolled) and `report` (new
 * measurements arrived somewhere in the fleet; at most one per REPORT_NOTICE_MS, so pages that show
 * totals, like the overview, can re-read them). Fed by the gateway's events and the web routes'
 * notices; coalesced per device per FLUSH_MS so a busy fleet does not flood a browser.
 */
export function registerWebEventRoutes(
  app: FastifyInstance,
  deps: WebDeps,
  states: DeviceStateTracker,
  notices: EventEmitter,
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
    // fleet-wide "new measurements": the first goes out with the next flush, later ones at most
    // every REPORT_NOTICE_MS, always with the newest time and how many reports it stands for
    let reportsSince = 0;
    let newestAt = 0;
    let lastNoticeAt = 0;
    let noticeTimer: NodeJS.Timeout | undefined;
    const noticeReports = (at: number) => {
      reportsSince++;
      newestAt = Math.max(newestAt, at);
      if (noticeTimer) return;
      const send = () => {
        noticeTimer = undefined;
        lastNoticeAt = Date.now();
        queue('report', 'report', { at: newestAt, reports: reportsSince });
        reportsSince = 0;
      };
      const wait = lastNoticeAt + REPORT_NOTICE_MS - Date.now();
      if (wait <= 0) send();
      else noticeTimer = setTimeout(send, wait);
    };

    const onNotice = (n: WebNotice) => {
      queue(`e${n.deviceId}`, n.type, n);
    };

    const sendDevice = (deviceId: number, state: OnlineState, at: number, fromReport: boolean) => {
      // a report that does not change what the browser shows is not worth a message
      if (fromReport && lastSent.get(deviceId) === state) return;
      lastSent.set(deviceId, state);
      queue(`d${deviceId}`, 'device', {
        deviceId,
        online: deps.gateway.isOnline(deviceId),
        state,
        lastSeen: at,
      });
    };

    const onEvent = (e: GatewayEvent) => {
      if (e.type === 'report') {
        noticeReports(e.at);
        sendDevice(e.deviceId, states.stateNow(e.deviceId), e.at, true);
        return;
      }
      if (e.type === 'policy_status') {
        // the status every view shows (device-status.ts), next to what the agent said
        void policyStatusNow(deps, e.deviceId).then((policyStatus) =>
          queue(`p${e.deviceId}`, 'policy_status', {
            deviceId: e.deviceId,
            ok: e.ok,
            etag: e.etag,
            at: e.at,
            ...(policyStatus ? { policyStatus } : {}),
          }),
        );
        return;
      }
      void states.stateOf(e.deviceId).then(
        (state) => sendDevice(e.deviceId, state, e.at, false),
        () => sendDevice(e.deviceId, states.stateNow(e.deviceId), e.at, false),
      );
    };
    deps.gateway.events.on('event', onEvent);
    notices.on('notice', onNotice);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(`: ping ${deps.now()}\n\n`);
    }, HEARTBEAT_MS);
    heartbeat.unref();

    const cleanup = () => {
      deps.gateway.events.off('event', onEvent);
      notices.off('notice', onNotice);
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      if (noticeTimer) clearTimeout(noticeTimer);
      streams.delete(res);
    };
    request.raw.on('close', cleanup);
    res.on('close', cleanup);
  });
}

/** a device's policy status as the list and its page show it; undefined when it cannot be read */
async function policyStatusNow(deps: WebDeps, deviceId: number): Promise<PolicyStatusName | undefined> {
  try {
    const d = await deps.store.getDevice(deviceId);
    if (!d) return undefined;
    const { policy, etag } = await deps.policies.effectiveFor(d);
    return policyStatusFor(d, policy, etag);
  } catch {
    return undefined;
  }
}
