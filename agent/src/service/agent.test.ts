import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EffectivePolicy,
  findOverlap,
  type Interval,
  MINUTE_MS,
  type PolicyStatusFrame,
} from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackerState } from '../core/idle.js';
import { ManualClock, type SimulatedOptions, SimulatedPlatform } from '../platform/simulated/index.js';
import { type AgentService, type AgentServiceOptions, createAgentService } from './agent.js';
import { DeviceStateRecord } from './device-state.js';
import { FakeConsole } from './fake-console.js';
import { Outbox } from './outbox.js';
import { FileStore, MemoryStore } from './store.js';

const fast = { initialDelayMaxMs: 5, backoffBaseMs: 10, backoffMaxMs: 80 };
/** Yesterday 12:00 UTC: a few scripted hours from here never cross UTC midnight, where intervals are split. */
const yesterdayNoonUtc = () =>
  Math.floor(Date.now() / (24 * 60 * MINUTE_MS)) * 24 * 60 * MINUTE_MS - 12 * 60 * MINUTE_MS;
const enforcing: EffectivePolicy = {
  idleThresholdSec: 300,
  sleepAfterSec: { ac: 1200, battery: 600 },
  displayOffAfterSec: { ac: 600, battery: 300 },
  brightnessCapPct: { battery: 60 },
};

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-agent-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function consoleWith(opts: ConstructorParameters<typeof FakeConsole>[0] = {}) {
  const c = new FakeConsole(opts);
  await c.listen();
  cleanups.push(() => c.close());
  return c;
}

function agentFor(
  c: FakeConsole,
  clock: ManualClock,
  extra: Partial<AgentServiceOptions> = {},
  sim: SimulatedOptions = {},
) {
  const platform = new SimulatedPlatform({ clock, ...sim });
  // the console's clock agrees with the simulated device clock (no clock correction in play)
  c.now = () => clock.now();
  const agent = createAgentService({
    platform,
    serverUrl: c.url,
    enrollSecret: 'geheim',
    dataDir: dir,
    manualTicks: true,
    bootWall: clock.now() - 30_000,
    link: fast,
    stopGraceMs: 500,
    hostname: 'lokaal-12-pc-3',
    ...extra,
  });
  cleanups.push(() => agent.stop());
  return { agent, platform };
}

/** awake time passes in steps, the agent samples after each */
async function run(agent: AgentService, clock: ManualClock, ms: number, step = 5_000, onStep?: () => void) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    onStep?.();
    await agent.tick();
  }
}

const allIntervals = (c: FakeConsole): Interval[] => c.reports().flatMap((r) => r.frame.intervals);
const statuses = (c: FakeConsole): PolicyStatusFrame[] =>
  c.frames.flatMap((f) => (f.frame.type === 'policy_status' ? [f.frame] : []));

describe('agent service', () => {
  it('enrolls once, reports what it measured, and continues seq and identity after a restart', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    const boot = clock.now() - 30_000;
    const { agent, platform } = agentFor(c, clock, { bootWall: boot });
    platform.input();
    const started = clock.now();
    await agent.start();
    await c.waitFor(() => agent.status().link === 'ready');
    // 3 minutes of use, then 10 minutes away
    await run(agent, clock, 3 * MINUTE_MS, 5_000, () => platform.input());
    const lastInput = clock.now();
    await run(agent, clock, 10 * MINUTE_MS);
    await c.waitFor(() => agent.status().outbox.rows === 0 && c.reports().length >= 2);
    await agent.stop();

    expect(c.enrollments).toHaveLength(1);
    const enrollment = c.enrollments[0] as { installId: string; hostname: string; inventory: unknown };
    expect(enrollment.hostname).toBe('lokaal-12-pc-3');
    expect(enrollment.installId).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(statSync(join(dir, 'device.json')).mode & 0o777).toBe(0o600);
    const hello = c.frames.find((f) => f.frame.type === 'hello')!.frame;
    expect(hello).toMatchObject({
      protocol: 1,
      inventory: { model: 'Simulated' },
      features: ['summary', 'strict-intervals', 'inventory'],
    });

    const got = allIntervals(c);
    expect(findOverlap(got)).toBeNull();
    // a fresh install measures from its first sample (the boot is only used to infer off later)
    expect(got[0]!.start).toBe(started);
    const active = got.filter((i) => i.state === 'active');
    const idle = got.filter((i) => i.state === 'idle');
    expect(active[active.length - 1]!.end).toBe(lastInput);
    expect(idle[0]!.start).toBe(lastInput);
    expect(idle[idle.length - 1]!.end).toBe(lastInput + 10 * MINUTE_MS);
    const maxSeq = Math.max(...c.reports().map((r) => r.seq));

    // restart in the same boot: same install id, no new enrollment, seq continues
    const again = agentFor(c, clock, { bootWall: boot });
    await again.agent.start();
    const restartedAt = clock.now();
    await run(again.agent, clock, 2 * MINUTE_MS, 5_000, () => again.platform.input());
    await again.agent.flush();
    await c.waitFor(() => c.reports().some((r) => r.seq > maxSeq) && again.agent.status().outbox.rows === 0);
    expect(c.enrollments).toHaveLength(1);
    expect(
      Math.min(
        ...c
          .reports()
          .filter((r) => r.conn > 0)
          .map((r) => r.seq),
      ),
    ).toBe(maxSeq + 1);
    const after = allIntervals(c);
    expect(findOverlap(after)).toBeNull();
    // the graceful stop and the quick restart leave no hole
    expect(after.find((i) => i.start === restartedAt)?.state).toBe('active');
  });

  /** an agent with a hardware reader double (each reading finds the battery more worn), once re-read */
  async function hardwareRun(features: string[] | undefined) {
    const clock = new ManualClock(yesterdayNoonUtc());
    let fullWh = 40;
    const hardware = async () => ({
      readAt: clock.now(),
      model: 'HP ProBook 450 G8',
      bios: { releaseDate: '2021-03-15' },
      battery: { hasBattery: true, designCapacityWh: 50, fullCapacityWh: fullWh-- },
    });
    const c = await consoleWith(features ? { features } : {});
    const { agent, platform } = agentFor(c, clock, { hardware });
    platform.input();
    await agent.start();
    await c.waitFor(() => agent.status().link === 'ready');
    await agent.refreshInventory();
    // a report sent after it on the same socket: once it arrives, so has any inventory frame
    await run(agent, clock, MINUTE_MS, 5_000, () => platform.input());
    await agent.flush();
    await c.waitFor(() => c.reports().length >= 1);
    await agent.stop();
    const hello = c.frames.find((f) => f.frame.type === 'hello')!.frame;
    const sent = c.frames.flatMap((f) => (f.frame.type === 'inventory' ? [f.frame.inventory] : []));
    return { hello, sent };
  }

  it('sends the hardware reading in hello and the daily re-reading to a console that accepts it', async () => {
    const { hello, sent } = await hardwareRun(['inventory']);
    // the OS fields stay the adapter's; the hardware is the reader's
    expect(hello).toMatchObject({
      inventory: { os: 'other', model: 'HP ProBook 450 G8', bios: { releaseDate: '2021-03-15' } },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.battery).toMatchObject({ hasBattery: true, fullCapacityWh: 39 });
  });

  it('sends no inventory frame to an older console whose welcome lists no features', async () => {
    const { hello, sent } = await hardwareRun(undefined);
    expect(hello).toMatchObject({ inventory: { model: 'HP ProBook 450 G8' } });
    expect(sent).toEqual([]);
  });

  it('saves the originals before the first change, applies the policy and restores on audit-only', async () => {
    const c = await consoleWith({ policy: enforcing });
    const clock = new ManualClock(Date.now());
    const { agent, platform } = agentFor(c, clock);
    const before = await platform.readSettings();
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    const st = statuses(c)[0]!;
    expect(st.ok).toBe(true);
    expect(st.errors).toEqual([]);
    expect(st.applied).toMatchObject({
      sleepAfterSec: { ac: 1200, battery: 600 },
      displayOffAfterSec: { ac: 600, battery: 300 },
      brightnessCapPct: { ac: 100, battery: 60 },
    });
    const store = new FileStore(dir);
    expect(store.read<{ settings: unknown }>('originals')?.settings).toEqual(before);
    expect(platform.applyLog.map((a) => a.mode)).toEqual(['policy']);

    c.pushPolicy({ ...enforcing, auditOnly: true });
    await c.waitFor(() => statuses(c).length === 2);
    expect(statuses(c)[1]!.ok).toBe(true);
    expect(await platform.readSettings()).toEqual(before);
    expect(store.read('originals')).toBeNull();
    expect(platform.applyLog.map((a) => a.mode)).toEqual(['policy', 'restore']);
  });

  it('does not write the OS again on a reconnect with the same policy, unless the settings drifted', async () => {
    const c = await consoleWith({ policy: enforcing });
    const clock = new ManualClock(Date.now());
    const { agent, platform } = agentFor(c, clock);
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    c.socket!.terminate();
    await c.waitFor(() => statuses(c).length === 2);
    expect(statuses(c)[1]).toMatchObject({
      ok: true,
      applied: { sleepAfterSec: { ac: 1200, battery: 600 } },
    });
    expect(platform.applyLog).toHaveLength(1);
    // someone sets "never" behind the agent's back: the next welcome heals it
    await platform.apply({ sleepAfterSec: { ac: null } }, 'restore');
    c.socket!.terminate();
    await c.waitFor(() => statuses(c).length === 3);
    expect(platform.applyLog.map((a) => a.mode)).toEqual(['policy', 'restore', 'policy']);
    expect((await platform.readSettings()).sleepAfterSec.ac).toBe(1200);
  });

  it('reports a setting locked by group policy as an error, with what the OS really holds', async () => {
    const c = await consoleWith({ policy: enforcing });
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock, {}, { overridden: ['sleepAfterSec.ac'] });
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    const st = statuses(c)[0]!;
    expect(st.ok).toBe(false);
    expect(st.errors).toEqual([expect.objectContaining({ setting: 'sleepAfterSec.ac', code: 'overridden' })]);
    expect(st.applied.sleepAfterSec).toEqual({ ac: null, battery: 600 });
  });

  it('copes with a policy from a newer console: unknown fields ignored, a policy it cannot read refused with a reason', async () => {
    const c = await consoleWith({ policy: { ...enforcing, futureField: { x: 1 } } as EffectivePolicy });
    const clock = new ManualClock(Date.now());
    const { agent, platform } = agentFor(c, clock);
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    expect(statuses(c)[0]).toMatchObject({ ok: true, applied: { sleepAfterSec: { ac: 1200 } } });
    expect(agent.status().link).toBe('ready');

    c.pushPolicy({ ...enforcing, sleepAfterSec: { ac: 1200, hibernate: 5 } } as unknown as EffectivePolicy);
    await c.waitFor(() => statuses(c).length === 2);
    const st = statuses(c)[1]!;
    expect(st.ok).toBe(false);
    expect(st.errors[0]).toMatchObject({ code: 'bad_frame' });
    expect(st.errors[0]!.message).toMatch(/sleepAfterSec/);
    // the previous policy stays in force and measuring goes on
    expect((await platform.readSettings()).sleepAfterSec.ac).toBe(1200);
    expect(platform.applyLog).toHaveLength(1);
    await run(agent, clock, MINUTE_MS, 5_000, () => platform.input());
    await agent.flush();
    await c.waitFor(() => c.reports().length > 0 && agent.status().outbox.rows === 0);
  });

  it('switches to the stricter values when school hours end', async () => {
    const policy: EffectivePolicy = {
      ...enforcing,
      timeZone: 'Europe/Amsterdam',
      schoolHours: { tue: { start: '08:00', end: '16:30' } },
      outsideSchoolHours: { sleepAfterSec: { ac: 600 } },
    };
    const c = await consoleWith({ policy });
    // Tuesday 10 March 2026, 16:28 in Amsterdam (UTC+1)
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 15, 28));
    const { agent, platform } = agentFor(c, clock, { policyCheckMs: 60_000 });
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    expect(statuses(c)[0]!.applied.sleepAfterSec?.ac).toBe(1200);
    await run(agent, clock, 3 * MINUTE_MS);
    await c.waitFor(() => statuses(c).length === 2);
    expect(statuses(c)[1]!.applied.sleepAfterSec?.ac).toBe(600);
    expect((await platform.readSettings()).sleepAfterSec.ac).toBe(600);
    // no further writes while nothing changes
    await run(agent, clock, 3 * MINUTE_MS);
    expect(platform.applyLog).toHaveLength(2);
  });

  it('re-checks school hours right after waking from a sleep across their end', async () => {
    const policy: EffectivePolicy = {
      ...enforcing,
      timeZone: 'Europe/Amsterdam',
      schoolHours: { tue: { start: '08:00', end: '16:30' } },
      outsideSchoolHours: { sleepAfterSec: { ac: 600 } },
    };
    const c = await consoleWith({ policy });
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 14, 0)); // 15:00 in Amsterdam
    const { agent, platform } = agentFor(c, clock, { policyCheckMs: 60_000 });
    await agent.start();
    await c.waitFor(() => statuses(c).length === 1);
    platform.suspend(3 * 60 * MINUTE_MS, { silent: true }); // wakes at 18:00
    await agent.tick();
    expect((await platform.readSettings()).sleepAfterSec.ac).toBe(600);
  });

  it('enrolls again once when the console refuses the token', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock);
    await agent.start();
    await c.waitFor(() => agent.status().link === 'ready');
    const firstId = agent.status().deviceId;
    c.tokens.clear();
    c.socket!.terminate();
    await c.waitFor(() => c.enrollments.length === 2 && agent.status().link === 'ready');
    const [a, b] = c.enrollments as { installId: string }[];
    expect(b!.installId).toBe(a!.installId);
    expect(agent.status().deviceId).toBe(firstId);
    expect(c.upgrades.map((u) => u.status)).toEqual([101, 401, 101]);
  });

  it('keeps trying when enrolling again fails for a reason that may pass (console busy)', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock);
    await agent.start();
    await c.waitFor(() => agent.status().link === 'ready');
    c.tokens.clear();
    c.failEnrollments = 2;
    c.socket!.terminate();
    await c.waitFor(() => c.enrollments.length === 4 && agent.status().link === 'ready');
    expect(agent.status().fatal).toBeNull();
  });

  it('waits as long as Retry-After says when the console is too busy to enroll', async () => {
    const c = await consoleWith();
    c.failEnrollments = 1; // 503 with Retry-After: 1
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock);
    const t0 = Date.now();
    await agent.start();
    await c.waitFor(() => c.enrollments.length === 2, 5_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    await c.waitFor(() => agent.status().link === 'ready');
  });

  it('stops with a clear message when the token is refused and there is no enroll secret', async () => {
    const c = await consoleWith();
    new FileStore(dir).write('device', { deviceId: 5, deviceToken: 'revoked', serverUrl: c.url });
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock, { enrollSecret: undefined });
    const fatal = new Promise<string>((r) => agent.events.once('fatal', r));
    await agent.start();
    expect(await fatal).toMatch(/--enroll-secret/);
    expect(agent.status().link).toBe('stopped');
    expect(agent.status().fatal).toMatch(/enroll secret/);
  });

  it('stops when the enroll secret is refused', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock, { enrollSecret: 'fout' });
    const fatal = new Promise<string>((r) => agent.events.once('fatal', r));
    await agent.start();
    expect(await fatal).toMatch(/enroll secret/);
    expect(c.upgrades).toHaveLength(0);
  });

  it('refuses a second agent on the same data dir while the first runs', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(Date.now());
    const { agent } = agentFor(c, clock);
    await agent.start();
    expect(() => agentFor(c, clock)).toThrow(/already running/);
    await agent.stop();
    const again = agentFor(c, clock);
    await again.agent.start();
    expect(again.agent.status().fatal).toBeNull();
  });

  it('closes the open interval durably on stop', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    // the console is unreachable: everything must be in the outbox
    const { agent, platform } = agentFor(c, clock, { serverUrl: 'http://127.0.0.1:9' });
    await agent.start();
    await run(agent, clock, 2 * MINUTE_MS, 5_000, () => platform.input());
    await agent.stop();
    const o = Outbox.open(join(dir, 'outbox.sqlite'));
    const got = o.pending(100).flatMap((r) => r.intervals);
    expect(got[got.length - 1]!.end).toBe(clock.now());
    expect(new DeviceStateRecord(o.database).load<TrackerState>()?.open).toBeNull();
    o.close();
  });

  it('after a crash and a reboot reports off from the last sample to the boot', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    // the crash is simulated inside this process, so the first agent's lock cannot die with it
    const first = agentFor(c, clock, { serverUrl: 'http://127.0.0.1:9', dataDirLock: false });
    await first.agent.start();
    await run(first.agent, clock, MINUTE_MS, 5_000, () => first.platform.input());
    const lastSample = clock.now();
    // killed: no graceful stop; only its state saved with the last report (a minute here) remains
    await first.agent.link.stop();
    const crashed = Outbox.open(join(dir, 'outbox.sqlite'));
    expect(new DeviceStateRecord(crashed.database).load<TrackerState>()?.lastMoment).toBe(lastSample);
    crashed.close();

    clock.sleep(2 * 60 * MINUTE_MS); // powered off for two hours
    const boot = clock.now();
    clock.advance(40_000);
    const second = agentFor(c, clock, { bootWall: boot, dataDirLock: false });
    await second.agent.start();
    await c.waitFor(() => second.agent.status().link === 'ready');
    await run(second.agent, clock, MINUTE_MS, 5_000, () => second.platform.input());
    await second.agent.stop();
    await c.waitFor(() => c.reports().length > 0);
    const got = allIntervals(c);
    expect(findOverlap(got)).toBeNull();
    expect(got.filter((i) => i.state === 'off')).toEqual([{ start: lastSample, end: boot, state: 'off' }]);
    expect(got.find((i) => i.start === boot)?.state).toBe('active');
  });

  it('saves the tracker state at once when what it records changes, and otherwise only at checkpoints', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    const { agent, platform } = agentFor(c, clock, {
      serverUrl: 'http://127.0.0.1:9',
      dataDirLock: false,
      reportEveryMs: 30 * MINUTE_MS,
      stateCheckpointMs: MINUTE_MS,
    });
    const saved = () => {
      const o = Outbox.open(join(dir, 'outbox.sqlite'));
      try {
        return new DeviceStateRecord(o.database).load<TrackerState>()!;
      } finally {
        o.close();
      }
    };
    await agent.start();
    const started = clock.now();
    // still active, sample after sample: nothing new is recorded, so nothing is written
    await run(agent, clock, 30_000, 5_000, () => platform.input());
    expect(saved().open?.state).toBe('active');
    expect(saved().lastMoment).toBe(started);
    // the device turns idle: written with the sample that saw it
    platform.setIdleMs(10 * MINUTE_MS);
    await run(agent, clock, 5_000);
    expect(saved().open?.state).toBe('idle');
    expect(saved().lastMoment).toBe(clock.now());
    const turnedIdle = clock.now();
    // still idle: the last moment only moves at the one-minute checkpoint
    await run(agent, clock, 55_000);
    expect(saved().lastMoment).toBe(turnedIdle);
    await run(agent, clock, 5_000);
    expect(saved().lastMoment).toBe(clock.now());
    expect(saved().open?.state).toBe('idle');
  });

  it('reports sleep seen only as a wall clock jump', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    const { agent, platform } = agentFor(c, clock);
    await agent.start();
    await c.waitFor(() => agent.status().link === 'ready');
    await run(agent, clock, MINUTE_MS, 5_000, () => platform.input());
    const before = clock.now();
    platform.suspend(45 * MINUTE_MS, { silent: true });
    platform.input();
    await agent.tick();
    // the socket from before the sleep is not trusted: a fresh one is opened at once, and only once
    await c.waitFor(() => c.upgrades.length === 2 && agent.status().link === 'ready');
    await run(agent, clock, 30_000, 5_000, () => platform.input());
    await agent.flush();
    await c.waitFor(() => allIntervals(c).some((i) => i.state === 'asleep'));
    const asleep = allIntervals(c).filter((i) => i.state === 'asleep');
    expect(asleep).toEqual([{ start: before, end: before + 45 * MINUTE_MS, state: 'asleep', power: 'ac' }]);
    expect(c.upgrades).toHaveLength(2);
  });

  it('power-cycles a simulated device in-process: shared outbox and store, off reported, no new enrollment', async () => {
    const c = await consoleWith();
    // yesterday 12:00 UTC: the three hours off never cross UTC midnight (where intervals are split)
    const clock = new ManualClock(yesterdayNoonUtc());
    c.now = () => clock.now();
    const outbox = Outbox.open(':memory:');
    const store = new MemoryStore();
    cleanups.push(() => outbox.close());
    const boot = (bootWall: number) => {
      const platform = new SimulatedPlatform({ clock });
      const agent = createAgentService({
        platform,
        serverUrl: c.url,
        enrollSecret: 'geheim',
        outbox,
        store,
        manualTicks: true,
        bootWall,
        link: fast,
        stopGraceMs: 500,
      });
      cleanups.push(() => agent.stop());
      return { platform, agent };
    };
    const a = boot(clock.now() - 20_000);
    await a.agent.start();
    await c.waitFor(() => a.agent.status().link === 'ready');
    await run(a.agent, clock, 2 * MINUTE_MS, 5_000, () => a.platform.input());
    a.platform.shutdown();
    const down = clock.now();
    await a.agent.stop();
    clock.sleep(3 * 60 * MINUTE_MS);
    const up = clock.now();
    clock.advance(30_000);
    const b = boot(up);
    await b.agent.start();
    await c.waitFor(() => b.agent.status().link === 'ready' && outbox.stats().rows === 0);
    expect(c.enrollments).toHaveLength(1);
    expect(allIntervals(c).filter((i) => i.state === 'off')).toEqual([
      { start: down, end: up, state: 'off' },
    ]);
    expect(findOverlap(allIntervals(c))).toBeNull();
  });

  it('runs many agents in one process with in-memory outboxes', async () => {
    const c = await consoleWith();
    const clock = new ManualClock(yesterdayNoonUtc());
    const agents = Array.from({ length: 20 }, (_, k) => {
      const platform = new SimulatedPlatform({ clock, autopilot: { seed: k + 1 } });
      const agent = createAgentService({
        platform,
        serverUrl: c.url,
        enrollSecret: 'geheim',
        outbox: ':memory:',
        manualTicks: true,
        bootWall: clock.now() - 30_000,
        link: fast,
        hostname: `sim-${k}`,
        stopGraceMs: 0,
      });
      cleanups.push(() => agent.stop());
      return agent;
    });
    await Promise.all(agents.map((a) => a.start()));
    for (let t = 0; t < 10; t++) {
      clock.advance(60_000);
      await Promise.all(agents.map((a) => a.tick()));
    }
    await c.waitFor(
      () => agents.every((a) => a.status().link === 'ready' && a.status().outbox.rows === 0),
      10_000,
    );
    expect(new Set(agents.map((a) => a.status().deviceId)).size).toBe(20);
    expect(c.reports().length).toBeGreaterThanOrEqual(20);
  });
});

describe('sampling on idle events', () => {
  /** a simulated device on the real clocks, counting how often the agent reads its idle time */
  function countingPlatform(withEvents: boolean, idleMs = 0) {
    const platform = new SimulatedPlatform();
    const counts = { reads: 0, listener: null as ((t: 'idle' | 'active') => void) | null, stopped: false };
    platform.idleMs = async () => {
      counts.reads++;
      return idleMs;
    };
    if (withEvents) {
      Object.assign(platform, {
        watchIdle: async (_thresholdMs: number, listener: (t: 'idle' | 'active') => void) => {
          counts.listener = listener;
          return () => {
            counts.stopped = true;
          };
        },
      });
    }
    return { platform, counts };
  }

  it('with idle events from the platform it samples on each event and otherwise once per report period', async () => {
    const c = await consoleWith();
    const { platform, counts } = countingPlatform(true);
    const agent = createAgentService({
      platform,
      serverUrl: c.url,
      enrollSecret: 'geheim',
      outbox: ':memory:',
      sampleMs: 50,
      link: fast,
      stopGraceMs: 0,
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    await c.waitFor(() => counts.listener !== null, 2_000);
    const before = counts.reads;
    await new Promise((r) => setTimeout(r, 500));
    // polled every 50 ms this would be ~10 reads; the next timed sample is the report, 60 s away
    expect(counts.reads - before).toBeLessThanOrEqual(1);
    const beforeIdle = counts.reads;
    counts.listener?.('idle');
    await c.waitFor(() => counts.reads > beforeIdle, 1_000);
    const afterIdle = counts.reads;
    counts.listener?.('active');
    await c.waitFor(() => counts.reads > afterIdle, 1_000);
    await agent.stop();
    expect(counts.stopped).toBe(true);
  });

  it('without idle events it polls at the sample period while the device is idle', async () => {
    const c = await consoleWith();
    // idle for ten minutes: every sample finds the device idle
    const { platform, counts } = countingPlatform(false, 10 * 60_000);
    const agent = createAgentService({
      platform,
      serverUrl: c.url,
      enrollSecret: 'geheim',
      outbox: ':memory:',
      sampleMs: 50,
      link: fast,
      stopGraceMs: 0,
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    const before = counts.reads;
    await new Promise((r) => setTimeout(r, 500));
    expect(counts.reads - before).toBeGreaterThanOrEqual(3);
  });
});
