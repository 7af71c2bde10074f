import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { PolicyService } from '../groups/policy-service.js';
import type { WebPeerMessage, WebPeers } from '../http/web-routes.js';
import type { Bus } from '../store/bus.js';
import type { Gateway, GatewayEvent } from './gateway.js';

/**
 * Several console processes on one database (PostgreSQL), joined by the bus (store/bus.ts,
 * LISTEN/NOTIFY). Each process keeps its own agent sockets; what the others need to know travels as
 * small messages:
 *
 * - `policy` — a policy change pushed through one process: every other process drops its cached
 *   groups and policies and pushes to its own connected agents (etags decide who gets a frame).
 * - `policies` — groups, policies or calendars changed without a push: caches are dropped.
 * - `events` — the gateway's live events (device online/offline, report stored, policy status),
 *   gathered for EVENT_FLUSH_MS and re-emitted on every other process's `gateway.events`, so the web's
 *   live events (http/events.ts) reach browsers on any process. Reports are coalesced per device.
 * - `web` — an API write (other processes drop their cached device list) and the web's
 *   `enrolled` notices.
 * - `presence` — each process's full list of connected devices every `snapshotMs`, in parts below
 *   the NOTIFY limit. It is also the heartbeat: a process not heard from for 3 × `snapshotMs`
 *   (killed, cut off) is forgotten and its devices go offline here. Connect/disconnect between
 *   snapshots arrive at once as `events`. A process that starts or gets its listening connection
 *   back asks the others (`hello`) for their lists at once.
 *
 * Presence is thus kept in memory, not in the database: nothing is written per connect, and the
 * worst a lost message does is leave a device's online flag stale until the next snapshot.
 */
export interface ClusterOptions {
  bus: Bus;
  gateway: Gateway;
  policies: PolicyService;
  log: FastifyBaseLogger;
  /** how often this process sends its device list (default 10 s); peers silent for 3× are dropped */
  snapshotMs?: number;
}

const EVENT_FLUSH_MS = 250;
/** ids per message: 7000 bytes of NOTIFY at up to 9 characters an id, with room for the envelope */
const IDS_PER_MESSAGE = 600;
/** events per message, each at most ~90 bytes as a tuple */
const EVENTS_PER_MESSAGE = 60;

type WireEvent =
  | ['d', number, 0 | 1, number]
  | ['r', number, number, string | null, number | null]
  | ['s', number, 0 | 1, string, number];

interface Peer {
  devices: Set<number>;
  heardAt: number;
  building?: { gen: number; ids: Set<number>; got: number };
}

export class Cluster implements WebPeers {
  /** this process on the bus */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly peers = new Map<string, Peer>();
  private readonly fromPeers = new WeakSet<GatewayEvent>();
  private pending: GatewayEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly snapshotTimer: NodeJS.Timeout;
  private gen = 0;
  private readonly snapshotMs: number;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(private readonly o: ClusterOptions) {
    this.snapshotMs = o.snapshotMs ?? 10_000;
    const { bus, gateway, policies } = o;
    gateway.attachPeers({
      isOnline: (id) => {
        for (const p of this.peers.values()) if (p.devices.has(id)) return true;
        return false;
      },
      policyChanged: (ids) => {
        // too many ids for one message: every process re-checks all its agents (etags keep it cheap)
        this.publish('policy', { p: this.id, ids: ids && ids.length <= IDS_PER_MESSAGE ? ids : null });
      },
    });
    policies.onInvalidate = () => this.publish('policies', { p: this.id });
    this.unsubscribe.push(
      bus.subscribe('policy', (m) => {
        const { p, ids } = m as { p: string; ids: number[] | null };
        if (p === this.id) return;
        this.heard(p);
        policies.invalidateHere();
        gateway.pushPoliciesHere(ids ?? undefined).catch((err) => o.log.error({ err }, 'policy push failed'));
      }),
      bus.subscribe('policies', (m) => {
        const { p } = m as { p: string };
        if (p === this.id) return;
        this.heard(p);
        policies.invalidateHere();
      }),
      bus.subscribe('events', (m) => this.onEvents(m as { p: string; e: WireEvent[] })),
      bus.subscribe('presence', (m) =>
        this.onPresence(m as { p: string; gen: number; part: number; parts: number; ids: number[] }),
      ),
      bus.subscribe('hello', (m) => {
        if ((m as { p: string }).p !== this.id) this.sendSnapshot();
      }),
      bus.subscribe('bye', (m) => {
        const { p } = m as { p: string };
        if (p !== this.id) this.forget(p);
      }),
      bus.onResync(() => this.publish('hello', { p: this.id })),
    );
    const onLocal = (e: GatewayEvent) => {
      if (this.fromPeers.has(e)) return;
      this.pending.push(e);
      this.flushTimer ??= setTimeout(() => this.flush(), EVENT_FLUSH_MS);
    };
    gateway.events.on('event', onLocal);
    this.unsubscribe.push(() => gateway.events.off('event', onLocal));
    this.snapshotTimer = setInterval(() => {
      this.sendSnapshot();
      this.expire();
    }, this.snapshotMs);
    this.snapshotTimer.unref();
    this.publish('hello', { p: this.id });
    this.sendSnapshot();
  }

  // ---- the web app: API writes (cached device lists) and enrollment notices ----

  share(m: WebPeerMessage): void {
    this.publish('web', { p: this.id, m });
  }

  onShared(handler: (m: WebPeerMessage) => void): void {
    this.unsubscribe.push(
      this.o.bus.subscribe('web', (msg) => {
        const { p, m } = msg as { p: string; m: WebPeerMessage };
        if (p === this.id) return;
        this.heard(p);
        handler(m);
      }),
    );
  }

  /** the other processes heard from, with how many agents each has */
  get peerCounts(): Map<string, number> {
    return new Map([...this.peers].map(([id, p]) => [id, p.devices.size]));
  }

  private publish(topic: string, payload: unknown): void {
    if (this.closed) return;
    this.o.bus.publish(topic, payload).catch((err) => this.o.log.warn({ err, topic }, 'bus publish failed'));
  }

  private peer(p: string): Peer {
    let peer = this.peers.get(p);
    if (!peer) {
      peer = { devices: new Set(), heardAt: Date.now() };
      this.peers.set(p, peer);
    }
    return peer;
  }

  private heard(p: string): Peer {
    const peer = this.peer(p);
    peer.heardAt = Date.now();
    return peer;
  }

  // ---- live events ----

  private flush(): void {
    this.flushTimer = undefined;
    const events = this.pending;
    this.pending = [];
    const wire: WireEvent[] = [];
    const lastReport = new Map<number, GatewayEvent & { type: 'report' }>();
    for (const e of events) {
      if (e.type === 'report') lastReport.set(e.deviceId, e);
      else if (e.type === 'device') wire.push(['d', e.deviceId, e.online ? 1 : 0, e.at]);
      else wire.push(['s', e.deviceId, e.ok ? 1 : 0, e.etag, e.at]);
    }
    // many reports of one device between flushes: browsers only need the newest
    for (const e of lastReport.values())
      wire.push(['r', e.deviceId, e.at, e.lastState ?? null, e.lastEnd ?? null]);
    for (let i = 0; i < wire.length; i += EVENTS_PER_MESSAGE)
      this.publish('events', { p: this.id, e: wire.slice(i, i + EVENTS_PER_MESSAGE) });
  }

  private onEvents(m: { p: string; e: WireEvent[] }): void {
    if (m.p === this.id || !Array.isArray(m.e)) return;
    const peer = this.heard(m.p);
    for (const w of m.e) {
      let e: GatewayEvent;
      if (w[0] === 'd') {
        // presence first, so listeners reading isOnline see the new state
        if (w[2]) {
          peer.devices.add(w[1]);
          // one socket per device across processes too: an older one here is closed
          this.o.gateway.replacedElsewhere(w[1], w[3]);
        } else peer.devices.delete(w[1]);
        e = { type: 'device', deviceId: w[1], online: w[2] === 1, at: w[3] };
      } else if (w[0] === 'r') {
        e = {
          type: 'report',
          deviceId: w[1],
          at: w[2],
          ...(w[3] !== null ? { lastState: w[3] } : {}),
          ...(w[4] !== null ? { lastEnd: w[4] } : {}),
        };
      } else {
        e = { type: 'policy_status', deviceId: w[1], ok: w[2] === 1, etag: w[3], at: w[4] };
      }
      this.fromPeers.add(e);
      this.o.gateway.events.emit('event', e);
    }
  }

  // ---- presence ----

  private sendSnapshot(): void {
    const ids = this.o.gateway.connectedDeviceIds();
    const gen = ++this.gen;
    const parts = Math.max(1, Math.ceil(ids.length / IDS_PER_MESSAGE));
    for (let part = 0; part < parts; part++) {
      this.publish('presence', {
        p: this.id,
        gen,
        part,
        parts,
        ids: ids.slice(part * IDS_PER_MESSAGE, (part + 1) * IDS_PER_MESSAGE),
      });
    }
  }

  private onPresence(m: { p: string; gen: number; part: number; parts: number; ids: number[] }): void {
    if (m.p === this.id) return;
    const peer = this.heard(m.p);
    if (!peer.building || peer.building.gen !== m.gen) peer.building = { gen: m.gen, ids: new Set(), got: 0 };
    const b = peer.building;
    for (const id of m.ids) b.ids.add(id);
    b.got++;
    if (b.got < m.parts) return;
    peer.building = undefined;
    const before = peer.devices;
    peer.devices = b.ids;
    // devices the list no longer has went offline unseen (a lost message): tell the browsers
    for (const id of before) if (!b.ids.has(id)) this.wentOffline(id);
  }

  /** drops peers not heard from for 3 snapshots: killed or cut off from the database */
  private expire(): void {
    const limit = Date.now() - 3 * this.snapshotMs;
    for (const [p, peer] of this.peers) if (peer.heardAt < limit) this.forget(p);
  }

  private forget(p: string): void {
    const peer = this.peers.get(p);
    if (!peer) return;
    this.peers.delete(p);
    for (const id of peer.devices) this.wentOffline(id);
    this.o.log.info(
      { peer: p, devices: peer.devices.size },
      'console process gone; its agents count as offline',
    );
  }

  private wentOffline(deviceId: number): void {
    const e: GatewayEvent = { type: 'device', deviceId, online: false, at: Date.now() };
    this.fromPeers.add(e);
    this.o.gateway.events.emit('event', e);
  }

  /** after the gateway closed: its last events and a goodbye go out, then nothing more */
  async close(): Promise<void> {
    clearInterval(this.snapshotTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    await this.o.bus.publish('bye', { p: this.id }).catch(() => {});
    this.closed = true;
    for (const u of this.unsubscribe) u();
  }
}
