// Helpers for the console's own tests: a real server on 127.0.0.1 port 0, real HTTP and real WebSockets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsoleFrame, ConsoleFrameSchema, type Interval } from '@sluimer/shared';
import WebSocket from 'ws';
import { setTestPasswordCost } from './auth/crypto.js';
import { type RunningConsole, type StartConsoleOptions, startConsole } from './index.js';

export const ADMIN_PASSWORD = 'correct-horse-battery';

/**
 * Password hashing in these tests: scrypt with N=2^12 instead of 2^17 (32× less work and memory per
 * login). `setTestPasswordCost` refuses outside vitest; the production cost has its own test.
 */
export const TEST_PASSWORD_COST = { N: 2 ** 12, r: 8, p: 1 };
setTestPasswordCost(TEST_PASSWORD_COST);

export interface TestConsole {
  c: RunningConsole;
  dataDir: string;
  url: string;
  /** API token of the first admin */
  adminToken: string;
  api(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; cookie?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** a user with that role, and an API token for it */
  userToken(role: 'admin' | 'it' | 'viewer'): Promise<string>;
  /** a group plus an enroll secret for it */
  groupWithSecret(name?: string, parentId?: number): Promise<{ groupId: number; secret: string }>;
  enroll(
    secret: string,
    installId?: string,
    inventory?: unknown,
  ): Promise<{ deviceId: number; deviceToken: string }>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestConsole(options: StartConsoleOptions = {}): Promise<TestConsole> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-console-test-'));
  const c = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'silent',
    webDist: join(dataDir, 'no-web'),
    ...options,
  });
  const api: TestConsole['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    const res = await fetch(c.url + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body, headers: res.headers };
  };
  const login = await api('POST', '/api/v1/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const tok = await api('POST', '/api/v1/tokens', {
    body: { name: 'tests' },
    cookie,
    headers: { 'x-csrf-token': login.body.csrfToken },
  });
  const adminToken = tok.body.token as string;
  const t: TestConsole = {
    c,
    dataDir,
    url: c.url,
    adminToken,
    api,
    async userToken(role) {
      const username = `${role}-${++counter}`;
      const password = 'a-long-password-1';
      const created = await api('POST', '/api/v1/users', {
        token: adminToken,
        body: { username, password, role },
      });
      if (created.status !== 201) throw new Error(`user: ${JSON.stringify(created.body)}`);
      const l = await api('POST', '/api/v1/login', { body: { username, password } });
      const ck = (l.headers.get('set-cookie') ?? '').split(';')[0]!;
      const r = await api('POST', '/api/v1/tokens', {
        body: { name: 't' },
        cookie: ck,
        headers: { 'x-csrf-token': l.body.csrfToken },
      });
      return r.body.token as string;
    },
    async groupWithSecret(name = `school-${++counter}`, parentId) {
      const g = await api('POST', '/api/v1/groups', {
        token: adminToken,
        body: parentId ? { name, parentId } : { name },
      });
      if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.body)}`);
      const s = await api('POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, {
        token: adminToken,
        body: {},
      });
      return { groupId: g.body.id as number, secret: s.body.secret as string };
    },
    async enroll(
      secret,
      installId = `install-${++counter}-xxxxxxxx`,
      inventory = { chassisType: 'Notebook', battery: { hasBattery: true } },
    ) {
      const r = await api('POST', '/api/v1/enroll', {
        body: { enrollSecret: secret, installId, hostname: `host-${counter}`, inventory },
      });
      if (r.status !== 201) throw new Error(`enroll: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async close() {
      await c.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A real agent socket with a queue of received frames. */
export class TestAgent {
  readonly frames: ConsoleFrame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // every frame the console sends must match protocol v1
      this.frames.push(ConsoleFrameSchema.parse(JSON.parse(String(data))));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(url: string, token: string | null): Promise<TestAgent> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/agent`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestAgent(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${res.statusCode}`), {
              status: res.statusCode,
              body,
              headers: res.headers,
            }),
          ),
        );
      });
      ws.once('error', reject);
    });
  }

  /** connects and says hello; resolves with the welcome frame */
  static async hello(url: string, token: string, extra: Record<string, unknown> = {}) {
    const a = await TestAgent.connect(url, token);
    a.send({ type: 'hello', protocol: 1, agentVersion: '0.1.0-test', ...extra });
    const welcome = await a.next();
    return { agent: a, welcome };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** the next frame not yet taken */
  async next(timeoutMs = 5000): Promise<ConsoleFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.shift()!;
  }

  async report(seq: number, intervals: Interval[], extra: Record<string, unknown> = {}) {
    this.send({ type: 'report', seq, intervals, ...extra });
    return this.next();
  }

  async waitClosed(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}
