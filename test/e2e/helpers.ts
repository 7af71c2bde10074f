import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS, type Interval, type UsageResponse } from '@sluimer/shared';
import { afterAll, beforeAll } from 'vitest';
import { type ConsoleProcess, startConsoleProcess } from '../../bench/src/proc.js';
import {
  type PostgresServer,
  startPostgres,
} from '../../console/server/src/store/testing/postgres-server.js';
import { ConsoleClient, enrollDevice, idOf } from '../../scripts/src/fleet/api-client.js';
import { ProtocolAgent, type ProtocolAgentOptions } from '../../scripts/src/fleet/protocol-agent.js';
import { chunk, deviceTimeline } from '../../scripts/src/model/behaviour.js';
import { benchSchool, MIXED_ROLES, makeDevice } from '../../scripts/src/model/fleet-plan.js';

export { freePort, REPO_ROOT, startConsoleProcess } from '../../bench/src/proc.js';
export { ConsoleClient, enrollDevice, idOf } from '../../scripts/src/fleet/api-client.js';
export { ProtocolAgent, ReportRejected } from '../../scripts/src/fleet/protocol-agent.js';

export const ADMIN_PASSWORD = 'e2e-admin-password';

/** A built console process on 127.0.0.1 with a temporary data directory, logged in as admin. */
export interface ConsoleFixture {
  proc: ConsoleProcess;
  dataDir: string;
  api: ConsoleClient;
  /** restart after a crash or stop: same data directory and port */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** `env` adds to the console's environment, e.g. SLUIMER_DATABASE_URL to run it on PostgreSQL */
export async function startConsoleFixture(env: Record<string, string> = {}): Promise<ConsoleFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-e2e-'));
  const fixture: ConsoleFixture = {
    proc: await startConsoleProcess({ dataDir, adminPassword: ADMIN_PASSWORD, env }),
    dataDir,
    api: undefined as unknown as ConsoleClient,
    async restart() {
      fixture.proc = await startConsoleProcess({
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        port: fixture.proc.port,
        env,
      });
      fixture.api = new ConsoleClient(fixture.proc.url);
      await fixture.api.login('admin', ADMIN_PASSWORD);
    },
    async dispose() {
      await fixture.proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  fixture.api = new ConsoleClient(fixture.proc.url);
  await fixture.api.login('admin', ADMIN_PASSWORD);
  return fixture;
}

/**
 * Console processes for the enclosing describe block: started before its tests, disposed after them.
 * With `postgres`, the suite starts a private PostgreSQL server and runs them all on one fresh
 * database of it (several processes on one database, as behind a load balancer), and stops it after;
 * wrap such a suite in `describeWithPostgres` so it is skipped where PostgreSQL is not installed.
 * The array is filled once the suite's beforeAll ran: read it inside tests or hooks.
 */
export function useConsoles(
  opts: { count?: number; postgres?: boolean; env?: Record<string, string> } = {},
): ConsoleFixture[] {
  const consoles: ConsoleFixture[] = [];
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    const env = { ...opts.env };
    if (opts.postgres) {
      server = await startPostgres();
      env.SLUIMER_DATABASE_URL = await server.createDatabase();
    }
    // one after another: the first migrates the database, the others find it ready
    for (let k = 0; k < (opts.count ?? 1); k++) consoles.push(await startConsoleFixture(env));
  }, 180_000);
  afterAll(async () => {
    for (const c of consoles) await c.dispose();
    await server?.stop();
  }, 60_000);
  return consoles;
}

/** the days of scripted history the e2e suites report, ending two hours ago, and a query window around it */
export function historyWindow(days: number): { from: number; to: number; qFrom: number; qTo: number } {
  const to = Math.floor((Date.now() - 2 * HOUR_MS) / 1000) * 1000;
  const from = to - days * DAY_MS;
  return { from, to, qFrom: from - DAY_MS, qTo: Date.now() + HOUR_MS };
}

/** device `i`'s behaviour-model timeline over [from, to), and the same cut into reports of `size` intervals */
export function scriptedTimeline(
  i: number,
  school: { key: string; prefix: string },
  window: { from: number; to: number },
  size: number,
): { intervals: Interval[]; batches: Interval[][] } {
  const profile = makeDevice(MIXED_ROLES[i % MIXED_ROLES.length] ?? 'chromebook', school, i);
  const { intervals } = deviceTimeline(profile, benchSchool(), window.from, window.to);
  return { intervals, batches: chunk(intervals, size) };
}

/**
 * Every device sends its batches, one report per device every `everyMs`, without waiting for acks,
 * as agents catching up do; for killing a console in the middle of a stream.
 */
export function streamReports(
  devices: readonly { agent: ProtocolAgent; batches: Interval[][] }[],
  everyMs = 15,
): { total: number; acked(): number; sent: Promise<void>; allAcked(): Promise<unknown[]> } {
  let acked = 0;
  const all: Promise<unknown>[] = [];
  const sent = (async () => {
    const longest = Math.max(...devices.map((d) => d.batches.length));
    for (let k = 0; k < longest; k++) {
      for (const d of devices) {
        const batch = d.batches[k];
        if (batch) all.push(d.agent.report(batch).then(() => acked++));
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    total: devices.reduce((n, d) => n + d.batches.length, 0),
    acked: () => acked,
    sent,
    allAcked: async () => {
      await sent;
      return Promise.all(all);
    },
  };
}

/**
 * A fresh, unconnected agent with the same token (and `server`, unless another is given) that takes
 * over what `agent` has not had acknowledged, like the agent restarted: it re-sends on connecting.
 */
export function successorOf(agent: ProtocolAgent, server?: string): ProtocolAgent {
  const again = new ProtocolAgent({ ...agent.opts, ...(server ? { server } : {}) });
  for (const [seq, p] of agent.pending) again.pending.set(seq, p);
  again.nextSeq = agent.nextSeq;
  return again;
}

export async function createGroupWithSecret(
  api: ConsoleClient,
  name: string,
  parentId?: number,
): Promise<{ groupId: number; secret: string }> {
  const groupId = idOf(
    await api.post('/api/v1/groups', {
      name,
      kind: parentId ? 'room' : 'school',
      ...(parentId ? { parentId } : { timeZone: 'Europe/Amsterdam' }),
    }),
  );
  const { secret } = await api.post<{ secret: string }>(`/api/v1/groups/${groupId}/enroll-secrets`);
  return { groupId, secret };
}

let installCounter = 0;

/** Enrolls a fresh device and returns a connected protocol-level agent. */
export async function enrolledAgent(
  url: string,
  secret: string,
  opts: Partial<ProtocolAgentOptions> & { connect?: boolean } = {},
): Promise<{ agent: ProtocolAgent; deviceId: number; deviceToken: string; installId: string }> {
  const installId = `e2e-${process.pid}-${Date.now().toString(36)}-${++installCounter}`;
  const { deviceId, deviceToken } = await enrollDevice(url, {
    enrollSecret: secret,
    installId,
    hostname: `E2E-${installCounter}`,
    inventory: { os: 'windows', chassisType: 'Notebook', battery: { hasBattery: true } },
  });
  const agent = new ProtocolAgent({ server: url, deviceToken, ...opts });
  agent.recordFrames = true;
  if (opts.connect !== false) await agent.connect();
  return { agent, deviceId, deviceToken, installId };
}

export interface StateTotals {
  activeSec: number;
  idleSec: number;
  asleepSec: number;
  offSec: number;
}

/** Seconds per state of a scripted timeline, clipped to [from, to). */
export function expectedTotals(intervals: readonly Interval[], from = -Infinity, to = Infinity): StateTotals {
  const t: StateTotals = { activeSec: 0, idleSec: 0, asleepSec: 0, offSec: 0 };
  for (const i of intervals) {
    const ms = Math.min(i.end, to) - Math.max(i.start, from);
    if (ms > 0) t[`${i.state}Sec` as keyof StateTotals] += ms / 1000;
  }
  return t;
}

/** Usage per device over [from, to), as seconds per state keyed by device id. */
export async function usageByDevice(
  api: ConsoleClient,
  from: number,
  to: number,
  groupId?: number,
): Promise<Map<number, StateTotals>> {
  const q = `/api/v1/usage?from=${from}&to=${to}&groupBy=device${groupId ? `&groupId=${groupId}` : ''}`;
  const res = await api.get<UsageResponse>(q);
  return new Map(
    res.rows.map((r) => [
      Number(r.key),
      { activeSec: r.activeSec, idleSec: r.idleSec, asleepSec: r.asleepSec, offSec: r.offSec },
    ]),
  );
}

/** Rounds totals to the millisecond, so float sums compare exactly. */
export function ms(t: StateTotals | undefined): StateTotals | undefined {
  if (!t) return t;
  const r = (n: number) => Math.round(n * 1000);
  return { activeSec: r(t.activeSec), idleSec: r(t.idleSec), asleepSec: r(t.asleepSec), offSec: r(t.offSec) };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The built agent (`node agent/bin/sluimer-agent.js run … --simulate`) as a child process. */
export interface AgentProcess {
  child: import('node:child_process').ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export async function startAgentProcess(opts: {
  server: string;
  enrollSecret: string;
  dataDir: string;
  sampleMs?: number;
  reportMs?: number;
}): Promise<AgentProcess> {
  const { spawn } = await import('node:child_process');
  const { REPO_ROOT } = await import('../../bench/src/proc.js');
  const child = spawn(
    process.execPath,
    [
      `${REPO_ROOT}agent/bin/sluimer-agent.js`,
      'run',
      '--server',
      opts.server,
      '--data',
      opts.dataDir,
      '--simulate',
      '--sample-ms',
      String(opts.sampleMs ?? 200),
      '--report-ms',
      String(opts.reportMs ?? 1000),
      '--log-level',
      'warn',
    ],
    { env: { ...process.env, SLUIMER_ENROLL_SECRET: opts.enrollSecret }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
