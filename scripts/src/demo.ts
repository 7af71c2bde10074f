import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, MINUTE_MS, type PolicySettings, recommendedPolicy } from '@sluimer/shared';
import { ConsoleClient, idOf, listOf } from './fleet/api-client.js';
import {
  backfillFleet,
  connectFleet,
  enrollFleet,
  type FleetStats,
  type LiveHandle,
  newStats,
  type SimDevice,
  startLive,
} from './fleet/fleet.js';
import { ProtocolAgent } from './fleet/protocol-agent.js';
import { percentile } from './fleet/util.js';
import { batteryHistoryFor, type HistoryReading } from './model/battery-history.js';
import {
  boardDevices,
  DEMO_TIME_ZONE,
  demoBoard,
  demoSchoolCalendar,
  type PlannedSchool,
} from './model/fleet-plan.js';

/**
 * `sluimer-console --demo`: fills a fresh console with a simulated school board through the real
 * REST API and the real agent WebSocket, then keeps simulated agents reporting until `stop()`.
 *
 * - Board "Stichting Sluimer Scholen" with three schools (Europe/Amsterdam), buildings and rooms,
 *   one enroll secret per room; 300 devices (Chromebooks, laptops, desktops with a 24" monitor,
 *   a few all-in-ones) enrolled through POST /api/v1/enroll.
 * - 30 days of history from the school behaviour model, sent as ordinary reports (≤ 1000
 *   intervals each) and acknowledged by the console; it starts 30 days minus 15 minutes ago so
 *   the oldest interval is still inside the console's minimum raw-data retention.
 * - Every school stores its calendar (its hours, the shipped vacations and holidays of region
 *   midden); the simulated pupils follow it, so there are no lessons in vacations.
 * - Sluimer's recommended policy ("Sluimer-aanbeveling", the template without school hours of its
 *   own) assigned to Het Baken and Stedelijk College Noord; in the simulated history it took effect
 *   14 days ago, after weeks of audit only, so their charts and Besparing show the drop. De Regenboog
 *   stays on the audit-only console default for comparison.
 * - Live: real time, not compressed (the console refuses intervals from the future): every device
 *   reports the intervals since its last report once a minute, ticks spread over the minute.
 * - Every later `--demo` start on the same data keeps the demo alive: the simulated agents' tokens
 *   are kept in `<dataDir>/demo-agents.json` (mode 600, like the database next to it), so they
 *   reconnect, report the time they were away (at most 7 days, from where the console's data ends)
 *   and go on reporting live. No login is needed for that.
 */

export type DemoLog = ((msg: string) => void) | { info(msg: string): void };

export interface DemoOptions {
  /** console base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  username: string;
  /** needed to build the demo board; a demo that resumes from `dataDir` does without */
  password?: string;
  /** the console's data directory: where the simulated agents' tokens are kept between starts */
  dataDir?: string;
  /** where the console's data for a device ends (epoch ms), so a resumed agent continues from there */
  lastIntervalEnd?: (deviceId: number) => Promise<number | undefined>;
  log?: DemoLog;
  deviceCount?: number;
  historyDays?: number;
  /**
   * how many days ago the demo policy took effect in the simulated history (default 14); the history
   * before it is audit only
   */
  policyDaysAgo?: number;
  /** live report period per device, ms (default 60 000) */
  liveEveryMs?: number;
  /**
   * writes earlier months' battery readings next to the console's own (the protocol carries only
   * today's): when given, every demo laptop gets a year of wear for the lifecycle trend
   */
  batteryHistory?: (deviceId: number, readings: HistoryReading[]) => Promise<unknown>;
  /** skip the live phase (tests, benchmarks) */
  live?: boolean;
}

export interface DemoHandle {
  stop(): Promise<void>;
  /** what was created, for tests and the CLI's summary; undefined when the demo data was already there */
  summary: DemoSummary | undefined;
  /** how many simulated agents were picked up again from an earlier start (0 for a new demo) */
  resumed: number;
}

/** The file in the console's data directory that lets a later start pick the demo up again. */
export const DEMO_STATE_FILE = 'demo-agents.json';
const MAX_CATCH_UP_MS = 7 * DAY_MS;

interface DemoState {
  version: 1;
  board: string;
  deviceCount: number;
  policyFrom: number;
  devices: { installId: string; deviceId: number; deviceToken: string }[];
}

function isDemoState(v: unknown): v is DemoState {
  const s = v as Partial<DemoState> | null;
  return (
    !!s &&
    s.version === 1 &&
    typeof s.board === 'string' &&
    Number.isInteger(s.deviceCount) &&
    typeof s.policyFrom === 'number' &&
    Array.isArray(s.devices) &&
    s.devices.every(
      (d) =>
        typeof d?.installId === 'string' && Number.isInteger(d.deviceId) && typeof d.deviceToken === 'string',
    )
  );
}

function readState(dataDir: string | undefined): DemoState | undefined {
  if (!dataDir) return undefined;
  const file = join(dataDir, DEMO_STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isDemoState(state)) throw new Error(`${file} is geen demobestand / is not a demo state file`);
  return state;
}

function writeState(dataDir: string, state: DemoState): void {
  const file = join(dataDir, DEMO_STATE_FILE);
  // device tokens: readable by the console's user only, written whole or not at all
  writeFileSync(`${file}.partial`, JSON.stringify(state), { mode: 0o600 });
  chmodSync(`${file}.partial`, 0o600);
  renameSync(`${file}.partial`, file);
}

function startLiveHandle(
  devices: SimDevice[],
  stats: FleetStats,
  opts: DemoOptions,
  log: (msg: string) => void,
): () => Promise<void> {
  let live: LiveHandle | undefined;
  if (opts.live !== false) {
    live = startLive(devices, stats, {
      everyMs: opts.liveEveryMs ?? 60_000,
      onError: (err) => log(`demo: live rapport mislukt: ${(err as Error).message}`),
    });
    log(`demo: ${devices.length} gesimuleerde agents rapporteren nu elke minuut (echte tijd)`);
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (live) await live.stop();
    else await Promise.all(devices.map((d) => d.agent.close()));
  };
}

/** Picks up the simulated agents of an earlier start: same profiles, same tokens, history from where it ends. */
async function resumeDemo(
  opts: DemoOptions,
  state: DemoState,
  log: (msg: string) => void,
): Promise<DemoHandle> {
  const board = demoBoard({ deviceCount: state.deviceCount, policyFrom: state.policyFrom });
  const plans = new Map<string, Pick<SimDevice, 'profile' | 'school'>>();
  for (const school of board.schools)
    for (const building of school.buildings)
      for (const room of building.rooms)
        for (const profile of room.devices) plans.set(profile.installId, { profile, school });
  const now = Date.now();
  const devices: SimDevice[] = [];
  for (const d of state.devices) {
    const plan = plans.get(d.installId);
    if (!plan) continue;
    const end = await opts.lastIntervalEnd?.(d.deviceId);
    devices.push({
      ...plan,
      deviceId: d.deviceId,
      agent: new ProtocolAgent({
        server: opts.url,
        deviceToken: d.deviceToken,
        inventory: plan.profile.inventory,
      }),
      reportedUntil: Math.max(end ?? now - 15 * MINUTE_MS, now - MAX_CATCH_UP_MS),
      reports: 0,
      intervals: 0,
      rejected: 0,
    });
  }
  log(`demo: ${devices.length} gesimuleerde agents van de vorige start verbinden opnieuw`);
  // a device removed from the console since (its token refused) stays away; the rest carry on
  const connected: SimDevice[] = [];
  await Promise.all(
    devices.map(async (d) => {
      try {
        await d.agent.connect();
        connected.push(d);
      } catch {
        await d.agent.close();
      }
    }),
  );
  const stats = newStats();
  await backfillFleet(connected, Date.now(), stats, 48);
  log(
    `demo: weer actief met ${connected.length} apparaten; ${stats.intervals} intervallen ingehaald sinds de vorige start` +
      (stats.rejected ? `, ${stats.rejected} rapporten geweigerd` : ''),
  );
  const stop = startLiveHandle(connected, stats, opts, log);
  return { summary: undefined, resumed: connected.length, stop };
}

export interface DemoSummary {
  boardId: number;
  schools: { name: string; id: number; devices: number; enforced: boolean }[];
  devices: number;
  reports: number;
  intervals: number;
  rejected: number;
  policyId: number;
  historyFrom: number;
  historyTo: number;
  /** when the demo policy took effect in the simulated history (its schools were audit only before) */
  policyFrom: number;
  seedMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

/**
 * The policy the demo assigns to its enforcing schools once their audit-only weeks are over: Sluimer's
 * recommended policy (shared/src/impact/recommended-policy.ts) as IT would start from it, without
 * school hours of its own so each school's calendar hours apply. The simulated platform enforces the
 * same settings (`demoEnforcedPolicy`), so the what-if over the audit-only weeks and the measured
 * before/after can be compared on the demo board (docs/impact.md).
 */
export const DEMO_POLICY: { name: string; description: string; settings: PolicySettings } = (() => {
  const template = recommendedPolicy();
  const { schoolHours: _own, ...settings } = template.settings;
  return { name: template.name, description: template.description ?? '', settings };
})();

function logger(log: DemoLog | undefined): (msg: string) => void {
  if (!log) return () => undefined;
  if (typeof log === 'function') return log;
  return (msg) => log.info(msg);
}

async function createGroup(
  api: ConsoleClient,
  body: { name: string; parentId?: number; kind: string; timeZone?: string },
): Promise<number> {
  return idOf(await api.post('/api/v1/groups', body));
}

async function enrollSecret(api: ConsoleClient, groupId: number): Promise<string> {
  const body = await api.post<{ secret: string }>(`/api/v1/groups/${groupId}/enroll-secrets`, {
    note: 'demo',
  });
  return body.secret;
}

export async function startDemo(opts: DemoOptions): Promise<DemoHandle> {
  const log = logger(opts.log);
  const started = performance.now();
  const deviceCount = opts.deviceCount ?? 300;
  const historyDays = opts.historyDays ?? 30;
  const now = Date.now();
  const historyFrom = now - historyDays * DAY_MS + 15 * MINUTE_MS;
  const policyFrom = now - (opts.policyDaysAgo ?? 14) * DAY_MS;
  const board = demoBoard({ deviceCount, policyFrom });

  const state = readState(opts.dataDir);
  if (state) return resumeDemo(opts, state, log);
  if (!opts.password) throw new Error('the demo needs the admin password to build its school board');

  const api = new ConsoleClient(opts.url);
  await api.login(opts.username, opts.password);
  const existing = listOf<{ name: string }>(await api.get('/api/v1/groups'), 'groups');
  if (existing.some((g) => g.name === board.name)) {
    // a demo made before its agents' tokens were kept (or with the file removed): nothing to resume
    log(
      `demo: "${board.name}" staat al in deze database, maar zonder ${DEMO_STATE_FILE}; er wordt niets toegevoegd. Start met een lege datamap voor een nieuwe demo. / Demo data already present without ${DEMO_STATE_FILE}; nothing added.`,
    );
    return { summary: undefined, resumed: 0, stop: async () => undefined };
  }

  log(`demo: bestuur, scholen, gebouwen en lokalen aanmaken (${board.schools.length} scholen)`);
  const boardId = await createGroup(api, { name: board.name, kind: 'board', timeZone: DEMO_TIME_ZONE });
  const enrollItems: Parameters<typeof enrollFleet>[1][number][] = [];
  const schoolIds = new Map<PlannedSchool, number>();
  for (const school of board.schools) {
    const schoolId = await createGroup(api, {
      name: school.name,
      parentId: boardId,
      kind: 'school',
      timeZone: school.timeZone,
    });
    schoolIds.set(school, schoolId);
    // the school's own calendar (its hours, region midden): policies, what-if and Besparing follow it
    await api.put(`/api/v1/groups/${schoolId}/calendar`, demoSchoolCalendar(school));
    for (const building of school.buildings) {
      const buildingId = await createGroup(api, {
        name: building.name,
        parentId: schoolId,
        kind: 'building',
      });
      for (const room of building.rooms) {
        if (room.devices.length === 0) continue;
        const roomId = await createGroup(api, { name: room.name, parentId: buildingId, kind: 'room' });
        const secret = await enrollSecret(api, roomId);
        for (const profile of room.devices) enrollItems.push({ profile, school, enrollSecret: secret });
      }
    }
  }

  log(`demo: ${enrollItems.length} apparaten inschrijven via /api/v1/enroll`);
  const devices: SimDevice[] = await enrollFleet(opts.url, enrollItems, {
    concurrency: 16,
    since: historyFrom,
  });
  if (opts.dataDir) {
    writeState(opts.dataDir, {
      version: 1,
      board: board.name,
      deviceCount,
      policyFrom,
      devices: devices.map((d) => ({
        installId: d.profile.installId,
        deviceId: d.deviceId,
        deviceToken: d.agent.opts.deviceToken,
      })),
    });
  }
  await connectFleet(devices, 64);

  // the first school imported its purchase records (the others' ages come from the BIOS date)
  const first = board.schools[0];
  const bought = enrollItems.filter((i) => i.school === first).map((i) => i.profile);
  if (bought.length) {
    log(`demo: aankoopgegevens van ${first?.name} importeren (${bought.length} apparaten)`);
    await api.post('/api/v1/lifecycle/purchases', { csv: purchaseCsv(bought, now) });
  }
  if (opts.batteryHistory) {
    for (const d of devices) {
      const history = batteryHistoryFor(d.profile.inventory, d.profile.key, now);
      if (history.length) await opts.batteryHistory(d.deviceId, history);
    }
  }

  log(`demo: ${historyDays} dagen geschiedenis versturen als rapporten`);
  const stats = newStats();
  const historyTo = Date.now();
  await backfillFleet(devices, historyTo, stats, 48);

  log(
    `demo: het aanbevolen beleid "${DEMO_POLICY.name}" aanmaken en toewijzen (De Regenboog blijft op alleen meten)`,
  );
  const policyId = idOf(await api.post('/api/v1/policies', DEMO_POLICY));
  const enforcedIds = board.schools.filter((s) => s.enforced).map((s) => schoolIds.get(s) as number);
  await api.post(`/api/v1/policies/${policyId}/assign`, { groupIds: enforcedIds });

  const seedMs = performance.now() - started;
  const summary: DemoSummary = {
    boardId,
    schools: board.schools.map((s) => ({
      name: s.name,
      id: schoolIds.get(s) as number,
      devices: boardDevices({ name: board.name, schools: [s] }).length,
      enforced: s.enforced,
    })),
    devices: devices.length,
    reports: stats.reports,
    intervals: stats.intervals,
    rejected: stats.rejected,
    policyId,
    historyFrom,
    historyTo,
    policyFrom,
    seedMs,
    ackP50Ms: percentile(stats.latenciesMs, 50),
    ackP99Ms: percentile(stats.latenciesMs, 99),
  };
  log(
    `demo: klaar in ${(seedMs / 1000).toFixed(1)} s: ${summary.devices} apparaten, ${summary.intervals} intervallen in ${summary.reports} rapporten` +
      (summary.rejected ? `, ${summary.rejected} geweigerd` : ''),
  );
  stats.latenciesMs.length = 0;

  const stop = startLiveHandle(devices, stats, opts, log);
  return { summary, resumed: 0, stop };
}

const DEMO_PRICE_EUR: Record<string, number> = {
  chromebook: 329,
  laptop: 749,
  desktop: 689,
  'all-in-one': 949,
  tablet: 399,
};

/** A purchase CSV as a school's administration would export it: delivered 1–3 months after the BIOS date. */
export function purchaseCsv(
  profiles: readonly {
    key: string;
    deviceClass: string;
    inventory: { serialNumber?: string; bios?: { releaseDate?: string } };
  }[],
  now: number,
): string {
  const lines = ['serienummer;aankoopdatum;prijs;garantie tot'];
  for (const p of profiles) {
    const serial = p.inventory.serialNumber;
    const bios = p.inventory.bios?.releaseDate;
    if (!serial || !bios) continue;
    const delay = 30 + (serial.charCodeAt(serial.length - 1) % 60);
    const bought = Math.min(now - DAY_MS, Date.parse(`${bios}T00:00:00Z`) + delay * DAY_MS);
    const d = new Date(bought);
    const date = `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`;
    const warranty = new Date(Date.UTC(d.getUTCFullYear() + 3, d.getUTCMonth(), d.getUTCDate()) - DAY_MS);
    const price = (DEMO_PRICE_EUR[p.deviceClass] ?? 699).toFixed(2).replace('.', ',');
    lines.push(`${serial};${date};${price};${warranty.toISOString().slice(0, 10)}`);
  }
  return lines.join('\r\n');
}
