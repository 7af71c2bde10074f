import { DAY_MS, MINUTE_MS, type PolicySettings } from '@sluimer/shared';
import { ConsoleClient, idOf, listOf } from './fleet/api-client.js';
import {
  backfillFleet,
  connectFleet,
  enrollFleet,
  type LiveHandle,
  newStats,
  type SimDevice,
  startLive,
} from './fleet/fleet.js';
import { percentile } from './fleet/util.js';
import { boardDevices, DEMO_TIME_ZONE, demoBoard, type PlannedSchool } from './model/fleet-plan.js';

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
 * - Policy "Slaapstand na schooltijd" assigned to Het Baken and Stedelijk College Noord; in the
 *   simulated history it took effect 14 days ago, so their charts show the drop. De Regenboog stays
 *   on the audit-only console default for comparison.
 * - Live: real time, not compressed (the console refuses intervals from the future): every device
 *   reports the intervals since its last report once a minute, ticks spread over the minute.
 */

export type DemoLog = ((msg: string) => void) | { info(msg: string): void };

export interface DemoOptions {
  /** console base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  username: string;
  password: string;
  /** the console's data directory (unused by the simulator itself; kept for the CLI contract) */
  dataDir?: string;
  log?: DemoLog;
  deviceCount?: number;
  historyDays?: number;
  /** live report period per device, ms (default 60 000) */
  liveEveryMs?: number;
  /** skip the live phase (tests, benchmarks) */
  live?: boolean;
}

export interface DemoHandle {
  stop(): Promise<void>;
  /** what was created, for tests and the CLI's summary; undefined when the demo data was already there */
  summary: DemoSummary | undefined;
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
  seedMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

export const DEMO_POLICY: { name: string; description: string; settings: PolicySettings } = {
  name: 'Slaapstand na schooltijd',
  description:
    'Scherm uit na 10 minuten, slaapstand na 30 minuten (op accu sneller); buiten schooltijd om 18:00 naar slaapstand.',
  settings: {
    auditOnly: false,
    idleThresholdSec: 300,
    sleepAfterSec: { ac: 1800, battery: 900 },
    displayOffAfterSec: { ac: 600, battery: 300 },
    schoolHours: {
      mon: { start: '08:15', end: '15:30' },
      tue: { start: '08:15', end: '15:30' },
      wed: { start: '08:15', end: '15:30' },
      thu: { start: '08:15', end: '15:30' },
      fri: { start: '08:15', end: '15:30' },
    },
    outsideSchoolHours: { sleepAfterSec: { ac: 900, battery: 600 }, action: 'sleep', actionAt: '18:00' },
    nudges: { enabled: true, maxPerDay: 3, minGapMin: 60 },
    allowSnooze: true,
    snoozeMinutes: 60,
  },
};

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
  const board = demoBoard({ deviceCount, policyFrom: now - 14 * DAY_MS });

  const api = new ConsoleClient(opts.url);
  await api.login(opts.username, opts.password);
  const existing = listOf<{ name: string }>(await api.get('/api/v1/groups'), 'groups');
  if (existing.some((g) => g.name === board.name)) {
    // the simulated agents' tokens are not kept, so a second run cannot continue their history
    log(
      `demo: "${board.name}" staat al in deze database; er wordt niets toegevoegd. Start met een lege datamap voor een nieuwe demo. / Demo data already present; nothing added.`,
    );
    return { summary: undefined, stop: async () => undefined };
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
  await connectFleet(devices, 64);

  log(`demo: ${historyDays} dagen geschiedenis versturen als rapporten`);
  const stats = newStats();
  const historyTo = Date.now();
  await backfillFleet(devices, historyTo, stats, 48);

  log('demo: voorbeeldbeleid aanmaken en toewijzen (De Regenboog blijft op alleen meten)');
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
    seedMs,
    ackP50Ms: percentile(stats.latenciesMs, 50),
    ackP99Ms: percentile(stats.latenciesMs, 99),
  };
  log(
    `demo: klaar in ${(seedMs / 1000).toFixed(1)} s: ${summary.devices} apparaten, ${summary.intervals} intervallen in ${summary.reports} rapporten` +
      (summary.rejected ? `, ${summary.rejected} geweigerd` : ''),
  );
  stats.latenciesMs.length = 0;

  let live: LiveHandle | undefined;
  if (opts.live !== false) {
    live = startLive(devices, stats, {
      everyMs: opts.liveEveryMs ?? 60_000,
      onError: (err) => log(`demo: live rapport mislukt: ${(err as Error).message}`),
    });
    log(`demo: ${devices.length} gesimuleerde agents rapporteren nu elke minuut (echte tijd)`);
  }
  let stopped = false;
  return {
    summary,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (live) await live.stop();
      else await Promise.all(devices.map((d) => d.agent.close()));
    },
  };
}
