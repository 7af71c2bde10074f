import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AGENT_FRAME_TYPES,
  AGENT_WS_PATH,
  AGENT_WS_SUBPROTOCOL,
  type ConsoleFrame,
  classifyDevice,
  ErrorCode,
  HelloFrameSchema,
  HOUR_MS,
  INVENTORY_FEATURE,
  InventoryFrameSchema,
  LIMITS,
  PolicyStatusFrameSchema,
  STRICT_INTERVALS_FEATURE,
  tokenFromSubprotocols,
} from '@sluimer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { hashToken } from '../auth/crypto.js';
import { RateLimiter } from '../auth/rate-limit.js';
import type { PolicyService } from '../groups/policy-service.js';
import { IngestBatcher } from '../ingest/batcher.js';
import { parseReport, parseSeq } from '../ingest/report-parse.js';
import { IngestService } from '../ingest/service.js';
import type { IngestItem, IngestOutcome } from '../ingest/types.js';
import type { DeviceUpdate, Store } from '../store/types.js';
import { SummaryService } from '../usage/summary.js';

export interface GatewayLimits {
  /** open agent sockets at most; more upgrades get 503 + Retry-After */
  maxConnections: number;
  /** reports waiting for a commit at most; more upgrades get 503 + Retry-After */
  maxPendingReports: number;
  /** upgrade attempts per source address (a school behind one NAT reconnects hundreds at once) */
  upgradeBurst: number;
  upgradePerSec: number;
  /** failed authentications per source address */
  badAuthBurst: number;
  badAuthPerSec: number;
  /** frames per device; beyond this the socket is paused, never a report refused */
  deviceFrameBurst: number;
  deviceFramesPerSec: number;
  /**
   * intervals per device (the ingest budget): a report that overdraws it waits before it is stored,
   * and meanwhile the socket is not read; never refused (docs/security.md)
   */
  deviceIntervalBurst: number;
  deviceIntervalsPerSec: number;
  /** an agent socket that has not said hello within this is closed (1008) */
  helloTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxConnections: 50_000,
  maxPendingReports: 20_000,
  upgradeBurst: 2000,
  upgradePerSec: 100,
  badAuthBurst: 200,
  badAuthPerSec: 2,
  deviceFrameBurst: 100,
  deviceFramesPerSec: 50,
  deviceIntervalBurst: 20_000,
  deviceIntervalsPerSec: 5_000,
  helloTimeoutMs: 10_000,
};

/**
 * How long one device needs at least to deliver a backlog of `reports` reports holding `intervals`
 * intervals in all, under these limits (its frame and interval budgets both start full). The
 * back-pressure test and docs/security.md hold the defaults to a 7-day backlog at 20 reports/s or faster.
 */
export function backlogDrainMs(
  limits: Pick<
    GatewayLimits,
    'deviceFrameBurst' | 'deviceFramesPerSec' | 'deviceIntervalBurst' | 'deviceIntervalsPerSec'
  >,
  reports: number,
  intervals: number,
): number {
  const byFrames = Math.max(0, reports - limits.deviceFrameBurst) / limits.deviceFramesPerSec;
  const byIntervals = Math.max(0, intervals - limits.deviceIntervalBurst) / limits.deviceIntervalsPerSec;
  return Math.ceil(Math.max(byFrames, byIntervals) * 1000);
}

/** frames queued on one socket before it stops being read */
const QUEUE_PAUSE = 16;
const QUEUE_RESUME = 4;
/** bytes queued on one socket before it stops being read (frames may be up to 1 MiB each) */
const QUEUE_PAUSE_BYTES = 1024 * 1024;
const QUEUE_RESUME_BYTES = 256 * 1024;

interface Frame {
  data: RawData;
  binary: boolean;
}

class Connection {
  helloDone = false;
  queue: Frame[] = [];
  queuedBytes = 0;
  framesSeen = 0;
  helloTimer: NodeJS.Timeout | undefined;
  busy = false;
  badInARow = 0;
  sentEtag: string | null = null;
  rateWait = false;
  closed = false;
  /** the hello listed the `inventory` extension: its daily `inventory` frames are accepted */
  sendsInventory?: boolean;
  /** the hello listed the `summary` extension */
  wantsSummary = false;
  /** the hello listed `strict-intervals`: intervals under 1 s refuse the report instead of being absorbed */
  strictIntervals = false;
  /** figures of the last summary sent (weekStart + groups), to resend only when they change */
  sentSummary: string | null = null;
  /** when the welcome went out (the moment the device came online here) */
  welcomedAt = 0;
  constructor(
    readonly ws: WebSocket,
    readonly deviceId: number,
    readonly address: string,
  ) {}

  send(frame: ConsoleFrame): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** a frame already serialised (one policy frame shared by every socket it goes to) */
  sendText(text: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  /** `send({ type: 'ack', seq })` without building and serialising an object per report */
  ack(seq: number): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(`{"type":"ack","seq":${seq}}`);
  }
}

/**
 * What the gateway tells listeners on `gateway.events` ('event'): a device came online or went
 * offline, stored a report, or reported a policy status. The web app's live updates
 * (http/events.ts) are fed from here; listeners must not throw.
 */
export type GatewayEvent =
  | { type: 'device'; deviceId: number; online: boolean; at: number }
  | { type: 'report'; deviceId: number; at: number; lastState?: string; lastEnd?: number }
  | { type: 'policy_status'; deviceId: number; ok: boolean; etag: string; at: number };

/** what the gateway needs to know of the other console processes (agents/cluster.ts) */
export interface GatewayPeers {
  isOnline(deviceId: number): boolean;
  /** a policy change to push: these devices, or all (undefined) */
  policyChanged(deviceIds: number[] | undefined): void;
}

export interface GatewayOptions {
  store: Store;
  policies: PolicyService;
  log: FastifyBaseLogger;
  limits?: Partial<GatewayLimits>;
  now?: () => number;
  /** how often connected agents that asked for `summary` get fresh figures when they changed (default 1 h) */
  summaryIntervalMs?: number;
  /** the client's address (behind a trusted reverse proxy: from X-Forwarded-For); default the socket's */
  clientAddress?: (req: IncomingMessage) => string;
  /** stores the reports (default: an IngestService over `store`) */
  ingest?: IngestService;
}

/** The agent WebSocket gateway (protocol v1, docs/api.md). */
export class Gateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.hardMaxFrameBytes,
    perMessageDeflate: false,
    // browser agents (the Chrome extension) carry their token as a subprotocol: answer with the
    // protocol name only, never the token
    handleProtocols: (protocols) => (protocols.has(AGENT_WS_SUBPROTOCOL) ? AGENT_WS_SUBPROTOCOL : false),
  });
  private readonly connections = new Map<number, Connection>();
  private readonly seen = new Map<number, number>();
  private readonly limits: GatewayLimits;
  private readonly upgradeLimiter: RateLimiter;
  private readonly badAuthLimiter: RateLimiter;
  private readonly deviceLimiter: RateLimiter;
  private readonly intervalBudget: RateLimiter;
  /** group commit of reports and device writes (ingest/) */
  private readonly ingest: IngestBatcher;
  private closing = false;
  private readonly store: Store;
  private readonly policies: PolicyService;
  private readonly log: FastifyBaseLogger;
  private readonly now: () => number;
  private readonly clientAddress: (req: IncomingMessage) => string;
  private readonly summaries: SummaryService;
  private readonly summaryTimer: NodeJS.Timeout;
  private summaryPass: Promise<void> | null = null;
  /** counters for health and benchmarks */
  get stats(): IngestBatcher['stats'] {
    return this.ingest.stats;
  }
  /** live events for the web app ('event', GatewayEvent) */
  readonly events = new EventEmitter().setMaxListeners(0);
  private emit(e: GatewayEvent): void {
    try {
      this.events.emit('event', e);
    } catch (err) {
      this.log.error({ err }, 'gateway event listener failed');
    }
  }

  constructor(options: GatewayOptions) {
    this.store = options.store;
    this.policies = options.policies;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.ingest = new IngestBatcher(options.ingest ?? new IngestService(this.store), this.now, this.log);
    this.clientAddress = options.clientAddress ?? ((req) => req.socket.remoteAddress ?? 'unknown');
    this.limits = { ...DEFAULT_GATEWAY_LIMITS, ...options.limits };
    this.upgradeLimiter = new RateLimiter(this.limits.upgradeBurst, this.limits.upgradePerSec);
    this.badAuthLimiter = new RateLimiter(this.limits.badAuthBurst, this.limits.badAuthPerSec);
    this.deviceLimiter = new RateLimiter(this.limits.deviceFrameBurst, this.limits.deviceFramesPerSec);
    this.intervalBudget = new RateLimiter(this.limits.deviceIntervalBurst, this.limits.deviceIntervalsPerSec);
    this.summaries = new SummaryService(this.store, this.policies, this.now);
    this.summaryTimer = setInterval(() => {
      if (!this.summaryPass && !this.closing)
        this.summaryPass = this.refreshSummaries().finally(() => {
          this.summaryPass = null;
        });
    }, options.summaryIntervalMs ?? HOUR_MS);
    this.summaryTimer.unref();
  }

  /**
   * Extension `summary`: computes the device's figures (cached per group and hour) and sends them
   * when they differ from what this socket last got. Never throws; runs after the welcome, off the
   * frame pipeline, so acks never wait for it.
   */
  private async sendSummary(conn: Connection): Promise<void> {
    try {
      if (conn.closed || !conn.wantsSummary) return;
      const device = await this.store.getDevice(conn.deviceId);
      if (!device || conn.closed) return;
      const frame = await this.summaries.frameFor(device.groupId);
      const figures = JSON.stringify([frame.weekStart, frame.groups]);
      if (figures === conn.sentSummary) return;
      conn.sentSummary = figures;
      conn.send(frame);
    } catch (err) {
      this.log.error({ err, deviceId: conn.deviceId }, 'summary failed');
    }
  }

  /** the hourly pass over connected agents that asked for `summary` */
  private async refreshSummaries(): Promise<void> {
    let n = 0;
    for (const conn of [...this.connections.values()]) {
      if (this.closing) return;
      if (!conn.helloDone || !conn.wantsSummary) continue;
      await this.sendSummary(conn);
      // store reads are synchronous: let socket reads and acks in between every so often
      if (++n % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.onUpgrade(req, socket, head).catch((err) => {
        this.log.error({ err }, 'agent upgrade failed');
        reject(socket, 500, ErrorCode.Internal, 'internal error');
      });
    });
  }

  /** connected here, or (several console processes) to another process */
  isOnline(deviceId: number): boolean {
    return this.connections.has(deviceId) || (this.peers?.isOnline(deviceId) ?? false);
  }

  /** devices with a socket to this process */
  connectedDeviceIds(): number[] {
    return [...this.connections.keys()];
  }

  /**
   * Other console processes on the same database (agents/cluster.ts): their agents count as online
   * and a policy change made here is announced to them, so each pushes to its own agents.
   */
  attachPeers(peers: GatewayPeers): void {
    this.peers = peers;
  }
  private peers: GatewayPeers | undefined;

  /** last frame or connection moment seen by this process, if any */
  lastSeen(deviceId: number): number | undefined {
    return this.seen.get(deviceId);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * The device came online at another console process at `at`: a socket here that was welcomed
   * before that is stale and is closed, as a newer socket replaces an older one within one process.
   */
  replacedElsewhere(deviceId: number, at: number): void {
    const conn = this.connections.get(deviceId);
    if (conn?.helloDone && conn.welcomedAt < at)
      conn.ws.close(4000, 'replaced by a newer connection of this device');
  }

  /** closes the device's socket, e.g. after it enrolled again and its old token stopped working */
  disconnect(deviceId: number, code: number, reason: string): void {
    const conn = this.connections.get(deviceId);
    if (conn) conn.ws.close(code, reason);
  }

  /**
   * recomputes effective policies of connected agents and pushes those that changed; other console
   * processes are told to do the same for theirs. Returns how many were pushed from this process.
   */
  async pushPolicies(deviceIds?: Iterable<number>): Promise<number> {
    const ids = deviceIds ? [...deviceIds] : undefined;
    this.peers?.policyChanged(ids);
    return this.pushPoliciesHere(ids);
  }

  /**
   * pushes changed policies to the agents connected to this process only. Pushes run one after
   * another, so a slower earlier push can never overwrite a newer policy on a socket.
   */
  pushPoliciesHere(deviceIds?: Iterable<number>): Promise<number> {
    const ids = deviceIds ? [...deviceIds] : undefined;
    const run = this.pushQueue.then(() => this.pushNow(ids));
    this.pushQueue = run.catch(() => 0);
    return run;
  }
  private pushQueue: Promise<unknown> = Promise.resolve();

  /**
   * One push, whatever the number of agents: one store read for all their devices, one policy
   * resolution per distinct group/own policy/exclusion, one serialised frame per distinct policy,
   * written to each socket without waiting for it; the `policySent` marks ride along with the next
   * group commit.
   */
  private async pushNow(deviceIds: number[] | undefined): Promise<number> {
    const ids: number[] = [];
    for (const id of deviceIds ?? this.connections.keys()) {
      const conn = this.connections.get(id);
      if (conn?.helloDone && !conn.closed) ids.push(id);
    }
    if (ids.length === 0) return 0;
    const targets = await this.store.policyTargets(ids);
    const resolved = await this.policies.effectiveForEach(targets);
    const frames = new Map<string, string>();
    let pushed = 0;
    for (let i = 0; i < targets.length; i++) {
      // thousands of sockets: let reads and acks in between every so often
      if (i > 0 && i % 2000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      // the socket of now: it may have been replaced while the devices were read (or meanwhile)
      const conn = this.connections.get(targets[i]!.id);
      if (!conn?.helloDone || conn.closed) continue;
      const { policy, etag } = resolved[i]!;
      if (etag === conn.sentEtag) continue;
      let text = frames.get(etag);
      if (text === undefined) {
        text = JSON.stringify({ type: 'policy', policy, etag } satisfies ConsoleFrame);
        frames.set(etag, text);
      }
      conn.sentEtag = etag;
      conn.sendText(text);
      void this.queueUpdate({ kind: 'policySent', deviceId: conn.deviceId, etag });
      pushed++;
    }
    return pushed;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.summaryTimer);
    if (this.summaryPass) await this.summaryPass;
    for (const conn of this.connections.values()) conn.ws.close(1001, 'console shutting down');
    await this.ingest.drain();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.log.info({ ingest: this.stats }, 'agent gateway closed');
  }

  // ---- upgrade ----

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    // the raw target must be exactly the agent path: no decoding, so no second spelling gets in
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_WS_PATH) {
      reject(
        socket,
        404,
        ErrorCode.NotFound,
        `no WebSocket endpoint at ${path}; agents connect to ${AGENT_WS_PATH}`,
      );
      return;
    }
    const address = this.clientAddress(req);
    if (this.closing) {
      reject(socket, 503, ErrorCode.StorageUnavailable, 'console is shutting down', retryAfter(5, 30));
      return;
    }
    if (!this.upgradeLimiter.take(address)) {
      reject(
        socket,
        429,
        ErrorCode.TooManyRequests,
        'too many connection attempts from this address',
        retryAfter(10, 60),
      );
      return;
    }
    if (
      this.connections.size >= this.limits.maxConnections ||
      this.ingest.waiting >= this.limits.maxPendingReports
    ) {
      reject(socket, 503, ErrorCode.RateLimited, 'console is busy; try again later', retryAfter(5, 60));
      return;
    }
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const token = bearer ?? tokenFromSubprotocols(req.headers['sec-websocket-protocol']);
    const m = token !== undefined;
    const device = m ? await this.store.getDeviceByTokenHash(hashToken(token)) : undefined;
    if (!device) {
      // failed authentications per address are limited; devices with valid tokens behind the same NAT
      // are never locked out by a few neighbours with stale tokens
      if (!this.badAuthLimiter.take(address)) {
        reject(
          socket,
          429,
          ErrorCode.TooManyRequests,
          'too many failed authentications from this address; wait and try again',
          retryAfter(10, 60),
        );
        return;
      }
      reject(
        socket,
        401,
        ErrorCode.Unauthorized,
        m
          ? 'unknown or replaced device token; enroll the device again'
          : 'missing Authorization: Bearer <deviceToken>',
      );
      return;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, device.id, address));
  }

  private onConnection(ws: WebSocket, deviceId: number, address: string) {
    const conn = new Connection(ws, deviceId, address);
    const previous = this.connections.get(deviceId);
    if (previous) previous.ws.close(4000, 'replaced by a newer connection of this device');
    this.connections.set(deviceId, conn);
    this.seen.set(deviceId, this.now());
    conn.helloTimer = setTimeout(() => {
      // after a busy spell timers run before pending socket reads: look again once those are read
      setImmediate(() => {
        // a hello that arrived and waits its turn counts; bad first frames are closed by the bad-frame limit
        if (conn.helloDone || conn.closed || conn.framesSeen > 0) return;
        conn.send({
          type: 'error',
          code: ErrorCode.HelloRequired,
          message: `no hello within ${this.limits.helloTimeoutMs} ms; closing`,
        });
        conn.ws.close(1008, 'hello expected');
        conn.closed = true;
      });
    }, this.limits.helloTimeoutMs);
    conn.helloTimer.unref();
    ws.on('message', (data, isBinary) => {
      conn.queue.push({ data, binary: isBinary });
      conn.framesSeen++;
      conn.queuedBytes += frameBytes(data);
      if ((conn.queue.length >= QUEUE_PAUSE || conn.queuedBytes >= QUEUE_PAUSE_BYTES) && !ws.isPaused)
        ws.pause();
      this.pump(conn);
    });
    ws.on('close', () => {
      clearTimeout(conn.helloTimer);
      conn.closed = true;
      conn.queue.length = 0;
      conn.queuedBytes = 0;
      const current = this.connections.get(deviceId) === conn;
      if (current) this.connections.delete(deviceId);
      const at = this.now();
      this.seen.set(deviceId, at);
      void this.queueUpdate({ kind: 'lastSeen', deviceId, at });
      if (current) this.emit({ type: 'device', deviceId, online: false, at });
    });
    ws.on('error', (err) => this.log.debug({ err, deviceId }, 'agent socket error'));
  }

  // ---- frames, in order per socket ----

  private pump(conn: Connection): void {
    while (!conn.busy && !conn.rateWait && conn.queue.length > 0 && !conn.closed) {
      if (!this.deviceLimiter.take(String(conn.deviceId))) {
        // too fast: stop reading this socket for a while; nothing is refused
        conn.rateWait = true;
        if (!conn.ws.isPaused) conn.ws.pause();
        setTimeout(
          () => {
            conn.rateWait = false;
            this.pump(conn);
          },
          this.deviceLimiter.waitMs(String(conn.deviceId)),
        ).unref();
        return;
      }
      const frame = conn.queue.shift()!;
      conn.queuedBytes -= frameBytes(frame.data);
      this.seen.set(conn.deviceId, this.now());
      let result: Promise<void> | undefined;
      try {
        result = this.handleFrame(conn, frame);
      } catch (err) {
        this.log.error({ err, deviceId: conn.deviceId }, 'agent frame failed');
        conn.send({ type: 'error', code: ErrorCode.Internal, message: 'internal error' });
      }
      if (result) {
        conn.busy = true;
        result
          .catch((err) => {
            this.log.error({ err, deviceId: conn.deviceId }, 'agent frame failed');
            conn.send({ type: 'error', code: ErrorCode.Internal, message: 'internal error' });
          })
          .finally(() => {
            conn.busy = false;
            this.pump(conn);
          });
        return;
      }
    }
    if (
      conn.ws.isPaused &&
      !conn.rateWait &&
      conn.queue.length <= QUEUE_RESUME &&
      conn.queuedBytes <= QUEUE_RESUME_BYTES &&
      !conn.closed
    )
      conn.ws.resume();
  }

  private bad(conn: Connection, code: ErrorCode, message: string, seq?: number): void {
    conn.send(seq === undefined ? { type: 'error', code, message } : { type: 'error', code, message, seq });
    conn.badInARow++;
    if (conn.badInARow >= LIMITS.maxConsecutiveBadFrames) {
      conn.ws.close(1008, 'too many bad frames in a row');
      conn.closed = true;
    }
  }

  private handleFrame(conn: Connection, frame: Frame): Promise<void> | undefined {
    if (frame.binary) {
      this.bad(
        conn,
        ErrorCode.BinaryFrame,
        'binary frames are not part of protocol v1; send JSON text frames',
      );
      return;
    }
    const buf = frame.data as Buffer;
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch {
      if (buf.length > LIMITS.maxFrameBytes) {
        this.bad(
          conn,
          ErrorCode.FrameTooLarge,
          `frame of ${buf.length} bytes exceeds ${LIMITS.maxFrameBytes}`,
        );
      } else {
        this.bad(conn, ErrorCode.BadJson, 'frame is not valid JSON');
      }
      return;
    }
    const type =
      msg !== null && typeof msg === 'object' && !Array.isArray(msg)
        ? (msg as { type?: unknown }).type
        : undefined;
    const seq = type === 'report' ? parseSeq((msg as { seq?: unknown }).seq) : undefined;
    if (buf.length > LIMITS.maxFrameBytes) {
      this.bad(
        conn,
        ErrorCode.FrameTooLarge,
        `frame of ${buf.length} bytes exceeds ${LIMITS.maxFrameBytes}; send fewer intervals per report`,
        seq,
      );
      return;
    }
    if (typeof type !== 'string') {
      this.bad(conn, ErrorCode.BadFrame, 'a frame is a JSON object with a string "type"');
      return;
    }
    if (!(AGENT_FRAME_TYPES as readonly string[]).includes(type)) {
      this.bad(conn, ErrorCode.UnknownType, `unknown frame type "${type.slice(0, 40)}"`);
      return;
    }
    if (!conn.helloDone && type !== 'hello') {
      this.bad(conn, ErrorCode.HelloRequired, 'the first frame must be hello');
      return;
    }
    if (type === 'hello') {
      const parsed = HelloFrameSchema.safeParse(msg);
      if (!parsed.success) {
        this.bad(conn, ErrorCode.BadFrame, `bad hello: ${issues(parsed.error)}`);
        return;
      }
      if (conn.helloDone) {
        this.bad(conn, ErrorCode.BadFrame, 'hello was already received on this connection');
        return;
      }
      conn.badInARow = 0;
      return this.onHello(conn, parsed.data);
    }
    if (type === 'report') {
      const intervals = (msg as { intervals?: unknown }).intervals;
      if (Array.isArray(intervals) && intervals.length > LIMITS.maxIntervalsPerReport) {
        this.bad(
          conn,
          ErrorCode.TooManyIntervals,
          `${intervals.length} intervals in one report; at most ${LIMITS.maxIntervalsPerReport}`,
          seq,
        );
        return;
      }
      // a hand-checked fast path for well-formed reports; zod decides (and words the error) otherwise
      const parsed = parseReport(msg);
      if (!parsed.success) {
        const code =
          seq === undefined
            ? ErrorCode.BadSeq
            : parsed.error.issues.some((i) => i.path[0] === 'intervals')
              ? ErrorCode.BadInterval
              : ErrorCode.BadFrame;
        this.bad(conn, code, `bad report: ${issues(parsed.error)}`, seq);
        return;
      }
      conn.badInARow = 0;
      const r = parsed.data;
      const item: IngestItem = {
        deviceId: conn.deviceId,
        seq: r.seq,
        intervals: r.intervals,
        blockers: r.blockers,
        counters: r.counters,
        strictIntervals: conn.strictIntervals,
      };
      // the ingest budget: a device that sends intervals faster than its budget waits here, and since
      // its socket's frames are handled one at a time, its socket is paused meanwhile (QUEUE_PAUSE)
      const wait = this.intervalBudget.reserve(String(conn.deviceId), r.intervals.length);
      if (wait > 0)
        return delay(wait).then(() => {
          // gone meanwhile: nothing was acked, so the agent sends it again on its next connection
          if (!conn.closed) return this.onReport(conn, item);
        });
      return this.onReport(conn, item);
    }
    if (type === 'inventory') {
      if (!conn.sendsInventory) {
        this.bad(conn, ErrorCode.UnknownType, 'frame type "inventory" needs the inventory feature in hello');
        return;
      }
      const parsed = InventoryFrameSchema.safeParse(msg);
      if (!parsed.success) {
        this.bad(conn, ErrorCode.BadFrame, `bad inventory: ${issues(parsed.error)}`);
        return;
      }
      conn.badInARow = 0;
      const inventory = parsed.data.inventory;
      const decision = classifyDevice(inventory);
      return this.queueUpdate({
        kind: 'inventory',
        deviceId: conn.deviceId,
        inventory,
        detectedClass: decision.deviceClass,
        classReview: decision.review,
        now: this.now(),
      });
    }
    // policy_status
    const parsed = PolicyStatusFrameSchema.safeParse(msg);
    if (!parsed.success) {
      this.bad(conn, ErrorCode.BadFrame, `bad policy_status: ${issues(parsed.error)}`);
      return;
    }
    conn.badInARow = 0;
    const st = parsed.data;
    const at = this.now();
    return this.queueUpdate({
      kind: 'policyStatus',
      deviceId: conn.deviceId,
      etag: st.etag,
      ok: st.ok,
      applied: st.applied,
      errors: st.errors,
      at,
    }).then(() =>
      this.emit({ type: 'policy_status', deviceId: conn.deviceId, ok: st.ok, etag: st.etag, at }),
    );
  }

  private async onHello(conn: Connection, hello: import('@sluimer/shared').HelloFrame) {
    const now = this.now();
    const decision = hello.inventory ? classifyDevice(hello.inventory) : undefined;
    // written with the next group commit (before any report of this device in it)
    void this.queueUpdate({
      kind: 'hello',
      deviceId: conn.deviceId,
      agentVersion: hello.agentVersion,
      policyEtag: hello.policyEtag,
      inventory: hello.inventory,
      detectedClass: decision?.deviceClass,
      classReview: decision?.review,
      now,
    });
    const device = await this.store.getDevice(conn.deviceId);
    if (!device) {
      conn.ws.close(4001, 'device no longer enrolled');
      return;
    }
    const { policy, etag } = await this.policies.effectiveFor(device);
    conn.helloDone = true;
    conn.strictIntervals = hello.features?.includes(STRICT_INTERVALS_FEATURE) ?? false;
    conn.sendsInventory = hello.features?.includes(INVENTORY_FEATURE) ?? false;
    clearTimeout(conn.helloTimer);
    conn.sentEtag = etag;
    conn.welcomedAt = now;
    conn.send({
      type: 'welcome',
      deviceId: device.id,
      serverTime: now,
      ackedSeq: device.maxSeq,
      policy,
      etag,
      // extension frames this console accepts from agents (docs/api.md "Protocol extensions")
      features: [INVENTORY_FEATURE],
    });
    void this.queueUpdate({ kind: 'policySent', deviceId: device.id, etag });
    this.emit({ type: 'device', deviceId: device.id, online: true, at: now });
    if (hello.features?.includes('summary')) {
      conn.wantsSummary = true;
      // after the welcome and off this socket's frame queue: reports are read and acked meanwhile
      setImmediate(() => void this.sendSummary(conn));
    }
  }

  // ---- reports: stored by the ingest batcher, answered here once committed ----

  private async onReport(conn: Connection, item: IngestItem): Promise<void> {
    const { outcome, at } = await this.ingest.submit(item);
    try {
      this.answer(conn, item, outcome, at);
    } catch (err) {
      this.log.error({ err, deviceId: conn.deviceId }, 'agent frame failed');
      conn.send({ type: 'error', code: ErrorCode.Internal, message: 'internal error' });
    }
  }

  /** answers a report once its batch is committed (or failed) */
  private answer(conn: Connection, item: IngestItem, outcome: IngestOutcome, at: number): void {
    switch (outcome.status) {
      case 'stored':
      case 'duplicate': {
        conn.ack(outcome.seq);
        const last = item.intervals[item.intervals.length - 1];
        if (outcome.status === 'stored')
          this.emit({
            type: 'report',
            deviceId: conn.deviceId,
            at,
            lastState: last?.state,
            lastEnd: last?.end,
          });
        break;
      }
      case 'rejected':
        conn.send({ type: 'error', code: outcome.code, message: outcome.message, seq: outcome.seq });
        break;
      case 'failed':
        // not the report's fault: no ack and no rejection, so the agent keeps it and sends it again later
        conn.send({ type: 'error', code: ErrorCode.StorageUnavailable, message: outcome.message });
        conn.ws.close(1011, 'could not store the report; reconnect later');
        conn.closed = true;
        break;
    }
  }

  /** a small device write that rides along with the next group commit; resolves once committed */
  private queueUpdate(u: DeviceUpdate): Promise<void> {
    return this.ingest.update(u);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function frameBytes(data: RawData): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function issues(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(frame)'}: ${i.message}`)
    .join('; ');
}

function retryAfter(min: number, max: number): Record<string, string> {
  return { 'Retry-After': String(min + Math.floor(Math.random() * (max - min + 1))) };
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** answers an upgrade with a plain HTTP error and a JSON body; no socket is made */
function reject(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    body,
  ];
  socket.end(lines.join('\r\n'));
}
