// Helpers for the reliability tests: the built console in its own process (so its memory can be measured
// and it can be killed or restarted), plain HTTP calls, and bare WebSocket clients.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const RUNNER = fileURLToPath(new URL('./console-runner.mjs', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN_PASSWORD = 'reliability-admin-pw-1';

const made: string[] = [];
process.once('exit', () => {
  for (const d of made) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // a mount point still in use: left for the OS
    }
  }
});

/** a temporary folder, removed when the test process exits */
export function tempDir(prefix = 'sluimer-rel-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export interface ConsoleProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stderr(): string;
  /** resident set size of the console process in bytes (from /proc) */
  rss(): number;
  /** SIGTERM and wait for the exit */
  stop(): Promise<void>;
  /** SIGKILL: a crash */
  kill(): Promise<void>;
}

/** Starts console/server/dist in a child process with these startConsole options. */
export async function spawnConsole(options: Record<string, unknown>): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [RUNNER, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<{ url: string; port: number; pid: number }>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        try {
          resolve(JSON.parse(out.slice(0, nl)));
        } catch (e) {
          reject(e);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`console exited (${code}) before listening: ${err}`)));
  });
  child.stdout!.resume();
  return {
    ...first,
    child,
    stderr: () => err,
    rss() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${first.pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function rssSampler(read: () => number, everyMs = 100) {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, everyMs);
  return {
    get peak() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, read());
      return peak;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
export type Res = { status: number; body: any; headers: Headers };

export async function api(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(base + path, {
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
}

/** Logs in as admin (password ADMIN_PASSWORD) and makes an API token. */
export async function adminToken(base: string, password = ADMIN_PASSWORD): Promise<string> {
  const login = await api(base, 'POST', '/api/v1/login', { body: { username: 'admin', password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const tok = await api(base, 'POST', '/api/v1/tokens', {
    body: { name: 'reliability' },
    cookie,
    headers: { 'x-csrf-token': login.body.csrfToken },
  });
  if (tok.status !== 201) throw new Error(`token: ${tok.status} ${JSON.stringify(tok.body)}`);
  return tok.body.token as string;
}

export async function groupSecret(base: string, token: string, name: string) {
  const g = await api(base, 'POST', '/api/v1/groups', { token, body: { name } });
  if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.body)}`);
  const s = await api(base, 'POST', `/api/v1/groups/${g.body.id}/enroll-secrets`, { token, body: {} });
  return { groupId: g.body.id as number, secret: s.body.secret as string };
}

export async function enrollOne(base: string, secret: string, installId: string) {
  const r = await api(base, 'POST', '/api/v1/enroll', {
    body: {
      enrollSecret: secret,
      installId,
      hostname: `lok-${installId.slice(-6)}`,
      inventory: { chassisType: 'Notebook', battery: { hasBattery: true } },
    },
  });
  if (r.status !== 201) throw new Error(`enroll: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { deviceId: number; deviceToken: string };
}

/** Runs `fn` over items with at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
) {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export const wsUrl = (base: string) => `${base.replace(/^http/, 'ws')}/api/v1/agent`;

// biome-ignore lint/suspicious/noExplicitAny: frames are read loosely
export type AnyFrame = any;

/** A bare agent socket: frames received are queued; `next` waits for one. */
export class Sock {
  readonly frames: AnyFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      try {
        this.frames.push(JSON.parse(String(d)));
      } catch {
        this.frames.push({ type: '?', raw: String(d) });
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
    ws.on('error', () => {});
  }
  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  static open(base: string, token: string, extra: WebSocket.ClientOptions = {}): Promise<Sock> {
    const ws = new WebSocket(wsUrl(base), { headers: { authorization: `Bearer ${token}` }, ...extra });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Sock(ws)));
      ws.once('unexpected-response', (_q, res) => {
        res.resume();
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), {
            status: res.statusCode,
            retryAfter: res.headers['retry-after'],
          }),
        );
      });
      ws.once('error', reject);
    });
  }
  send(f: unknown) {
    this.ws.send(typeof f === 'string' ? f : JSON.stringify(f));
  }
  async next(timeoutMs = 10_000): Promise<AnyFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.frames.shift();
  }
  async hello() {
    this.send({ type: 'hello', protocol: 1, agentVersion: 'rel-test' });
    const w = await this.next();
    if (w.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(w)}`);
    return w;
  }
  close() {
    this.ws.terminate();
  }
}
