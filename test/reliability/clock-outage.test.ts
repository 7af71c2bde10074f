// Outages and clock trouble with the real agent service (simulated platform, clock under test control)
// against the real console: a week offline, a device clock hours off, a clock jumping backwards, and
// the DST change in Europe/Amsterdam.
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SimulatedPlatform } from '../../agent/src/platform/simulated/index.js';
import { type AgentService, createAgentService } from '../../agent/src/service/agent.js';
import type { Logger } from '../../agent/src/service/log.js';
import { type RunningConsole, startConsole } from '../../console/server/src/index.js';
import { ADMIN_PASSWORD, adminToken, api, groupSecret, tempDir } from './support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const fast = { initialDelayMaxMs: 5, backoffBaseMs: 20, backoffMaxMs: 200 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function consoleAt(dataDir: string, port = 0): Promise<RunningConsole> {
  const c = await startConsole({
    port,
    host: '127.0.0.1',
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'silent',
    webDist: join(dataDir, 'no-web'),
    // The console reads at most 20 frames/s per device (burst 100): a week's backlog of up to 5000
    // reports then takes about 4 minutes to deliver. Tests raise it; SLUIMER_OUTAGE_DEFAULT_LIMITS=1
    // measures delivery with the defaults (docs/reliability.md).
    ...(process.env.SLUIMER_OUTAGE_DEFAULT_LIMITS === '1'
      ? {}
      : { gatewayLimits: { deviceFrameBurst: 2_000, deviceFramesPerSec: 1_000 } }),
  });
  cleanups.push(() => c.close());
  return c;
}

function captureLogger(lines: { level: string; msg: string; fields?: Record<string, unknown> }[]): Logger {
  const mk = (): Logger => ({
    debug: () => {},
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    child: () => mk(),
  });
  return mk();
}

function agentOn(
  c: RunningConsole,
  secret: string,
  clock: ManualClock,
  extra: { logger?: Logger; seed?: number } = {},
): { agent: AgentService; platform: SimulatedPlatform } {
  const platform = new SimulatedPlatform({ clock, autopilot: { seed: extra.seed ?? 7 } });
  const agent = createAgentService({
    platform,
    serverUrl: c.url,
    enrollSecret: secret,
    outbox: ':memory:',
    manualTicks: true,
    bootWall: clock.now() - 60_000,
    reportEveryMs: MIN,
    link: fast,
    stopGraceMs: 2_000,
    hostname: 'lokaal-12-pc-3',
    ...(extra.logger ? { logger: extra.logger } : {}),
  });
  cleanups.push(() => agent.stop());
  return { agent, platform };
}

/** awake time passes; the agent samples every `step` */
async function run(agent: AgentService, clock: ManualClock, ms: number, step = MIN, each?: () => void) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await agent.tick();
    each?.();
    // let sockets and timers run between samples, as they would in a real minute
    await new Promise((r) => setImmediate(r));
  }
}

async function ready(agent: AgentService) {
  for (let i = 0; i < 500 && agent.status().link !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 20));
  expect(agent.status().link).toBe('ready');
}

async function drained(agent: AgentService, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (agent.status().link === 'ready' && agent.outbox.stats().rows === 0) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`not drained: ${JSON.stringify(agent.status())}`);
  return false;
}

type Row = { start: number; end: number; state: string };
function stored(c: RunningConsole, deviceId: number): Row[] {
  const db = (c.store as unknown as { db: Database.Database }).db;
  return db
    .prepare('SELECT start, "end", state FROM intervals WHERE device_id = ? ORDER BY start')
    .all(deviceId) as Row[];
}
function deviceRow(c: RunningConsole, deviceId: number) {
  const db = (c.store as unknown as { db: Database.Database }).db;
  return db.prepare('SELECT max_seq, counters FROM devices WHERE id = ?').get(deviceId) as {
    max_seq: number;
    counters: string | null;
  };
}

function expectNoOverlap(rows: Row[]) {
  for (let i = 1; i < rows.length; i++)
    expect(rows[i]!.start, `row ${i}`).toBeGreaterThanOrEqual(rows[i - 1]!.end);
}

describe('a week offline', () => {
  it('delivers every interval once and in order after 7 days without the console, the outbox within its bound', {
    timeout: 900_000,
  }, async () => {
    const dataDir = tempDir();
    let c = await consoleAt(dataDir);
    const port = c.port;
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Holiday school');
    const clock = new ManualClock(Date.now() - 8 * DAY);
    const { agent } = agentOn(c, secret, clock);
    const firstWall = clock.now();
    await agent.start();
    await ready(agent);
    await run(agent, clock, HOUR);
    expect(await drained(agent)).toBe(true);
    const deviceId = agent.status().deviceId!;

    // the console goes away for a week (school holiday, server room power cut)
    await c.close();
    let maxRows = 0;
    let maxBytes = 0;
    let reportsWritten = 0;
    agent.events.on('report', (seqs: number[]) => (reportsWritten += seqs.length));
    await run(agent, clock, 7 * DAY, MIN, () => {
      const s = agent.outbox.stats();
      maxRows = Math.max(maxRows, s.rows);
      maxBytes = Math.max(maxBytes, s.bytes);
    });
    const offline = agent.outbox.stats();
    expect(agent.status().link).not.toBe('ready');

    c = await consoleAt(dataDir, port);
    const t0 = Date.now();
    expect(await drained(agent, 600_000)).toBe(true);
    const deliveryMs = Date.now() - t0;
    const lastSeq = agent.outbox.stats().nextSeq - 1;
    await agent.stop();
    const lastWall = clock.now();

    const rows = stored(c, deviceId);
    // once: no overlap; in order and complete: one unbroken timeline from the first to the last moment
    expectNoOverlap(rows);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i]!.start, `gap before row ${i}`).toBe(rows[i - 1]!.end);
    expect(rows[0]!.start).toBeLessThanOrEqual(firstWall);
    expect(rows[rows.length - 1]!.end).toBeGreaterThanOrEqual(lastWall - MIN);
    const dev = deviceRow(c, deviceId);
    const counters = dev.counters ? JSON.parse(dev.counters) : {};
    expect(counters.droppedReports ?? 0).toBe(0);
    expect(counters.droppedIntervals ?? 0).toBe(0);
    expect(dev.max_seq).toBe(lastSeq);
    // the bound (agent/src/service/outbox.ts): at most 5000 reports and 16 MiB wait
    expect(maxRows).toBeLessThanOrEqual(5000);
    expect(maxBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    console.log(
      `outage: ${JSON.stringify({
        simulatedDays: 7,
        reportsWritten,
        outboxMaxRows: maxRows,
        outboxMaxBytes: maxBytes,
        outboxAtReconnect: offline,
        storedIntervals: rows.length,
        coveredHours: Math.round((rows[rows.length - 1]!.end - rows[0]!.start) / HOUR),
        deliveryMs,
      })}`,
    );
  });
});

describe('clock trouble', () => {
  it('a device clock hours ahead: the console stores nothing in the future and the agent sees the skew in welcome', async () => {
    const c = await consoleAt(tempDir());
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Skew school');
    const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const clock = new ManualClock(Date.now() + 3 * HOUR);
    const { agent } = agentOn(c, secret, clock, { logger: captureLogger(lines) });
    await agent.start();
    await ready(agent);
    await run(agent, clock, 30 * MIN);
    expect(await drained(agent)).toBe(true);
    const deviceId = agent.status().deviceId!;
    const rows = stored(c, deviceId);
    for (const r of rows) expect(r.end).toBeLessThanOrEqual(Date.now() + 2 * MIN);
    // the reports were refused (interval_in_future), dropped and counted, never half-stored
    const skewWarning = lines.find((l) => l.level === 'warn' && /clock/i.test(l.msg));
    expect(skewWarning, JSON.stringify(lines.slice(0, 20))).toBeTruthy();
    // measured when welcome arrives: 3 h plus the few simulated minutes before it
    expect(Math.abs((skewWarning!.fields?.skewMs as number) - 3 * HOUR)).toBeLessThan(10 * MIN);
    expect(lines.some((l) => /rejected/.test(l.msg) && l.fields?.code === 'interval_in_future')).toBe(true);
  });

  it('a device clock hours behind: intervals are stored, consistent, in the past', async () => {
    const c = await consoleAt(tempDir());
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Slow clock school');
    const clock = new ManualClock(Date.now() - 5 * HOUR);
    const { agent } = agentOn(c, secret, clock);
    await agent.start();
    await ready(agent);
    await run(agent, clock, 2 * HOUR);
    await agent.flush();
    expect(await drained(agent)).toBe(true);
    const rows = stored(c, agent.status().deviceId!);
    expect(rows.length).toBeGreaterThan(0);
    expectNoOverlap(rows);
    for (const r of rows) expect(r.end).toBeLessThanOrEqual(Date.now());
  });

  it('a clock jumping backwards: nothing overlaps, nothing lies in the future', async () => {
    const c = await consoleAt(tempDir());
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Jump school');
    const clock = new ManualClock(Date.now() - 2 * DAY);
    const { agent } = agentOn(c, secret, clock, { seed: 11 });
    await agent.start();
    await ready(agent);
    await run(agent, clock, 2 * HOUR);
    expect(await drained(agent)).toBe(true);
    clock.stepWall(-HOUR); // NTP or a user sets the clock back an hour
    await run(agent, clock, 3 * HOUR);
    clock.stepWall(-10 * MIN);
    await run(agent, clock, HOUR);
    await agent.flush();
    expect(await drained(agent)).toBe(true);
    const rows = stored(c, agent.status().deviceId!);
    expect(rows.length).toBeGreaterThan(0);
    expectNoOverlap(rows);
    for (const r of rows) {
      expect(r.end).toBeGreaterThan(r.start);
      expect(r.end).toBeLessThanOrEqual(Date.now());
    }
  });

  it('across the DST change in Europe/Amsterdam: one unbroken timeline and a 25-hour day', async () => {
    const c = await consoleAt(tempDir());
    const token = await adminToken(c.url);
    const { secret, groupId } = await groupSecret(c.url, token, 'DST school');
    await api(c.url, 'PATCH', `/api/v1/groups/${groupId}`, { token, body: { timeZone: 'Europe/Amsterdam' } });
    // Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); the local day lasts 25 hours
    const dayStart = Date.UTC(2026, 9, 24, 22, 0); // 00:00 local (CEST)
    const dayEnd = Date.UTC(2026, 9, 25, 23, 0); // 00:00 local next day (CET)
    expect(dayEnd - dayStart).toBe(25 * HOUR);
    if (dayEnd > Date.now() - MIN) return; // the machine's clock is before that day: nothing to check yet
    const clock = new ManualClock(dayStart - 2 * HOUR);
    const { agent } = agentOn(c, secret, clock, { seed: 3 });
    await agent.start();
    await ready(agent);
    await run(agent, clock, 30 * HOUR);
    await agent.flush();
    expect(await drained(agent)).toBe(true);
    const rows = stored(c, agent.status().deviceId!);
    expectNoOverlap(rows);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.start).toBe(rows[i - 1]!.end);
    const u = await api(c.url, 'GET', `/api/v1/usage?from=${dayStart}&to=${dayEnd}&groupBy=day`, { token });
    expect(u.status).toBe(200);
    const list = (u.body.rows ?? u.body) as {
      key: string;
      activeSec: number;
      idleSec: number;
      asleepSec: number;
      offSec: number;
    }[];
    const day = list.find((r) => r.key === '2026-10-25');
    expect(day, JSON.stringify(list)).toBeTruthy();
    expect(day!.activeSec + day!.idleSec + day!.asleepSec + day!.offSec).toBe(25 * 3600);
  });
});
