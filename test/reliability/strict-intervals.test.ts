// The real agent service (simulated platform, clock under test control) against the real console
// while its state changes every few hundred ms: the agent announces `strict-intervals`, so the console
// refuses any report with an interval under 1 s; every report must still be accepted and the stored
// timeline must hold all the time that ran.
import { join } from 'node:path';
import { LIMITS } from '@sluimer/shared';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SimulatedPlatform } from '../../agent/src/platform/simulated/index.js';
import { createAgentService } from '../../agent/src/service/agent.js';
import type { Logger } from '../../agent/src/service/log.js';
import { startConsole } from '../../console/server/src/index.js';
import { ADMIN_PASSWORD, adminToken, groupSecret, tempDir } from './support.js';

const MIN = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = { level: string; msg: string; fields?: Record<string, unknown> };
function captureLogger(lines: Line[]): Logger {
  const mk = (): Logger => ({
    debug: () => {},
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    child: () => mk(),
  });
  return mk();
}

describe('a strict console and a real agent under rapid state changes', () => {
  it('accepts every report of an agent whose display, power, sleep and use change every few hundred ms, and stores all the time that ran', {
    timeout: 300_000,
  }, async () => {
    const dataDir = tempDir();
    const c = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      webDist: join(dataDir, 'no-web'),
      gatewayLimits: { deviceFrameBurst: 2_000, deviceFramesPerSec: 1_000 },
    });
    cleanups.push(() => c.close());
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Strict school');

    // simulated time ends well before the console's clock (no interval in the future)
    const clock = new ManualClock(Date.now() - 40 * MIN);
    const platform = new SimulatedPlatform({ clock });
    const lines: Line[] = [];
    const agent = createAgentService({
      platform,
      serverUrl: c.url,
      enrollSecret: secret,
      outbox: ':memory:',
      manualTicks: true,
      bootWall: clock.now() - MIN,
      // a report every simulated second: the timeline is cut far more often than its state lasts
      reportEveryMs: 1_000,
      link: { initialDelayMaxMs: 5, backoffBaseMs: 20, backoffMaxMs: 200 },
      clockCorrection: false,
      logger: captureLogger(lines),
    });
    cleanups.push(() => agent.stop());
    let lastSeq = 0;
    agent.events.on('report', (seqs: number[]) => (lastSeq = Math.max(lastSeq, ...seqs)));
    platform.input();
    await agent.start();
    const startWall = clock.now();
    for (let i = 0; i < 500 && agent.status().link !== 'ready'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(agent.status().link).toBe('ready');

    let seed = 2026;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let sleeps = 0;
    const shortStep = async (minutes: number, withInput: boolean) => {
      const until = clock.now() + minutes * MIN;
      while (clock.now() < until) {
        clock.advance(50 + Math.floor(rand() * 800));
        const r = rand();
        if (withInput && r < 0.3) platform.input();
        else if (r < 0.5) platform.setDisplay(rand() < 0.5 ? 'on' : 'off');
        else if (r < 0.7) platform.setPowerSource(rand() < 0.5 ? 'ac' : 'battery');
        else if (r < 0.78) {
          platform.suspend(100 + Math.floor(rand() * 1_500));
          sleeps++;
        }
        await agent.tick();
        await new Promise((r) => setImmediate(r));
      }
    };
    await shortStep(8, true);
    // no input for longer than the idle threshold (5 min): an idle stretch, still cut every second
    await shortStep(6, false);
    await shortStep(8, true);
    expect(sleeps).toBeGreaterThan(50);

    const drainEnd = Date.now() + 60_000;
    while (Date.now() < drainEnd && !(agent.status().link === 'ready' && agent.outbox.stats().rows === 0))
      await new Promise((r) => setTimeout(r, 20));
    const deviceId = agent.status().deviceId!;
    const stopWall = clock.now();
    await agent.stop();

    // no report refused (interval_too_short or anything else), and the console stored up to the last
    expect(lines.filter((l) => /rejected/.test(l.msg))).toEqual([]);
    expect(agent.link.stats.rejected).toBe(0);
    const db = (c.store as unknown as { db: Database.Database }).db;
    const dev = db.prepare('SELECT max_seq, counters FROM devices WHERE id = ?').get(deviceId) as {
      max_seq: number;
      counters: string | null;
    };
    expect(dev.max_seq).toBe(lastSeq);
    expect(JSON.parse(dev.counters ?? '{}').droppedIntervals ?? 0).toBe(0);

    const rows = db
      .prepare('SELECT start, "end", state FROM intervals WHERE device_id = ? ORDER BY start')
      .all(deviceId) as { start: number; end: number; state: string }[];
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['active', 'idle', 'asleep']));
    for (const r of rows) expect(r.end - r.start).toBeGreaterThanOrEqual(LIMITS.minIntervalMs);
    // one unbroken timeline from the first sample to the stop: no time lost, none invented
    for (let i = 1; i < rows.length; i++)
      expect(rows[i]!.start, `gap before row ${i}`).toBe(rows[i - 1]!.end);
    expect(rows[0]!.start).toBe(startWall);
    const last = rows[rows.length - 1]!.end;
    expect(last).toBeLessThanOrEqual(stopWall);
    // a piece under 1 s at the very end waits in the agent for what follows it (the next run)
    expect(stopWall - last).toBeLessThan(LIMITS.minIntervalMs);
  });
});
