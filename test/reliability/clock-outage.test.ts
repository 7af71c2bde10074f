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

async function consoleAt(dataDir: string, port = 0, now?: () => number): Promise<RunningConsole> {
  const c = await startConsole({
    ...(now ? { now } : {}),
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
  extra: { logger?: Logger; seed?: number; clockCorrection?: false } = {},
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
    ...(extra.clockCorrection === false ? { clockCorrection: false as const } : {}),
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
    // a simulated week passes in minutes against a console on real time: the device clock "drifts" by
    // days, which clock correction would faithfully shift into the console's future. Off here.
    const { agent } = agentOn(c, secret, clock, { clockCorrection: false });
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
  /**
   * The console's clock is the truth; the device clock is `skew` off it (mutable: the test may fix
   * it). Yesterday 12:00 UTC true time, so three hours never cross UTC midnight.
   */
  async function skewed(
    skew: number,
    name: string,
  ): Promise<{
    c: RunningConsole;
    dataDir: string;
    token: string;
    clock: ManualClock;
    dev: { skew: number };
    consoleNow: () => number;
    agent: AgentService;
    lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
    beforeWelcome: number[];
    rejected: () => { seq: unknown; code: unknown }[];
  }> {
    const trueStart = Math.floor(Date.now() / DAY) * DAY - 12 * HOUR;
    const clock = new ManualClock(trueStart + skew);
    const dev = { skew };
    const consoleNow = () => clock.now() - dev.skew;
    const dataDir = tempDir();
    const c = await consoleAt(dataDir, 0, consoleNow);
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, name);
    const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const { agent } = agentOn(c, secret, clock, { logger: captureLogger(lines) });
    const beforeWelcome: number[] = [];
    let welcomed = false;
    agent.events.on('welcome', () => (welcomed = true));
    agent.events.on('report', (seqs: number[]) => {
      if (!welcomed) beforeWelcome.push(...seqs);
    });
    await agent.start();
    await ready(agent);
    const rejected = () =>
      lines.filter((l) => /rejected/.test(l.msg)).map((l) => ({ seq: l.fields?.seq, code: l.fields?.code }));
    return { c, dataDir, token, clock, dev, consoleNow, agent, lines, beforeWelcome, rejected };
  }

  async function usageSec(c: RunningConsole, token: string, from: number, to: number) {
    const u = await api(c.url, 'GET', `/api/v1/usage?from=${from}&to=${to}&groupBy=day`, { token });
    expect(u.status).toBe(200);
    const list = (u.body.rows ?? u.body) as {
      activeSec: number;
      idleSec: number;
      asleepSec: number;
      offSec: number;
    }[];
    return list.reduce((a, r) => a + r.activeSec + r.idleSec + r.asleepSec + r.offSec, 0);
  }

  for (const [label, skew] of [
    ['ahead', 3 * HOUR],
    ['behind', -3 * HOUR],
  ] as const) {
    it(`a device clock 3 hours ${label}: reports carry the console's time, all accepted, usage equals the time run`, async () => {
      const t = await skewed(skew, `Skew ${label} school`);
      const from = t.consoleNow();
      await run(t.agent, t.clock, 3 * HOUR);
      await t.agent.flush();
      expect(await drained(t.agent)).toBe(true);
      const to = t.consoleNow();
      const rows = stored(t.c, t.agent.status().deviceId!);
      expectNoOverlap(rows);
      // nothing in the console's future
      for (const r of rows) expect(r.end).toBeLessThanOrEqual(to);
      // the skew was seen and measured exactly (the simulated clock stands still during the round trip)
      const warn = t.lines.find((l) => l.level === 'warn' && /clock/i.test(l.msg));
      expect(warn?.fields?.skewMs).toBe(skew);
      // only what was written before the first welcome ever (no offset known yet) is uncorrected:
      // here the minute before start, which lies in the console's future when the clock is ahead
      for (const r of t.rejected()) expect(t.beforeWelcome).toContain(r.seq);
      if (skew < 0) expect(t.rejected()).toEqual([]);
      expect(t.lines.filter((l) => /overlap/.test(String(l.fields?.code)))).toEqual([]);
      // every interval after the welcome accepted: one unbroken timeline over the run
      const hourFrom = Math.ceil(from / HOUR) * HOUR;
      const hourTo = Math.floor(to / HOUR) * HOUR;
      expect(hourTo - hourFrom).toBeGreaterThanOrEqual(2 * HOUR);
      expect(await usageSec(t.c, t.token, hourFrom, hourTo)).toBe((hourTo - hourFrom) / 1000);
      const inRun = rows.filter((r) => r.end > from);
      for (let i = 1; i < inRun.length; i++)
        expect(inRun[i]!.start, `gap before ${i}`).toBe(inRun[i - 1]!.end);
      expect(inRun[0]!.start).toBeLessThanOrEqual(from);
      expect(inRun[inRun.length - 1]!.end).toBe(to);
    });
  }

  for (const [label, skew] of [
    ['ahead', 3 * HOUR],
    ['behind', -3 * HOUR],
  ] as const) {
    it(`a clock 3 hours ${label} that gets fixed mid-run: every minute kept, no overlap, nothing in the future`, async () => {
      const t = await skewed(skew, `Fixed ${label} school`);
      await run(t.agent, t.clock, HOUR);
      expect(await drained(t.agent)).toBe(true);
      // NTP fixes the clock; the link reconnects a little later (a new welcome re-measures the offset)
      t.clock.stepWall(-skew);
      t.dev.skew = 0;
      await run(t.agent, t.clock, 10 * MIN);
      const port = t.c.port;
      await t.c.close();
      await run(t.agent, t.clock, 5 * MIN);
      t.c = await consoleAt(t.dataDir, port, t.consoleNow);
      await ready(t.agent);
      await run(t.agent, t.clock, HOUR);
      await t.agent.flush();
      expect(await drained(t.agent)).toBe(true);
      const rows = stored(t.c, t.agent.status().deviceId!);
      expect(rows.length).toBeGreaterThan(0);
      expectNoOverlap(rows);
      for (const r of rows) expect(r.end).toBeLessThanOrEqual(t.consoleNow());
      expect(t.lines.filter((l) => /overlap/.test(String(l.fields?.code)))).toEqual([]);
      // the clock step is not taken for anything: the timeline keeps every minute (docs/reliability.md)
      expect(t.rejected()).toEqual([]);
      expect(t.lines.some((l) => /wall clock stepped/.test(l.msg) && l.fields?.stepMs === -skew)).toBe(true);
      const end = t.consoleNow();
      await t.agent.stop();
      const all = stored(t.c, t.agent.status().deviceId!);
      expectNoOverlap(all);
      for (let i = 1; i < all.length; i++) expect(all[i]!.start, `gap before ${i}`).toBe(all[i - 1]!.end);
      expect(all[all.length - 1]!.end).toBe(end);
      expect(all.filter((r) => r.state === 'asleep')).toEqual([]);
      const covered = all.reduce((a, r) => a + r.end - r.start, 0);
      // the run: 1 h + 10 min + 5 min offline + 1 h, every minute of it
      expect(covered).toBeGreaterThanOrEqual(135 * MIN);
      console.log(`clock fixed (${label}): ${JSON.stringify({ storedMin: Math.round(covered / MIN) })}`);
    });
  }

  it('a clock stepped back and forward mid-run and a real suspend through the clock sources: every minute kept', async () => {
    const clock = new ManualClock(Math.floor(Date.now() / DAY) * DAY - 12 * HOUR);
    // the true time counts everything the device lives through (awake and suspended), never steps
    const trueStart = clock.now();
    const boot0 = clock.boottime();
    const consoleNow = () => trueStart + (clock.boottime() - boot0);
    const c = await consoleAt(tempDir(), 0, consoleNow);
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Step school');
    const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    // idle unknown counts as use: every awake minute is active, so the sums below are exact
    const platform = new SimulatedPlatform({ clock, idleUnknown: true });
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
      logger: captureLogger(lines),
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    await ready(agent);
    const from = consoleNow();
    await run(agent, clock, 30 * MIN);
    clock.stepWall(-HOUR); // a pupil sets the clock back an hour
    await run(agent, clock, 30 * MIN);
    clock.stepWall(2 * HOUR); // NTP steps it forward (now an hour ahead): not a sleep
    await run(agent, clock, 30 * MIN);
    clock.sleep(40 * MIN); // the lid closes: a real suspend (wall and boot clock run, monotonic not)
    await run(agent, clock, 30 * MIN);
    clock.stepWall(-HOUR); // NTP fixes the rest
    await run(agent, clock, 15 * MIN);
    await agent.flush();
    expect(await drained(agent)).toBe(true);
    const to = consoleNow();
    await agent.stop();
    const rows = stored(c, agent.status().deviceId!);
    const run_ = rows.filter((r) => r.end > from);
    expectNoOverlap(rows);
    for (let i = 1; i < run_.length; i++) expect(run_[i]!.start, `gap before ${i}`).toBe(run_[i - 1]!.end);
    expect(run_[0]!.start).toBeLessThanOrEqual(from);
    expect(run_[run_.length - 1]!.end).toBe(to);
    for (const r of rows) expect(r.end).toBeLessThanOrEqual(to);
    const sum = (state: string) =>
      run_
        .filter((r) => r.state === state)
        .reduce((a, r) => a + Math.min(r.end, to) - Math.max(r.start, from), 0);
    // 175 minutes passed: 135 awake, 40 asleep, and the steps are neither
    expect(sum('asleep')).toBe(40 * MIN);
    expect(sum('active')).toBe(135 * MIN);
    expect(lines.filter((l) => /rejected/.test(l.msg))).toEqual([]);
    expect(lines.filter((l) => /wall clock stepped/.test(l.msg)).map((l) => l.fields?.stepMs)).toEqual([
      -HOUR,
      2 * HOUR,
      -HOUR,
    ]);
  });

  it('a clock jumping backwards: nothing overlaps, nothing lies in the future', async () => {
    const clock = new ManualClock(Date.now() - 2 * DAY);
    // the console's clock is the true time; the device clock agrees until it is set back
    let behind = 0;
    const c = await consoleAt(tempDir(), 0, () => clock.now() + behind);
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Jump school');
    const { agent } = agentOn(c, secret, clock, { seed: 11 });
    await agent.start();
    await ready(agent);
    await run(agent, clock, 2 * HOUR);
    expect(await drained(agent)).toBe(true);
    clock.stepWall(-HOUR); // a user sets the clock back an hour
    behind += HOUR;
    await run(agent, clock, 3 * HOUR);
    clock.stepWall(-10 * MIN);
    behind += 10 * MIN;
    await run(agent, clock, HOUR);
    await agent.flush();
    expect(await drained(agent)).toBe(true);
    const rows = stored(c, agent.status().deviceId!);
    expect(rows.length).toBeGreaterThan(0);
    expectNoOverlap(rows);
    const consoleNow = clock.now() + behind;
    for (const r of rows) {
      expect(r.end).toBeGreaterThan(r.start);
      expect(r.end).toBeLessThanOrEqual(consoleNow);
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
    // a past day replayed against a console on real time: no clock correction (it would move it to today)
    const { agent } = agentOn(c, secret, clock, { seed: 3, clockCorrection: false });
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
