import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AGENT_WS_PATH,
  AgentFrameSchema,
  type ConsoleFrame,
  type EffectivePolicy,
  policyEtag,
} from '@sluimer/shared';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A tiny stand-in for the console, for the agent's own tests only: enroll endpoint and agent socket
 * on 127.0.0.1, port 0, speaking protocol v1. It validates agent frames with the shared schemas, so a
 * frame the real console would refuse fails the test. Not a console: no store, no rollups.
 */

export interface FakeConsoleOptions {
  policy?: EffectivePolicy;
  /** answer for the upgrade: accept, or refuse with a status (and Retry-After seconds for 503) */
  upgrade?: (req: IncomingMessage, n: number) => { status: number; retryAfterSec?: number } | 'accept';
  /** ack reports automatically (default true) */
  autoAck?: boolean;
  enrollSecret?: string;
  /** the console's clock for `welcome.serverTime` (default Date.now; settable later via `now`) */
  now?: () => number;
  /** refuse a report with this error code instead of acking it (e.g. `seq_out_of_range`) */
  refuseReport?: (seq: number, ackedSeq: number) => string | null;
  /** `welcome.features`: the extension frames this console accepts (absent: an older console) */
  features?: string[];
  /** answer pings (default true); false plays a console whose socket died without a close */
  autoPong?: boolean;
}

export class FakeConsole {
  readonly server: Server;
  readonly wss: WebSocketServer;
  url = '';
  policy: EffectivePolicy;
  ackedSeq = 0;
  autoAck: boolean;
  /** valid frames received, in order, with the socket number */
  frames: { conn: number; frame: ReturnType<typeof AgentFrameSchema.parse> }[] = [];
  invalidFrames: string[] = [];
  /** seqs refused through `refuseReport` */
  refused: number[] = [];
  upgrades: { at: number; auth: string | undefined; status: number }[] = [];
  enrollments: unknown[] = [];
  tokens = new Map<string, number>();
  /** answer this many enrollments with 503 first */
  failEnrollments = 0;
  sockets: WebSocket[] = [];
  /** pings received from agents, on any socket */
  pings = 0;
  /** device token → installId */
  private nextDevice = 1;
  private devices = new Map<string, number>();
  private opts: FakeConsoleOptions;
  private listeners: ((f: FakeConsole) => void)[] = [];

  /** the console's clock (welcome.serverTime); tests point it at their simulated clock */
  now: () => number;

  constructor(opts: FakeConsoleOptions = {}) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.policy = opts.policy ?? { auditOnly: true, idleThresholdSec: 300 };
    this.autoAck = opts.autoAck ?? true;
    this.wss = new WebSocketServer({ noServer: true, autoPong: opts.autoPong ?? true });
    this.server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/api/v1/enroll') {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          const json = JSON.parse(body) as { enrollSecret: string; installId: string };
          this.enrollments.push(json);
          if (this.failEnrollments > 0) {
            this.failEnrollments--;
            res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
            res.end(JSON.stringify({ code: 'storage_unavailable', message: 'busy' }));
            this.changed();
            return;
          }
          if (json.enrollSecret !== (this.opts.enrollSecret ?? 'geheim')) {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ code: 'bad_enroll_secret', message: 'bad secret' }));
            return;
          }
          let id = this.devices.get(json.installId);
          if (!id) {
            id = this.nextDevice++;
            this.devices.set(json.installId, id);
          }
          // a new token replaces the old one
          for (const [tok, dev] of this.tokens) if (dev === id) this.tokens.delete(tok);
          const token = `tok-${id}-${Math.random().toString(36).slice(2)}`;
          this.tokens.set(token, id);
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ deviceId: id, deviceToken: token }));
          this.changed();
        });
        return;
      }
      res.writeHead(404).end();
    });
    this.server.on('upgrade', (req, socket, head) => {
      const n = this.upgrades.length;
      const auth = req.headers.authorization;
      const decision = this.opts.upgrade?.(req, n) ?? 'accept';
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
      const deviceId = this.tokens.get(token);
      let status = decision === 'accept' ? (deviceId === undefined ? 401 : 101) : decision.status;
      if (req.url !== AGENT_WS_PATH) status = 404;
      this.upgrades.push({ at: Date.now(), auth, status });
      if (status !== 101) {
        const extra =
          decision !== 'accept' && decision.retryAfterSec !== undefined
            ? `Retry-After: ${decision.retryAfterSec}\r\n`
            : '';
        socket.end(`HTTP/1.1 ${status} Refused\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
        this.changed();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, deviceId!));
    });
  }

  private accept(ws: WebSocket, deviceId: number): void {
    const conn = this.sockets.length;
    this.sockets.push(ws);
    ws.on('ping', () => {
      this.pings++;
      this.changed();
    });
    ws.on('message', (data) => {
      const text = data.toString();
      const parsed = AgentFrameSchema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        this.invalidFrames.push(text);
        this.changed();
        return;
      }
      const frame = parsed.data;
      this.frames.push({ conn, frame });
      const refusal =
        frame.type === 'report' ? (this.opts.refuseReport?.(frame.seq, this.ackedSeq) ?? null) : null;
      if (frame.type === 'hello') {
        this.send(ws, {
          type: 'welcome',
          deviceId,
          serverTime: this.now(),
          ackedSeq: this.ackedSeq,
          policy: this.policy,
          etag: policyEtag(this.policy),
          ...(this.opts.features ? { features: this.opts.features } : {}),
        });
      } else if (frame.type === 'report' && refusal) {
        this.refused.push(frame.seq);
        this.send(ws, {
          type: 'error',
          code: refusal,
          message: `report ${frame.seq} refused`,
          seq: frame.seq,
        });
      } else if (frame.type === 'report' && this.autoAck) {
        this.ack(ws, frame.seq);
      }
      this.changed();
    });
  }

  ack(ws: WebSocket, seq: number): void {
    this.ackedSeq = Math.max(this.ackedSeq, seq);
    this.send(ws, { type: 'ack', seq });
  }

  send(ws: WebSocket, frame: ConsoleFrame): void {
    ws.send(JSON.stringify(frame));
  }

  /** the newest open socket */
  get socket(): WebSocket | undefined {
    return [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
  }

  pushPolicy(policy: EffectivePolicy): void {
    this.policy = policy;
    for (const ws of this.sockets) {
      if (ws.readyState === ws.OPEN) this.send(ws, { type: 'policy', policy, etag: policyEtag(policy) });
    }
  }

  reports(): {
    conn: number;
    seq: number;
    frame: Extract<ReturnType<typeof AgentFrameSchema.parse>, { type: 'report' }>;
  }[] {
    return this.frames.flatMap((f) =>
      f.frame.type === 'report' ? [{ conn: f.conn, seq: f.frame.seq, frame: f.frame }] : [],
    );
  }

  private changed(): void {
    for (const l of [...this.listeners]) l(this);
  }

  /** Resolves when `pred` holds (checked on every change), or rejects after `timeoutMs`. */
  waitFor(pred: (c: FakeConsole) => boolean, timeoutMs = 5_000): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // checked on every change and by polling, for conditions on the agent's side
      const poll = setInterval(() => check(this), 10);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error('FakeConsole.waitFor timed out'));
      }, timeoutMs);
      const check = (c: FakeConsole) => {
        if (!pred(c)) return;
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** Registers a device directly (as if enrolled) and returns its token. */
  addToken(deviceId: number, token = `tok-${deviceId}-direct`): string {
    this.tokens.set(token, deviceId);
    return token;
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
