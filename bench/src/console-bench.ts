import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConsoleClient,
  connectFleet,
  enrollFleet,
  idOf,
  mapLimit,
  percentile,
  type SimDevice,
  sleep,
} from '@sluimer/scripts/fleet';
import { benchSchool, chunk, deviceTimeline, MIXED_ROLES, makeDevice } from '@sluimer/scripts/model';
import { DAY_MS, HOUR_MS, type Interval, LIMITS, MINUTE_MS } from '@sluimer/shared';
import Database from 'better-sqlite3';
import { type BenchPostgres, postgresCpuSeconds, startBenchPostgres } from './postgres.js';
import {
  type ConsoleProcess,
  cpuSeconds,
  REPO_ROOT,
  rssBytes,
  runQueueWaitSec,
  startConsoleProcess,
} from './proc.js';

/**
 * `npm run bench`: the console as its own process, driven over real loopback sockets by
 * protocol-level simulated agents in this process. Bounded: every phase has a size and a time
 * limit, and the whole run is killed after --max-minutes.
 *
 * `--postgres N`: the same run on a private PostgreSQL server with N console processes sharing it,
 * agents spread evenly over them (as a load balancer would), the policy pushed through the first;
 * PostgreSQL's own CPU time is reported per phase. Without it: one console process on SQLite.
 */

const { values: args } = parseArgs({
  options: {
    agents: { type: 'string', default: '5000' },
    'history-devices': { type: 'string', default: '1000' },
    'history-days': { type: 'string', default: '89' },
    'steady-seconds': { type: 'string', default: '20' },
    'steady-rate': { type: 'string', default: '20000' },
    'steady-batches': { type: 'string', default: '20,4' },
    'max-minutes': { type: 'string', default: '15' },
    out: { type: 'string' },
    /** console processes on one private PostgreSQL (0: one process on SQLite) */
    postgres: { type: 'string', default: '0' },
  },
});

const AGENTS = Number(args.agents);
const PG_PROCS = Number(args.postgres);
const HISTORY_DEVICES = Math.min(AGENTS, Number(args['history-devices']));
const HISTORY_DAYS = Number(args['history-days']);
const STEADY_SECONDS = Number(args['steady-seconds']);
const STEADY_RATE = Number(args['steady-rate']);
/** intervals per report in the steady phase: a backfilling agent sends big reports, a live one small */
const STEADY_BATCHES = String(args['steady-batches'])
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= LIMITS.maxIntervalsPerReport);
/** loopback source addresses: each stands for a school's NAT (per-address upgrade/enroll limits) */
const LOCAL_ADDRESSES = Array.from(
  { length: Math.max(1, Math.ceil(AGENTS / 500)) },
  (_, i) => `127.0.0.${i + 2}`,
);

const results: Record<string, unknown> = {};
const log = (msg: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * 5,000 sockets on each side of loopback need file descriptors: if the soft limit is too low, run
 * again under `ulimit -n <hard limit>` (the console child inherits it).
 */
function ensureFdHeadroom(): string {
  let soft = 'unknown';
  try {
    soft = execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim();
    const need = AGENTS + 1024;
    if (soft !== 'unlimited' && Number(soft) < need && !process.env.SLUIMER_BENCH_REEXEC) {
      const hard = execSync('ulimit -Hn', { shell: '/bin/sh' }).toString().trim();
      if (hard === 'unlimited' || Number(hard) >= need) {
        const argv = process.argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
        log(`ulimit -n is ${soft}; running again with ulimit -n ${hard === 'unlimited' ? need : hard}`);
        execSync(`ulimit -n ${hard === 'unlimited' ? need : hard} && exec ${argv}`, {
          shell: '/bin/sh',
          stdio: 'inherit',
          env: { ...process.env, SLUIMER_BENCH_REEXEC: '1' },
        });
        process.exit(0);
      }
      log(`warning: ulimit -n is ${soft} and the hard limit ${hard}; ${AGENTS} agents may not fit`);
    }
  } catch (err) {
    if ((err as { status?: number }).status !== undefined) process.exit((err as { status: number }).status);
  }
  return soft;
}

/** Which code was measured: git HEAD and when the console's dist was built. */
function buildInfo() {
  const info: Record<string, string> = {};
  try {
    info.gitHead = execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim();
  } catch {
    info.gitHead = 'unknown';
  }
  try {
    const dist = join(REPO_ROOT, 'console/server/dist');
    const newest = readdirSync(dist)
      .filter((f) => f.endsWith('.js'))
      .reduce((m, f) => Math.max(m, statSync(join(dist, f)).mtimeMs), 0);
    info.consoleDistBuilt = new Date(newest).toISOString();
  } catch {
    info.consoleDistBuilt = 'missing';
  }
  return info;
}

function machine(ulimit: string) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    ulimitN: ulimit,
  };
}

/** Intervals of `device` for history, pre-serialized into report bodies without the seq. */
function historyBodies(d: SimDevice, from: number, to: number): { intervals: number; json: string }[] {
  const { intervals, blockers } = deviceTimeline(d.profile, d.school, from, to);
  const b = blockers.length ? `,"blockers":${JSON.stringify(blockers)}` : '';
  return chunk(intervals, LIMITS.maxIntervalsPerReport).map((batch) => ({
    intervals: batch.length,
    json: `,"intervals":${JSON.stringify(batch)}${b}}`,
  }));
}

function sendBody(d: SimDevice, body: string) {
  const seq = d.agent.nextSeq++;
  return d.agent.sendReport(seq, `{"type":"report","seq":${seq}${body}`);
}

let consoleProc: ConsoleProcess | undefined;
/** every console process (one on SQLite; --postgres N of them) */
let consoleProcs: ConsoleProcess[] = [];
let pg: BenchPostgres | undefined;
const sum = (f: (pid: number) => number) => consoleProcs.reduce((n, p) => n + f(p.pid), 0);
const pgCpu = () => (pg ? postgresCpuSeconds(pg.pid) : 0);

async function main() {
  const started = Date.now();
  const hardStop = setTimeout(() => {
    log(`time limit of ${args['max-minutes']} min reached; stopping`);
    for (const p of consoleProcs) void p.kill();
    pg?.stop();
    process.exit(2);
  }, Number(args['max-minutes']) * MINUTE_MS);
  hardStop.unref();
  results.machine = machine(ensureFdHeadroom());
  results.build = buildInfo();
  /** load average plus CPU pressure (PSI: % of time some task waited for a CPU, last 10 s) */
  const load = () => {
    let cpuPressure10s: number | undefined;
    try {
      const m = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
      if (m) cpuPressure10s = Number(m[1]);
    } catch {
      // no PSI on this kernel
    }
    return { loadavg: loadavg().map((n) => Math.round(n * 100) / 100), cpuPressure10s };
  };
  const benchCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  results.loadavg = { start: load() };
  results.config = {
    agents: AGENTS,
    historyDevices: HISTORY_DEVICES,
    historyDays: HISTORY_DAYS,
    steadySeconds: STEADY_SECONDS,
    steadyRate: STEADY_RATE,
    localAddresses: LOCAL_ADDRESSES.length,
    store: PG_PROCS > 0 ? 'postgresql' : 'sqlite',
    consoleProcesses: Math.max(1, PG_PROCS),
  };
  log(`machine: ${JSON.stringify(results.machine)}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-bench-'));
  const password = 'bench-password-123';
  let floorBefore: ReturnType<typeof rawFloor> | undefined;
  try {
    if (PG_PROCS === 0) {
      const school = benchSchool();
      const now = Date.now();
      const profiles = Array.from({ length: HISTORY_DEVICES }, (_, i) => ({
        profile: makeDevice(
          MIXED_ROLES[i % MIXED_ROLES.length] ?? 'chromebook',
          { key: 'bench', prefix: 'BENCH' },
          i + 1,
        ),
        school,
      }));
      log('raw floor (before the console starts)');
      floorBefore = rawFloor(
        profiles,
        now - HISTORY_DAYS * DAY_MS,
        now - 2 * HOUR_MS,
        dataDir,
        'floor-before',
      );
      log(`floor before: ${JSON.stringify(floorBefore)}`);
    }
    if (PG_PROCS > 0) {
      log(`starting a private PostgreSQL and ${PG_PROCS} console processes on it`);
      pg = await startBenchPostgres();
      const env = { SLUIMER_DATABASE_URL: pg.url };
      // one at a time: the first migrates, the others find the schema ready
      for (let k = 0; k < PG_PROCS; k++)
        consoleProcs.push(
          await startConsoleProcess({
            dataDir: join(dataDir, `console-${k}`),
            adminPassword: password,
            logLevel: 'warn',
            env,
          }),
        );
    } else {
      consoleProcs = [await startConsoleProcess({ dataDir, adminPassword: password, logLevel: 'warn' })];
    }
    consoleProc = consoleProcs[0]!;
    const api = new ConsoleClient(consoleProc.url);
    await api.login('admin', password);
    const histGroup = idOf(await api.post('/api/v1/groups', { name: 'Bench historie', kind: 'school' }));
    const liveGroup = idOf(await api.post('/api/v1/groups', { name: 'Bench live', kind: 'school' }));
    const histSecret = (await api.post<{ secret: string }>(`/api/v1/groups/${histGroup}/enroll-secrets`))
      .secret;
    const liveSecret = (await api.post<{ secret: string }>(`/api/v1/groups/${liveGroup}/enroll-secrets`))
      .secret;
    await sleep(500);
    const rssIdle = sum(rssBytes);

    // ---- enroll and connect ----
    const school = benchSchool();
    const now = Date.now();
    const histFrom = now - HISTORY_DAYS * DAY_MS;
    const histTo = now - 2 * HOUR_MS;
    const items = Array.from({ length: AGENTS }, (_, i) => ({
      profile: makeDevice(
        MIXED_ROLES[i % MIXED_ROLES.length] ?? 'chromebook',
        { key: 'bench', prefix: 'BENCH' },
        i + 1,
      ),
      school,
      enrollSecret: i < HISTORY_DEVICES ? histSecret : liveSecret,
    }));
    log(`enrolling ${AGENTS} devices from ${LOCAL_ADDRESSES.length} loopback addresses`);
    const t0 = performance.now();
    // device i goes to process i mod N, as a load balancer would spread them
    const perProcess = await Promise.all(
      consoleProcs.map((p, k) =>
        enrollFleet(
          p.url,
          items.filter((_, i) => i % consoleProcs.length === k),
          {
            concurrency: Math.ceil(32 / consoleProcs.length),
            since: histFrom,
            localAddresses: LOCAL_ADDRESSES,
            agent: { reconnect: true },
          },
        ),
      ),
    );
    const devices = items.map(
      (_, i) => perProcess[i % consoleProcs.length]![Math.floor(i / consoleProcs.length)]!,
    );
    const enrollSec = (performance.now() - t0) / 1000;
    log(`enrolled in ${enrollSec.toFixed(1)} s; connecting`);
    const rssBeforeConnect = sum(rssBytes);
    const t1 = performance.now();
    await connectFleet(devices, 200);
    const connectSec = (performance.now() - t1) / 1000;
    await sleep(3000);
    const held = devices.filter((d) => d.agent.connected).length;
    const health = await api.get<{ agentsOnline: number }>('/api/v1/health');
    const perConsole = await Promise.all(
      consoleProcs.map(async (p) => {
        const c = new ConsoleClient(p.url);
        await c.login('admin', password);
        return (await c.get<{ agentsOnline: number }>('/api/v1/health')).agentsOnline;
      }),
    );
    const rssConnected = sum(rssBytes);
    results.connections = {
      enrolled: devices.length,
      enrollSec: r1(enrollSec),
      connectSec: r1(connectSec),
      heldBySimulator: held,
      onlinePerConsole: health.agentsOnline,
      onlineEachProcess: perConsole,
      rssIdleMb: mb(rssIdle),
      rssBeforeConnectMb: mb(rssBeforeConnect),
      rssConnectedMb: mb(rssConnected),
      rssPerAgentKb: r1((rssConnected - rssBeforeConnect) / 1024 / held),
    };
    log(`connections: ${JSON.stringify(results.connections)}`);

    // ---- bulk ingest: history for HISTORY_DEVICES devices, reports of ≤ 1000 intervals ----
    const histDevices = devices.slice(0, HISTORY_DEVICES);
    log(`generating ${HISTORY_DAYS} days of history for ${histDevices.length} devices`);
    const tg = performance.now();
    const bodies = histDevices.map((d) => historyBodies(d, histFrom, histTo));
    const totalIntervals = bodies.flat().reduce((n, b) => n + b.intervals, 0);
    const totalReports = bodies.flat().length;
    log(
      `generated ${totalIntervals} intervals in ${totalReports} reports (${((performance.now() - tg) / 1000).toFixed(1)} s); sending`,
    );
    const cpu0 = sum(cpuSeconds);
    const pgCpu0 = pgCpu();
    const wait0 = sum(runQueueWaitSec);
    const simCpu0 = benchCpu();
    const bulkLat: number[] = [];
    let bulkRejected = 0;
    const tb = performance.now();
    await mapLimit(histDevices, histDevices.length, async (d, i) => {
      const inFlight = new Set<Promise<unknown>>();
      for (const body of bodies[i] ?? []) {
        const p = sendBody(d, body.json).then(
          (o) => bulkLat.push(o.latencyMs),
          () => bulkRejected++,
        );
        const tracked = p.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        if (inFlight.size >= 2) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    });
    const bulkSec = (performance.now() - tb) / 1000;
    const bulkCpu = sum(cpuSeconds) - cpu0;
    (results.loadavg as Record<string, unknown>).afterBulk = load();
    results.bulkIngest = {
      devices: histDevices.length,
      days: HISTORY_DAYS,
      reports: totalReports,
      intervals: totalIntervals,
      rejected: bulkRejected,
      seconds: r1(bulkSec),
      intervalsPerSec: Math.round(totalIntervals / bulkSec),
      consoleCpuSec: r1(bulkCpu),
      ...(pg ? { postgresCpuSec: r1(pgCpu() - pgCpu0) } : {}),
      simulatorCpuSec: r1(benchCpu() - simCpu0),
      consoleWaitingForCpuSec: r1(sum(runQueueWaitSec) - wait0),
      ackP50Ms: r1(percentile(bulkLat, 50)),
      ackP99Ms: r1(percentile(bulkLat, 99)),
    };
    log(`bulk ingest: ${JSON.stringify(results.bulkIngest)}`);
    bodies.length = 0;

    // ---- steady load: all agents, open loop at STEADY_RATE intervals/s, per report size ----
    const cursor = new Map<SimDevice, number>(devices.map((d) => [d, histTo]));
    const steadyRuns: Record<string, unknown>[] = [];
    results.steady = steadyRuns;
    for (const batchSize of STEADY_BATCHES) {
      const reportsPerSec = STEADY_RATE / batchSize;
      const tickMs = 50;
      const perTick = Math.max(1, Math.round((reportsPerSec * tickMs) / 1000));
      const steadyLat: number[] = [];
      let steadySent = 0;
      let steadyAcked = 0;
      let steadyRejected = 0;
      let next = 0;
      const pendingSteady = new Set<Promise<unknown>>();
      log(`steady load: ${reportsPerSec} reports/s × ${batchSize} intervals for ${STEADY_SECONDS} s`);
      const cpu1 = sum(cpuSeconds);
      const pgCpu1 = pgCpu();
      const wait1 = sum(runQueueWaitSec);
      const simCpu1 = benchCpu();
      const ts = performance.now();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const elapsed = performance.now() - ts;
          if (elapsed >= STEADY_SECONDS * 1000) {
            clearInterval(timer);
            resolve();
            return;
          }
          // catch up to the schedule so timer jitter does not lower the offered rate
          const due = Math.floor((elapsed / 1000) * reportsPerSec) - steadySent;
          for (let k = 0; k < Math.min(due, perTick * 4); k++) {
            const d = devices[next++ % devices.length] as SimDevice;
            const start = cursor.get(d) as number;
            const ivs: Interval[] = [];
            for (let j = 0; j < batchSize; j++)
              ivs.push({
                start: start + j * 1000,
                end: start + (j + 1) * 1000,
                state: j % 2 ? 'idle' : 'active',
                display: 'on',
                power: 'ac',
              });
            cursor.set(d, start + batchSize * 1000);
            steadySent++;
            const p = d.agent.report(ivs).then(
              (o) => {
                steadyAcked++;
                steadyLat.push(o.latencyMs);
              },
              () => steadyRejected++,
            );
            const tracked = p.finally(() => pendingSteady.delete(tracked));
            pendingSteady.add(tracked);
          }
        }, tickMs);
      });
      const ackedInWindow = steadyAcked;
      const windowSec = (performance.now() - ts) / 1000;
      await Promise.race([Promise.all(pendingSteady), sleep(60_000)]);
      const drainSec = (performance.now() - ts) / 1000;
      steadyRuns.push({
        intervalsPerReport: batchSize,
        agents: devices.length,
        offeredIntervalsPerSec: STEADY_RATE,
        reportsSent: steadySent,
        reportsAcked: steadyAcked,
        unackedAfterDrain: steadySent - steadyAcked - steadyRejected,
        rejected: steadyRejected,
        committedIntervalsPerSec: Math.round((ackedInWindow * batchSize) / windowSec),
        allAckedAfterSec: r1(drainSec),
        consoleCpuSec: r1(sum(cpuSeconds) - cpu1),
        ...(pg ? { postgresCpuSec: r1(pgCpu() - pgCpu1) } : {}),
        simulatorCpuSec: r1(benchCpu() - simCpu1),
        consoleWaitingForCpuSec: r1(sum(runQueueWaitSec) - wait1),
        ackP50Ms: r1(percentile(steadyLat, 50)),
        ackP99Ms: r1(percentile(steadyLat, 99)),
        ackMaxMs: r1(percentile(steadyLat, 100)),
      });
      (steadyRuns[steadyRuns.length - 1] as Record<string, unknown>).load = load();
      log(`steady: ${JSON.stringify(steadyRuns[steadyRuns.length - 1])}`);
      await sleep(2000);
    }
    (results.loadavg as Record<string, unknown>).afterSteady = load();

    // ---- policy push to every connected agent ----
    const policy = idOf(
      await api.post('/api/v1/policies', {
        name: 'Bench beleid',
        settings: {
          idleThresholdSec: 300,
          sleepAfterSec: { ac: 1800, battery: 900 },
          displayOffAfterSec: { ac: 600 },
        },
      }),
    );
    // count arrivals of the pushed policy at every agent
    const before = new Set(devices.map((d) => d.agent.policyEtag));
    let arrivals = 0;
    let lastArrival = 0;
    for (const d of devices) {
      const orig = d.agent.opts.onPolicy;
      d.agent.opts.onPolicy = (p, etag, source) => {
        orig?.(p, etag, source);
        if (source === 'policy' && p.policyId === policy) {
          arrivals++;
          lastArrival = performance.now();
        }
      };
    }
    const tp = performance.now();
    await api.post(`/api/v1/policies/${policy}/assign`, { groupIds: [histGroup, liveGroup] });
    const assignMs = performance.now() - tp;
    const deadline = performance.now() + 30_000;
    while (arrivals < held && performance.now() < deadline) await sleep(20);
    results.policyPush = {
      agents: held,
      reached: arrivals,
      assignResponseMs: Math.round(assignMs),
      allReachedMs: arrivals >= held ? Math.round(lastArrival - tp) : null,
      previousEtags: before.size,
    };
    log(`policy push: ${JSON.stringify(results.policyPush)}`);

    // ---- usage queries over HISTORY_DEVICES devices × 90 days ----
    const qTo = Date.now();
    const qFrom = qTo - 90 * DAY_MS;
    const usage: Record<string, unknown> = {};
    for (const groupBy of ['day', 'device', 'deviceClass', 'hourOfWeek', 'group']) {
      const times: number[] = [];
      let rows = 0;
      for (let k = 0; k < 4; k++) {
        const tq = performance.now();
        const res = await api.get<{ rows: unknown[] }>(
          `/api/v1/usage?from=${qFrom}&to=${qTo}&groupBy=${groupBy}&groupId=${histGroup}`,
        );
        if (k > 0) times.push(performance.now() - tq);
        rows = res.rows.length;
      }
      usage[groupBy] = { rows, medianMs: r1(percentile(times, 50)), maxMs: r1(Math.max(...times)) };
    }
    {
      const times: number[] = [];
      for (let k = 0; k < 4; k++) {
        const tq = performance.now();
        await api.get(`/api/v1/usage?from=${qFrom}&to=${qTo}&groupBy=day`);
        if (k > 0) times.push(performance.now() - tq);
      }
      usage.dayAllDevices = { devices: AGENTS, medianMs: r1(percentile(times, 50)) };
    }
    results.usage = { devices: HISTORY_DEVICES, days: 90, ...usage };
    log(`usage: ${JSON.stringify(results.usage)}`);
    results.rssEndMb = mb(sum(rssBytes));

    await mapLimit(devices, 256, (d) => d.agent.close());
    for (const p of consoleProcs) await p.stop();
    consoleProcs = [];
    consoleProc = undefined;
    if (pg) {
      pg.stop();
      pg = undefined;
      results.totalSec = Math.round((Date.now() - started) / 1000);
      // the raw-floor comparison is SQLite's (the same rows straight into better-sqlite3)
      const json = JSON.stringify(results, null, 2);
      process.stdout.write(`${json}\n`);
      if (args.out) writeFileSync(args.out, `${json}\n`);
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }

    // ---- raw floor: the same number of rows straight into better-sqlite3 ----
    const floorAfter = rawFloor(histDevices, histFrom, histTo, dataDir, 'floor-after');
    results.floor = { after: floorAfter };
    const bulk = results.bulkIngest as { intervalsPerSec: number };
    // the floor is measured twice (before the console starts and after it stopped) because the
    // machine's load changes; the ratio is against the faster of the two
    const best = Math.max(floorAfter.rowsPerSec, floorBefore?.rowsPerSec ?? 0);
    results.floor = { before: floorBefore, after: floorAfter, bestRowsPerSec: best };
    results.pipelineVsFloor = Math.round((bulk.intervalsPerSec / best) * 1000) / 1000;
    log(`floor after: ${JSON.stringify(floorAfter)}; pipeline/floor = ${results.pipelineVsFloor}`);
    (results.loadavg as Record<string, unknown>).end = load();
    results.totalSec = Math.round((Date.now() - started) / 1000);
  } finally {
    for (const p of consoleProcs) await p.kill();
    pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const json = JSON.stringify(results, null, 2);
  process.stdout.write(`${json}\n`);
  if (args.out) writeFileSync(args.out, `${json}\n`);
  process.exit(0);
}

/** The same intervals inserted straight into a table like the console's, 1000 rows per transaction. */
function rawFloor(
  devices: Pick<SimDevice, 'profile' | 'school'>[],
  from: number,
  to: number,
  dir: string,
  name: string,
) {
  const db = new Database(join(dir, `${name}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE intervals (
    device_id INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    state TEXT NOT NULL, display TEXT, power TEXT, PRIMARY KEY (device_id, start)) WITHOUT ROWID`);
  const insert = db.prepare(
    'INSERT INTO intervals (device_id, start, "end", state, display, power) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const batch = db.transaction((id: number, rows: Interval[]) => {
    for (const r of rows) insert.run(id, r.start, r.end, r.state, r.display ?? null, r.power ?? null);
  });
  const all = devices.map((d) => chunk(deviceTimeline(d.profile, d.school, from, to).intervals, 1000));
  let rows = 0;
  const t = performance.now();
  all.forEach((batches, i) => {
    for (const b of batches) {
      batch(i + 1, b);
      rows += b.length;
    }
  });
  const sec = (performance.now() - t) / 1000;
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `${name}.sqlite${suffix}`), { force: true });
  return {
    rows,
    seconds: r1(sec),
    rowsPerSec: Math.round(rows / sec),
    batchSize: 1000,
    synchronous: 'FULL',
    journal: 'WAL',
  };
}

main().catch((err) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
