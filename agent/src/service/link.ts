import {
  type AckFrame,
  AGENT_WS_PATH,
  type AgentFrame,
  ConsoleFrameSchema,
  type ErrorFrame,
  type HelloFrame,
  type PolicyFrame,
  PolicyFrameSchema,
  type SummaryFrame,
  type WelcomeFrame,
  WelcomeFrameSchema,
} from '@sluimer/shared';
import WebSocket from 'ws';
import { z } from 'zod';
import { type Logger, silentLogger } from './log.js';
import { MAX_SEQ, Outbox } from './outbox.js';

/** the console's error code for a report number it will not take (design: limits against abuse) */
export const SEQ_OUT_OF_RANGE = 'seq_out_of_range';

/**
 * The console link: one WebSocket to `/api/v1/agent`, authenticated with the device token at the
 * upgrade. Reconnects with a random first delay and full-jitter exponential backoff capped at five
 * minutes; a `503` with `Retry-After` at the upgrade is honoured. After `welcome` it sends unacked
 * reports in seq order with a small window in flight and deletes each on its `ack`.
 */

export interface LinkTimings {
  /** the first connect waits a random time up to this (spreads a school's devices after a power cut) */
  initialDelayMaxMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** a Retry-After above this is capped */
  retryAfterMaxMs: number;
  /** reports in flight at once */
  window: number;
  /**
   * ping after this long without a frame from the console (the acks of the once-a-minute reports
   * usually make it unnecessary); no pong within as long again = dead socket
   */
  pingIntervalMs: number;
  /** give up on an upgrade that takes longer than this */
  handshakeTimeoutMs: number;
}

export const LINK_DEFAULTS: LinkTimings = {
  initialDelayMaxMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  retryAfterMaxMs: 60 * 60_000,
  window: 8,
  pingIntervalMs: 90_000,
  handshakeTimeoutMs: 30_000,
};

/** A frame whose `policy` has not been validated yet. */
export type Loose<T extends { policy: unknown }> = Omit<T, 'policy'> & { policy: unknown };
type LooseConsoleFrame = Loose<WelcomeFrame> | Loose<PolicyFrame> | AckFrame | ErrorFrame | SummaryFrame;

const LooseFrameSchema = z.discriminatedUnion('type', [
  WelcomeFrameSchema.extend({ policy: z.unknown() }),
  PolicyFrameSchema.extend({ policy: z.unknown() }),
]);

export type LinkState = 'idle' | 'waiting' | 'connecting' | 'open' | 'ready' | 'stopped';

export interface LinkOptions {
  serverUrl: string;
  token: () => string | undefined;
  hello: () => Promise<HelloFrame>;
  outbox: Outbox;
  /** `policy` is as received: the handler validates it (a newer console may add fields) */
  onWelcome?: (frame: Loose<WelcomeFrame>) => Promise<void> | void;
  onPolicy?: (frame: Loose<PolicyFrame>) => Promise<void> | void;
  onAck?: (seq: number) => void;
  onError?: (frame: ErrorFrame) => void;
  /** extension `summary` (docs/api.md "Protocol extensions"): room/class week figures */
  onSummary?: (frame: SummaryFrame) => void;
  /**
   * The upgrade got 401: 'retry' after fixing the token (re-enrollment) reconnects at once,
   * 'backoff' tries again later, 'stop' stops the link.
   */
  onUnauthorized: () => Promise<'retry' | 'backoff' | 'stop'>;
  onStateChange?: (state: LinkState) => void;
  timings?: Partial<LinkTimings>;
  random?: () => number;
  logger?: Logger;
}

/** Full jitter: uniformly random in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(
  attempt: number,
  t: Pick<LinkTimings, 'backoffBaseMs' | 'backoffMaxMs'>,
  r: number,
) {
  const ceiling = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(r * ceiling);
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function agentSocketUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${AGENT_WS_PATH}`;
  u.search = '';
  return u.toString();
}

export class ConsoleLink {
  private readonly o: LinkOptions;
  private readonly t: LinkTimings;
  private readonly random: () => number;
  private readonly log: Logger;
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private sentUpTo = 0;
  private stateValue: LinkState = 'idle';
  private frameChain: Promise<void> = Promise.resolve();
  /** the console's ackedSeq from this connection's welcome, when it was sane; null otherwise */
  private welcomeAcked: number | null = null;
  /** the outbox was renumbered after a `seq_out_of_range` and no report was acked since */
  private renumberedSinceAck = false;
  /** delays chosen for each reconnect, newest last (bounded; for tests and status) */
  readonly delays: number[] = [];
  stats = { connects: 0, welcomes: 0, acks: 0, rejected: 0, sent: 0 };

  constructor(opts: LinkOptions) {
    this.o = opts;
    this.t = { ...LINK_DEFAULTS, ...opts.timings };
    this.random = opts.random ?? Math.random;
    this.log = opts.logger ?? silentLogger;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  private setState(s: LinkState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.o.onStateChange?.(s);
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    this.schedule(Math.floor(this.random() * this.t.initialDelayMaxMs));
  }

  private schedule(delay: number): void {
    if (this.stateValue === 'stopped') return;
    this.clearTimer();
    this.delays.push(delay);
    if (this.delays.length > 100) this.delays.shift();
    this.setState('waiting');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private scheduleBackoff(): void {
    const delay = backoffDelay(this.attempt, this.t, this.random());
    this.attempt++;
    this.schedule(delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private connect(): void {
    if (this.stateValue === 'stopped') return;
    const token = this.o.token();
    if (!token) {
      this.log.warn('no device token yet; waiting');
      this.scheduleBackoff();
      return;
    }
    this.setState('connecting');
    this.stats.connects++;
    const url = agentSocketUrl(this.o.serverUrl);
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      handshakeTimeout: this.t.handshakeTimeoutMs,
      maxPayload: 1024 * 1024,
    });
    this.ws = ws;
    let refused: { status: number; retryAfterMs: number | null } | null = null;
    ws.on('unexpected-response', (_req, res) => {
      refused = {
        status: res.statusCode ?? 0,
        retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
      };
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      this.setState('open');
      this.sentUpTo = 0;
      this.o.outbox.inFlight.clear();
      this.startPing(ws);
      void this.o
        .hello()
        .then((hello) => this.sendFrame(hello))
        .catch((err) => this.log.error('could not build hello', { err }));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.log.warn('binary frame from the console ignored');
        return;
      }
      const text = data.toString();
      this.frameChain = this.frameChain
        .then(() => this.handle(ws, text))
        .catch((err) => this.log.error('frame handling failed', { err }));
    });
    ws.on('error', (err) => {
      if (!refused) this.log.debug('socket error', { err });
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      this.o.outbox.inFlight.clear();
      if (this.stateValue === 'stopped') return;
      const r = refused as { status: number; retryAfterMs: number | null } | null;
      if (r?.status === 401) {
        this.log.warn('console refused the device token (401)');
        void this.o.onUnauthorized().then(
          (next) => {
            if (next === 'retry') this.schedule(Math.floor(this.random() * this.t.backoffBaseMs));
            else if (next === 'backoff') this.scheduleBackoff();
            else void this.stop();
          },
          (err) => {
            this.log.error('401 handler failed', { err });
            this.scheduleBackoff();
          },
        );
        return;
      }
      if (r?.status === 503 && r.retryAfterMs !== null) {
        const delay =
          Math.min(r.retryAfterMs, this.t.retryAfterMaxMs) + Math.floor(this.random() * this.t.backoffBaseMs);
        this.attempt++;
        this.log.info('console busy; retrying after Retry-After', { delayMs: delay });
        this.schedule(delay);
        return;
      }
      if (r) this.log.warn('console refused the connection', { status: r.status });
      else this.log.info('connection closed', { code });
      this.scheduleBackoff();
    });
  }

  /**
   * A ping only after `pingIntervalMs` in which the console sent nothing; no pong within another period
   * = dead socket. Every frame or pong from the console moves the deadline (a timer refresh wakes
   * nothing), so while the once-a-minute reports are acked the timer never fires and the device is not
   * woken for it.
   */
  private startPing(ws: WebSocket): void {
    this.stopPing();
    let awaitingPong = false;
    const timer = setTimeout(() => {
      if (awaitingPong) {
        this.log.warn('no pong from the console; reconnecting');
        ws.terminate();
        return;
      }
      awaitingPong = true;
      try {
        ws.ping();
        timer.refresh();
      } catch {
        ws.terminate();
      }
    }, this.t.pingIntervalMs);
    const heard = () => {
      awaitingPong = false;
      if (this.pingTimer === timer) timer.refresh();
    };
    ws.on('message', heard);
    ws.on('pong', heard);
    this.pingTimer = timer;
  }

  private stopPing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  private async handle(ws: WebSocket, text: string): Promise<void> {
    if (this.ws !== ws) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.log.warn('console sent a frame that is not JSON');
      return;
    }
    let parsed = ConsoleFrameSchema.safeParse(json) as { success: boolean; data?: LooseConsoleFrame };
    if (!parsed.success) {
      // a newer console may send policy fields this agent does not know: the frame still counts
      // (ackedSeq, etag), and the agent judges the policy itself and says what it could not use
      parsed = LooseFrameSchema.safeParse(json);
    }
    if (!parsed.success || !parsed.data) {
      this.log.warn('console frame not understood', { type: (json as { type?: unknown })?.type });
      return;
    }
    const f = parsed.data;
    switch (f.type) {
      case 'welcome': {
        const r = this.o.outbox.applyWelcome(f.deviceId, f.ackedSeq);
        this.welcomeAcked = r.fault ? null : f.ackedSeq;
        this.sentUpTo = 0;
        this.attempt = 0;
        this.stats.welcomes++;
        const { nextSeq } = this.o.outbox.stats();
        if (r.fault) {
          // the console claims report numbers this agent never gave out: a console fault (its
          // store, or a forged report). Following it once wedged devices for good (issue 9).
          this.log.error(
            'console fault: welcome.ackedSeq is impossible for this device; keeping our own report numbers',
            { fault: r.fault, ackedSeq: f.ackedSeq, nextSeq, maxSeq: MAX_SEQ, deviceId: f.deviceId },
          );
        } else if (r.followed) {
          this.log.warn(
            'the console has reports this outbox never numbered (restored from an older copy?); waiting reports moved above them',
            { ackedSeq: f.ackedSeq, nextSeq, renumbered: r.renumbered },
          );
        }
        this.log.info('welcome', { deviceId: f.deviceId, ackedSeq: f.ackedSeq, ...r });
        this.setState('ready');
        this.pump();
        // applying a policy may take seconds on a real OS: acks keep flowing meanwhile
        this.background(() => this.o.onWelcome?.(f));
        break;
      }
      case 'ack':
        this.o.outbox.ack(f.seq);
        this.renumberedSinceAck = false;
        this.stats.acks++;
        this.o.onAck?.(f.seq);
        this.pump();
        break;
      case 'policy':
        this.background(() => this.o.onPolicy?.(f));
        break;
      case 'error':
        if (f.seq !== undefined && f.code === SEQ_OUT_OF_RANGE && this.renumberAfterRefusal(ws, f)) {
          // renumbered; the reconnect resends everything with the new numbers
        } else if (f.seq !== undefined) {
          const dropped = this.o.outbox.reject(f.seq);
          if (dropped) this.stats.rejected++;
          this.log.warn('console rejected a report; dropped and counted', {
            seq: f.seq,
            code: f.code,
            message: f.message,
          });
          this.pump();
        } else {
          this.log.warn('console error', { code: f.code, message: f.message });
        }
        this.o.onError?.(f);
        break;
      case 'summary':
        this.o.onSummary?.(f);
        break;
    }
  }

  /**
   * The console refused a report's number, not its content. Once per acked progress the waiting
   * reports are renumbered directly above this connection's (sane) `ackedSeq` and the link
   * reconnects, so everything is resent in order under numbers the console takes. A second refusal
   * before any ack means renumbering does not help: then the report is dropped and counted like any
   * other refused report, so the same poisoned report is never resent in a loop.
   */
  private renumberAfterRefusal(ws: WebSocket, f: ErrorFrame): boolean {
    if (this.renumberedSinceAck || this.welcomeAcked === null) return false;
    const moved = this.o.outbox.renumberAbove(this.welcomeAcked);
    if (moved === 0) return false;
    this.renumberedSinceAck = true;
    this.log.warn('console refused our report number; waiting reports renumbered above its ackedSeq', {
      seq: f.seq,
      ackedSeq: this.welcomeAcked,
      renumbered: moved,
      message: f.message,
    });
    // frames still arriving on this socket name the old numbers: start over on a new one
    this.ws = null;
    this.stopPing();
    this.o.outbox.inFlight.clear();
    ws.terminate();
    this.scheduleBackoff();
    return true;
  }

  private background(fn: () => Promise<void> | void): void {
    Promise.resolve()
      .then(fn)
      .catch((err) => this.log.error('handler failed', { err }));
  }

  private sendFrame(frame: AgentFrame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame when the console has welcomed us; false otherwise (the caller resends after the next welcome). */
  send(frame: AgentFrame): boolean {
    if (this.stateValue !== 'ready') return false;
    return this.sendFrame(frame);
  }

  /** Sends unacked reports in seq order while fewer than `window` are in flight. */
  pump(): void {
    if (this.stateValue !== 'ready') return;
    const inFlight = this.o.outbox.inFlight;
    while (inFlight.size < this.t.window) {
      const next = this.o.outbox.pending(this.t.window - inFlight.size, this.sentUpTo);
      if (next.length === 0) return;
      for (const r of next) {
        if (!this.sendFrame(Outbox.frame(r))) return;
        inFlight.add(r.seq);
        this.sentUpTo = r.seq;
        this.stats.sent++;
      }
    }
  }

  /** Reconnect now (e.g. after a detected sleep, when the old socket is likely dead). */
  reconnectSoon(): void {
    if (this.stateValue === 'stopped') return;
    if (this.ws) this.ws.terminate();
    else if (this.stateValue === 'waiting') this.schedule(Math.floor(this.random() * this.t.backoffBaseMs));
  }

  async stop(): Promise<void> {
    if (this.stateValue === 'stopped') return;
    this.setState('stopped');
    this.clearTimer();
    this.stopPing();
    const ws = this.ws;
    this.ws = null;
    this.o.outbox.inFlight.clear();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const done = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1_000);
        ws.once('close', () => {
          clearTimeout(done);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'agent stopping');
      });
    }
  }
}
