import {
  AGENT_WS_PATH,
  type AppliedSettings,
  type Blocker,
  type ConsoleFrame,
  type EffectivePolicy,
  type Interval,
  type Inventory,
  PROTOCOL_VERSION,
  type WelcomeFrame,
} from '@sluimer/shared';
import WebSocket from 'ws';
import { retryAfterMs, sleep } from './util.js';

/**
 * A protocol-level agent: speaks protocol v1 over a real WebSocket and nothing else. Cheap enough
 * to run thousands in one process (one socket, a map of unacked reports, no timers while idle).
 * Delivery is at-least-once like the real agent: unacked reports stay pending and are sent again
 * after a reconnect unless `welcome.ackedSeq` shows the console already has them.
 */

export interface ReportOutcome {
  seq: number;
  /** ms from the (last) send to the ack */
  latencyMs: number;
}

export class ReportRejected extends Error {
  constructor(
    readonly seq: number,
    readonly code: string,
    message: string,
  ) {
    super(`report ${seq} rejected: ${code}: ${message}`);
    this.name = 'ReportRejected';
  }
}

interface Pending {
  seq: number;
  data: string;
  sentAt: number;
  resolve(o: ReportOutcome): void;
  reject(e: Error): void;
}

export interface ProtocolAgentOptions {
  server: string;
  deviceToken: string;
  agentVersion?: string;
  inventory?: Inventory;
  /** reconnect after the socket drops (backoff 0.25 → 5 s); default true */
  reconnect?: boolean;
  /** first seq to use if the console has nothing (default: ackedSeq + 1) */
  startSeq?: number;
  /** called for every policy the agent receives (welcome or push), after policy_status is sent */
  onPolicy?(policy: EffectivePolicy, etag: string, source: 'welcome' | 'policy'): void;
  onError?(frame: { code: string; message: string; seq?: number }): void;
  /** connect from this local address (e.g. 127.0.0.7: another "school NAT" on loopback) */
  localAddress?: string;
}

/** What a device "reads back" after applying a policy: the simulated OS takes every value. */
export function appliedFromPolicy(policy: EffectivePolicy): AppliedSettings {
  const applied: AppliedSettings = {};
  if (policy.sleepAfterSec) applied.sleepAfterSec = { ...policy.sleepAfterSec };
  if (policy.displayOffAfterSec) applied.displayOffAfterSec = { ...policy.displayOffAfterSec };
  if (policy.brightnessCapPct) applied.brightnessCapPct = { ...policy.brightnessCapPct };
  const o = policy.outsideSchoolHours;
  applied.scheduledAction =
    o?.action && o.action !== 'none' ? `${o.action} ${o.actionAt ?? ''}`.trim() : null;
  return applied;
}

export function agentWsUrl(server: string): string {
  const u = new URL(AGENT_WS_PATH, server);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class ProtocolAgent {
  ws: WebSocket | undefined;
  welcome: WelcomeFrame | undefined;
  policy: EffectivePolicy | undefined;
  policyEtag: string | undefined;
  /** etag of the last policy_status sent */
  appliedEtag: string | undefined;
  nextSeq = 0;
  readonly pending = new Map<number, Pending>();
  /** every frame received, when `recordFrames` is on (tests) */
  frames: ConsoleFrame[] = [];
  recordFrames = false;
  reconnects = 0;
  private closed = false;
  private connecting: Promise<WelcomeFrame> | undefined;
  private frameWaiters: { match(f: ConsoleFrame): boolean; resolve(f: ConsoleFrame): void }[] = [];

  constructor(readonly opts: ProtocolAgentOptions) {
    if (opts.startSeq) this.nextSeq = opts.startSeq;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.welcome !== undefined;
  }

  /** Opens the socket, sends hello and resolves with the welcome. Retries 503 and network errors. */
  connect(): Promise<WelcomeFrame> {
    this.closed = false;
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectLoop(): Promise<WelcomeFrame> {
    let delay = 250;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openOnce();
      } catch (err) {
        const e = err as Error & { status?: number; retryAfter?: string };
        if (this.closed || e.status === 401 || e.status === 403 || attempt > 200) throw err;
        await sleep(e.status === 503 ? retryAfterMs(e.retryAfter, delay) : delay * (0.5 + Math.random()));
        delay = Math.min(5000, delay * 2);
      }
    }
  }

  private openOnce(): Promise<WelcomeFrame> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(agentWsUrl(this.opts.server), {
        headers: { authorization: `Bearer ${this.opts.deviceToken}` },
        perMessageDeflate: false,
        handshakeTimeout: 30_000,
        ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
      });
      this.ws = ws;
      this.welcome = undefined;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      ws.on('unexpected-response', (_req, res) => {
        const err = Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode}`), {
          status: res.statusCode,
          retryAfter: res.headers['retry-after'],
        });
        res.resume();
        ws.terminate();
        fail(err);
      });
      ws.on('error', (err) => fail(err));
      ws.on('open', () => {
        const hello: Record<string, unknown> = {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agentVersion: this.opts.agentVersion ?? 'sim-0.1.0',
        };
        if (this.opts.inventory) hello.inventory = this.opts.inventory;
        if (this.policyEtag) hello.policyEtag = this.policyEtag;
        ws.send(JSON.stringify(hello));
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let frame: ConsoleFrame;
        try {
          frame = JSON.parse(data.toString()) as ConsoleFrame;
        } catch {
          return;
        }
        if (frame.type === 'welcome' && !settled) {
          settled = true;
          this.onWelcome(frame);
          resolve(frame);
        }
        this.onFrame(frame);
      });
      ws.on('close', () => {
        fail(new Error('socket closed before welcome'));
        if (this.ws === ws) this.welcome = undefined;
        if (!this.closed && settled && this.opts.reconnect !== false) {
          this.reconnects++;
          this.connect().catch(() => undefined);
        }
      });
    });
  }

  private onWelcome(w: WelcomeFrame): void {
    this.welcome = w;
    for (const [seq, p] of this.pending) {
      if (seq <= w.ackedSeq) {
        this.pending.delete(seq);
        p.resolve({ seq, latencyMs: performance.now() - p.sentAt });
      }
    }
    if (this.pending.size === 0) this.nextSeq = Math.max(this.nextSeq, w.ackedSeq + 1);
    // re-send what the console does not have, in order
    for (const seq of [...this.pending.keys()].sort((a, b) => a - b)) {
      const p = this.pending.get(seq) as Pending;
      p.sentAt = performance.now();
      this.ws?.send(p.data);
    }
    this.takePolicy(w.policy, w.etag, 'welcome');
  }

  private takePolicy(policy: EffectivePolicy, etag: string, source: 'welcome' | 'policy'): void {
    this.policy = policy;
    this.policyEtag = etag;
    if (this.appliedEtag !== etag) {
      this.appliedEtag = etag;
      this.ws?.send(
        JSON.stringify({
          type: 'policy_status',
          etag,
          ok: true,
          applied: appliedFromPolicy(policy),
          errors: [],
        }),
      );
    }
    this.opts.onPolicy?.(policy, etag, source);
  }

  private onFrame(frame: ConsoleFrame): void {
    if (this.recordFrames) this.frames.push(frame);
    if (frame.type === 'ack') {
      const p = this.pending.get(frame.seq);
      if (p) {
        this.pending.delete(frame.seq);
        p.resolve({ seq: frame.seq, latencyMs: performance.now() - p.sentAt });
      }
    } else if (frame.type === 'policy') {
      this.takePolicy(frame.policy, frame.etag, 'policy');
    } else if (frame.type === 'error') {
      this.opts.onError?.(frame);
      if (frame.seq !== undefined) {
        const p = this.pending.get(frame.seq);
        if (p) {
          this.pending.delete(frame.seq);
          p.reject(new ReportRejected(frame.seq, frame.code, frame.message));
        }
      }
    }
    this.frameWaiters = this.frameWaiters.filter((w) => {
      if (!w.match(frame)) return true;
      w.resolve(frame);
      return false;
    });
  }

  /** Resolves with the next frame that matches (only frames received from now on). */
  nextFrame(match: (f: ConsoleFrame) => boolean, timeoutMs = 10_000): Promise<ConsoleFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.frameWaiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /**
   * Sends a report with the next seq; resolves when the console acks it (possibly after a
   * reconnect and re-send), rejects when the console refuses it with an error naming its seq.
   */
  report(intervals: readonly Interval[], blockers?: readonly Blocker[]): Promise<ReportOutcome> {
    if (this.nextSeq === 0) this.nextSeq = (this.welcome?.ackedSeq ?? 0) + 1;
    const seq = this.nextSeq++;
    const frame: Record<string, unknown> = { type: 'report', seq, intervals };
    if (blockers && blockers.length > 0) frame.blockers = blockers;
    return this.sendReport(seq, JSON.stringify(frame));
  }

  /** Sends an exact report frame (tests: duplicates, bad frames with a seq). Tracked like a report. */
  sendReport(seq: number, data: string): Promise<ReportOutcome> {
    return new Promise((resolve, reject) => {
      const p: Pending = { seq, data, sentAt: performance.now(), resolve, reject };
      this.pending.set(seq, p);
      if (this.connected) this.ws?.send(data);
    });
  }

  /** Sends raw data as is (text or binary), without tracking. */
  sendRaw(data: string | Buffer): void {
    this.ws?.send(data);
  }

  /** Closes cleanly and stops reconnecting; pending reports stay pending. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000);
      ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      ws.close(1000);
    });
  }

  /** Drops the socket without a close handshake (like a killed process); keeps pending reports. */
  kill(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}
