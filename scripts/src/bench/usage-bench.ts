import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DAY_MS, type DeviceClass, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { createRng } from '../model/rng.js';

/**
 * `npm run bench:usage` (`node scripts/dist/bench/usage-bench.js`): how long `GET /api/v1/usage`
 * takes for a fleet. Seeds `--devices` devices (default 1,000) with `--days` of history (default 365,
 * a school year from 1 August) straight through the console store's ingest path in big transactions
 * (no sockets: the console benchmark measures the gateway), then times every `groupBy` over the last
 * 90 days and over the whole school year, in process (`computeUsage`, what the route calls), median
 * of `--runs`. Each query runs twice: from the fleet rollups (what the console does) and from the
 * per-device rollups (`source: 'device'`, the computation before the fleet rollups). Prints one JSON
 * document; `--out FILE` writes it too. The console must be built (`npx tsc -b`).
 */
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    days: { type: 'string', default: '365' },
    runs: { type: 'string', default: '5' },
    'device-runs': { type: 'string', default: '3' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'recompute-only': { type: 'boolean', default: false },
  },
});

// the console is not a dependency of the scripts package (it depends on the scripts): load its build
interface IngestService {
  ingestBatch(
    items: { deviceId: number; seq: number; intervals: Interval[] }[],
    ctx: { now: number; maxEnd: number; minStart: number },
  ): Promise<{ status: string }[]>;
}
interface RollupStore {
  createGroup(g: {
    name: string;
    parentId: number | null;
    kind: 'board' | 'school' | 'building' | 'room';
    timeZone: string | null;
    excludedReason: string | null;
    now: number;
  }): Promise<{ id: number }>;
  enrollDevice(d: {
    installId: string;
    tokenHash: string;
    groupId: number;
    hostname: string;
    inventory: object;
    detectedClass: DeviceClass;
    now: number;
  }): Promise<{ deviceId: number }>;
  close(): Promise<void>;
  db: { pragma(s: string, o?: object): unknown };
  getSettings(): Promise<object>;
  putSettings(s: object): Promise<object>;
  energy: { idle(): Promise<void>; pending(): number };
}
type GroupBy = 'device' | 'group' | 'deviceClass' | 'day' | 'hourOfWeek';
interface ConsoleModules {
  SqliteStore: new (o: { dataDir: string; now?: () => number }) => RollupStore;
  IngestService: new (s: RollupStore) => IngestService;
  PolicyService: new (s: RollupStore) => unknown;
  computeUsage(
    store: RollupStore,
    policies: unknown,
    q: { from: number; to: number; groupBy: GroupBy; groupId?: number },
    opts: { now: number; source?: 'fleet' | 'device' },
  ): Promise<{ rows: unknown[] }>;
}
async function loadConsole(): Promise<ConsoleModules> {
  const dist = new URL('../../../console/server/dist/', import.meta.url);
  const load = (p: string) => import(new URL(p, dist).href);
  const [store, ingest, policy, usage] = await Promise.all([
    load('store/sqlite.js'),
    load('ingest/service.js'),
    load('policy-service.js'),
    load('usage.js'),
  ]);
  return {
    SqliteStore: store.SqliteStore,
    IngestService: ingest.IngestService,
    PolicyService: policy.PolicyService,
    computeUsage: usage.computeUsage,
  };
}

const log = (msg: string) =>
  process.stderr.write(`[usage-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const r1 = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** deterministic PRNG (mulberry32) */
function rng(seed: number): () => number {
  return createRng(seed).next;
}

/**
 * One school day of a device, in UTC ms from local midnight `day0`: asleep or off at night; on school
 * days (Mon–Fri outside the summer break) active stretches with idle gaps from about 08:00 to 15:30,
 * and some devices left idle into the evening. About 10–16 intervals a day.
 */
function dayOf(
  r: () => number,
  day0: number,
  weekday: number,
  holiday: boolean,
  leftOn: boolean,
): Interval[] {
  const out: Interval[] = [];
  const night: Interval['state'] = r() < 0.3 ? 'off' : 'asleep';
  if (weekday >= 5 || holiday) {
    out.push({ start: day0, end: day0 + DAY_MS, state: night });
    return out;
  }
  let t = day0 + 7 * HOUR_MS + 30 * MINUTE_MS + Math.floor(r() * 60) * MINUTE_MS;
  out.push({ start: day0, end: t, state: night });
  const endOfDay = day0 + 15 * HOUR_MS + Math.floor(r() * 90) * MINUTE_MS;
  while (t < endOfDay) {
    const active = (20 + Math.floor(r() * 70)) * MINUTE_MS + Math.floor(r() * 60_000);
    out.push({ start: t, end: Math.min(t + active, endOfDay), state: 'active', display: 'on', power: 'ac' });
    t = Math.min(t + active, endOfDay);
    if (t >= endOfDay) break;
    const idle = (5 + Math.floor(r() * 40)) * MINUTE_MS;
    out.push({
      start: t,
      end: Math.min(t + idle, endOfDay),
      state: 'idle',
      display: r() < 0.5 ? 'on' : 'off',
    });
    t = Math.min(t + idle, endOfDay);
  }
  if (leftOn) {
    const until = day0 + 19 * HOUR_MS + Math.floor(r() * 240) * MINUTE_MS;
    out.push({ start: t, end: until, state: 'idle', display: 'off' });
    t = until;
  }
  out.push({ start: t, end: day0 + DAY_MS, state: night });
  return out;
}

function pressure(): string | undefined {
  try {
    return readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
}

async function main() {
  const devicesN = Number(args.devices);
  const days = Number(args.days);
  const runs = Number(args.runs);
  const deviceRuns = Number(args['device-runs']);
  const { SqliteStore, IngestService, PolicyService, computeUsage } = await loadConsole();
  // the school year: 1 August 00:00 Amsterdam (22:00 UTC the day before) onwards
  const start = Date.UTC(2025, 6, 31, 22);
  const end = start + days * DAY_MS;
  const now = end + HOUR_MS;
  const dir = mkdtempSync(join(tmpdir(), 'sluimer-usage-bench-'));
  // the store's clock (the raw-retention window of the energy recompute) is the end of the history
  const store = new SqliteStore({ dataDir: dir, now: () => now });
  const ingest = new IngestService(store);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: r1(totalmem() / 2 ** 30),
    node: process.version,
    loadAvgAtStart: loadavg().map(r1),
    cpuPressureAtStart: pressure(),
  };
  try {
    // a board of 4 schools, 10 rooms each: chromebook carts, a desktop lab, laptops, all-in-ones
    const board = await store.createGroup({
      name: 'Stichting',
      parentId: null,
      kind: 'board',
      timeZone: null,
      excludedReason: null,
      now: start,
    });
    const rooms: { id: number; cls: DeviceClass }[] = [];
    const schools: number[] = [];
    const mix: DeviceClass[] = [
      'chromebook',
      'chromebook',
      'chromebook',
      'chromebook',
      'laptop',
      'laptop',
      'laptop',
      'desktop',
      'desktop',
      'all-in-one',
    ];
    for (let s = 0; s < 4; s++) {
      const school = await store.createGroup({
        name: `School ${s + 1}`,
        parentId: board.id,
        kind: 'school',
        timeZone: null,
        excludedReason: null,
        now: start,
      });
      schools.push(school.id);
      for (let k = 0; k < 10; k++) {
        const room = await store.createGroup({
          name: `Lokaal ${s + 1}.${k + 1}`,
          parentId: school.id,
          kind: 'room',
          timeZone: null,
          excludedReason: null,
          now: start,
        });
        rooms.push({ id: room.id, cls: mix[k]! });
      }
    }
    const devs: { id: number; leftOn: number }[] = [];
    for (let i = 0; i < devicesN; i++) {
      const room = rooms[i % rooms.length]!;
      const { deviceId } = await store.enrollDevice({
        installId: `bench-${i}`,
        tokenHash: `bench-hash-${i}`,
        groupId: room.id,
        hostname: `PC-${i}`,
        inventory: {},
        detectedClass: i % 17 === 0 ? 'tablet' : room.cls,
        now: start,
      });
      devs.push({ id: deviceId, leftOn: (i % 10) / 25 });
    }

    // seed: one report per device and week, 250 reports per transaction
    log(`seeding ${devicesN} devices × ${days} days`);
    const r = rng(42);
    const seedT0 = performance.now();
    const seedCpu0 = process.cpuUsage();
    let intervals = 0;
    const summer = (t: number) => t < start + 24 * DAY_MS; // the last weeks of the summer break
    for (let week = 0; week * 7 < days; week++) {
      const items: { deviceId: number; seq: number; intervals: Interval[] }[] = [];
      for (const d of devs) {
        const list: Interval[] = [];
        for (let k = week * 7; k < Math.min(days, week * 7 + 7); k++) {
          const day0 = start + k * DAY_MS;
          const weekday = (new Date(day0 + 2 * HOUR_MS).getUTCDay() + 6) % 7;
          list.push(...dayOf(r, day0, weekday, summer(day0), r() < d.leftOn));
        }
        intervals += list.length;
        items.push({ deviceId: d.id, seq: week + 1, intervals: list });
      }
      for (let i = 0; i < items.length; i += 250) {
        const out = await ingest.ingestBatch(items.slice(i, i + 250), { now, maxEnd: now, minStart: 0 });
        const bad = out.find((o) => o.status !== 'stored');
        if (bad) throw new Error(`seeding failed: ${JSON.stringify(bad)}`);
      }
      if (week % 8 === 7) log(`  week ${week + 1}: ${intervals} intervals`);
    }
    const seedSec = (performance.now() - seedT0) / 1000;
    const seedCpu = process.cpuUsage(seedCpu0);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const count = (sql: string) =>
      (store.db as unknown as { prepare(s: string): { get(): { n: number } } }).prepare(sql).get().n;
    const sizes = {
      intervals: count('SELECT COUNT(*) AS n FROM intervals'),
      rollupHour: count('SELECT COUNT(*) AS n FROM rollup_hour'),
      rollupDay: count('SELECT COUNT(*) AS n FROM rollup_day'),
      fleetHour: count('SELECT COUNT(*) AS n FROM fleet_hour'),
      fleetDay: count('SELECT COUNT(*) AS n FROM fleet_day'),
    };
    log(`seeded ${intervals} intervals in ${r1(seedSec)} s; ${JSON.stringify(sizes)}`);

    const policies = new PolicyService(store);
    const ranges = {
      last90Days: { from: end - 90 * DAY_MS, to: end },
      schoolYear: { from: start, to: end },
    };
    const groupBys: GroupBy[] = ['day', 'hourOfWeek', 'group', 'deviceClass', 'device'];
    const results: Record<string, unknown>[] = [];
    for (const [rangeName, range] of Object.entries(args['recompute-only'] ? {} : ranges)) {
      for (const scope of [undefined, schools[0]!]) {
        const overview = { fleet: 0, device: 0 };
        for (const groupBy of groupBys) {
          const row: Record<string, unknown> = {
            range: rangeName,
            scope: scope === undefined ? 'board' : 'one school',
            groupBy,
          };
          for (const source of ['fleet', 'device'] as const) {
            const n = source === 'fleet' ? runs : deviceRuns;
            const wall: number[] = [];
            const cpu: number[] = [];
            let rows = 0;
            for (let i = 0; i < n + 1; i++) {
              const c0 = process.cpuUsage();
              const t0 = performance.now();
              const u = await computeUsage(
                store,
                policies,
                { ...range, groupBy, ...(scope ? { groupId: scope } : {}) },
                { now, source },
              );
              const ms = performance.now() - t0;
              const c = process.cpuUsage(c0);
              rows = u.rows.length;
              if (i === 0) continue; // warm-up (page cache, prepared statements)
              wall.push(ms);
              cpu.push((c.user + c.system) / 1000);
            }
            row[`${source}Ms`] = r1(median(wall));
            row[`${source}CpuMs`] = r1(median(cpu));
            row.rows = rows;
            overview[source] += median(wall);
          }
          log(`${rangeName} ${row.scope} ${groupBy}: fleet ${row.fleetMs} ms, per device ${row.deviceMs} ms`);
          results.push(row);
        }
        results.push({
          range: rangeName,
          scope: scope === undefined ? 'board' : 'one school',
          groupBy: 'all five (overview)',
          fleetMs: r1(overview.fleet),
          deviceMs: r1(overview.device),
        });
      }
    }
    // a watt correction for a whole class: the background recompute of the raw-retention window
    log('recompute after a chromebook watt change');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const rc0 = performance.now();
    const rcCpu0 = process.cpuUsage();
    await store.putSettings({
      ...(await store.getSettings()),
      classWatts: { chromebook: { idle_display_on: 5 } },
    });
    const queued = store.energy.pending();
    await store.energy.idle();
    const rcCpu = process.cpuUsage(rcCpu0);
    delay.disable();
    const recompute = {
      devices: queued,
      rawRetentionDays: 90,
      seconds: r1((performance.now() - rc0) / 1000),
      cpuSeconds: r1((rcCpu.user + rcCpu.system) / 1e6),
      eventLoopDelayMaxMs: r1(delay.max / 1e6),
      eventLoopDelayP99Ms: r1(delay.percentile(99) / 1e6),
    };
    log(`recompute: ${JSON.stringify(recompute)}`);

    const report = {
      benchmark: 'usage',
      at: new Date().toISOString(),
      machine: { ...machine, loadAvgAtEnd: loadavg().map(r1), cpuPressureAtEnd: pressure() },
      fleet: { devices: devicesN, days, groups: 1 + schools.length + rooms.length, ...sizes },
      seeding: {
        intervals,
        seconds: r1(seedSec),
        cpuSeconds: r1((seedCpu.user + seedCpu.system) / 1e6),
        intervalsPerSecond: Math.round(intervals / seedSec),
      },
      runs: {
        fleet: runs,
        perDevice: deviceRuns,
        statistic: 'median wall ms after one warm-up; CPU ms of the process likewise',
      },
      results,
      recompute,
    };
    const text = `${JSON.stringify(report, null, 2)}\n`;
    process.stdout.write(text);
    if (args.out) writeFileSync(args.out, text);
  } finally {
    await store.close();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
