#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DAY_MS, MINUTE_MS } from '@sluimer/shared';
import { benchSchool, MIXED_ROLES, makeDevice } from '../model/fleet-plan.js';
import { backfillFleet, connectFleet, enrollFleet, newStats, startLive } from './fleet.js';
import { startServiceFleet } from './service-fleet.js';
import { percentile, sleep } from './util.js';

const USAGE = `sluimer-fleet: N gesimuleerde agents in één proces, over echte WebSockets naar een echte console.

  node scripts/dist/fleet/cli.js --server URL --enroll-secret S --count N [opties]

  --server URL          console, bv. http://127.0.0.1:8080
  --enroll-secret S     inschrijfgeheim van een groep (school, gebouw of lokaal)
  --count N             aantal apparaten (standaard 10)
  --days D              dagen geschiedenis om eerst te versturen (standaard 1, max 29)
  --live-every SEC      daarna elke SEC seconden per apparaat rapporteren (standaard 60; 0 = niet)
  --duration SEC        stoppen na SEC seconden live (standaard: tot Ctrl-C)
  --prefix P            hostnamen en installIds beginnen met P (standaard "fleet"); dezelfde
                        prefix schrijft dezelfde apparaten opnieuw in
  --concurrency C       gelijktijdige inschrijvingen/verbindingen (standaard 32)
  --mode protocol|service
                        protocol (standaard): lichte agents op protocolniveau, met geschiedenis uit
                        het schoolmodel; service: de echte agent-service (createAgentService) met
                        het gesimuleerde platform, alleen live (geen geschiedenis)
  --data DIR            (service) outbox per agent onder DIR; zonder: in het geheugen
  --report-ms N         (service) rapport-interval van de echte agent (standaard 60000)
  --sample-ms N         (service) meet-interval van de echte agent (standaard 5000)
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      'enroll-secret': { type: 'string' },
      count: { type: 'string', default: '10' },
      days: { type: 'string', default: '1' },
      'live-every': { type: 'string', default: '60' },
      duration: { type: 'string' },
      prefix: { type: 'string', default: 'fleet' },
      concurrency: { type: 'string', default: '32' },
      mode: { type: 'string', default: 'protocol' },
      data: { type: 'string' },
      'report-ms': { type: 'string', default: '60000' },
      'sample-ms': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.server || !values['enroll-secret']) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const count = Number(values.count);
  const days = Math.min(29, Math.max(0, Number(values.days)));
  const concurrency = Number(values.concurrency);
  const school = benchSchool();
  const now = Date.now();
  const since = now - days * DAY_MS + (days > 0 ? MINUTE_MS : 0);
  const profiles = Array.from({ length: count }, (_, i) =>
    makeDevice(
      MIXED_ROLES[i % MIXED_ROLES.length] ?? 'chromebook',
      { key: values.prefix, prefix: values.prefix.toUpperCase() },
      i + 1,
    ),
  );
  if (values.mode === 'service') return runServiceMode(values, profiles);
  const t0 = performance.now();
  const devices = await enrollFleet(
    values.server,
    profiles.map((profile) => ({ profile, school, enrollSecret: values['enroll-secret'] as string })),
    { concurrency, since },
  );
  const tEnroll = performance.now();
  await connectFleet(devices, concurrency);
  const tConnect = performance.now();
  const stats = newStats();
  if (days > 0) await backfillFleet(devices, Date.now(), stats, concurrency);
  const tBackfill = performance.now();
  const secs = (a: number, b: number) => ((b - a) / 1000).toFixed(2);
  console.log(
    JSON.stringify({
      enrolled: devices.length,
      enrollSec: secs(t0, tEnroll),
      connectSec: secs(tEnroll, tConnect),
      backfillSec: secs(tConnect, tBackfill),
      reports: stats.reports,
      intervals: stats.intervals,
      rejected: stats.rejected,
      ackP50Ms: percentile(stats.latenciesMs, 50),
      ackP99Ms: percentile(stats.latenciesMs, 99),
    }),
  );
  const everySec = Number(values['live-every']);
  if (everySec <= 0) {
    await Promise.all(devices.map((d) => d.agent.close()));
    return 0;
  }
  stats.latenciesMs.length = 0;
  const live = startLive(devices, stats, { everyMs: everySec * 1000 });
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (values.duration) sleep(Number(values.duration) * 1000).then(stop);
  });
  const status = setInterval(() => {
    const connected = devices.filter((d) => d.agent.connected).length;
    console.log(
      JSON.stringify({
        connected,
        reports: stats.reports,
        intervals: stats.intervals,
        rejected: stats.rejected,
      }),
    );
  }, 30_000);
  await stopped;
  clearInterval(status);
  await live.stop();
  console.log(
    JSON.stringify({
      reports: stats.reports,
      intervals: stats.intervals,
      rejected: stats.rejected,
      ackP50Ms: percentile(stats.latenciesMs, 50),
      ackP99Ms: percentile(stats.latenciesMs, 99),
    }),
  );
  return 0;
}

async function runServiceMode(
  values: Record<string, string | boolean | undefined>,
  profiles: ReturnType<typeof makeDevice>[],
): Promise<number> {
  const fleet = await startServiceFleet({
    server: values.server as string,
    enrollSecret: values['enroll-secret'] as string,
    profiles,
    ...(typeof values.data === 'string' ? { dataDir: values.data } : {}),
    reportEveryMs: Number(values['report-ms']),
    sampleMs: Number(values['sample-ms']),
  });
  const status = () => {
    const st = fleet.agents.map((a) => a.service.status());
    return {
      agents: st.length,
      enrolled: st.filter((s) => s.enrolled).length,
      links: countBy(st.map((s) => String(s.link))),
    };
  };
  const timer = setInterval(() => console.log(JSON.stringify(status())), 10_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (values.duration) sleep(Number(values.duration) * 1000).then(resolve);
  });
  clearInterval(timer);
  console.log(JSON.stringify(status()));
  await fleet.stop();
  return 0;
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
