import { DAY_MS, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';
import { backlogDrainMs, DEFAULT_GATEWAY_LIMITS } from './gateway.js';

const running: TestConsole[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.close();
});
async function consoleWith(limits: Parameters<typeof startTestConsole>[0]) {
  const t = await startTestConsole(limits);
  running.push(t);
  return t;
}

const base = Math.floor((Date.now() - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;

describe('gateway load shedding', () => {
  it('refuses upgrades beyond the connection limit with 503 and Retry-After', async () => {
    const t = await consoleWith({ gatewayLimits: { maxConnections: 1 } });
    const { secret } = await t.groupWithSecret();
    const a = await t.enroll(secret);
    const b = await t.enroll(secret);
    const first = await TestAgent.connect(t.url, a.deviceToken);
    const refused = await TestAgent.connect(t.url, b.deviceToken).catch((e) => e);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    first.close();
    await first.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const later = await TestAgent.connect(t.url, b.deviceToken);
    later.close();
  });

  it('limits failed upgrade authentications per address without locking out valid devices', async () => {
    const t = await consoleWith({ gatewayLimits: { badAuthBurst: 3, badAuthPerSec: 0.01 } });
    const { secret } = await t.groupWithSecret();
    const good = await t.enroll(secret);
    const ok = await TestAgent.connect(t.url, good.deviceToken);
    ok.close();
    for (let i = 0; i < 3; i++)
      expect((await TestAgent.connect(t.url, `sdt_bad${i}`).catch((e) => e)).status).toBe(401);
    const limited = await TestAgent.connect(t.url, 'sdt_bad-again').catch((e) => e);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeTruthy();
    // devices with valid tokens behind the same address are not locked out by their neighbours
    const still = await TestAgent.connect(t.url, good.deviceToken);
    still.close();
  });

  it('slows a device that sends too fast instead of refusing its reports', async () => {
    const t = await consoleWith({ gatewayLimits: { deviceFrameBurst: 3, deviceFramesPerSec: 10 } });
    const { secret } = await t.groupWithSecret();
    const dev = await t.enroll(secret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
    const started = Date.now();
    for (let seq = 1; seq <= 12; seq++) {
      agent.send({
        type: 'report',
        seq,
        intervals: [{ start: base + seq * MINUTE_MS, end: base + (seq + 1) * MINUTE_MS, state: 'active' }],
      });
    }
    const frames = [];
    for (let i = 0; i < 12; i++) frames.push(await agent.next());
    expect(frames).toEqual(Array.from({ length: 12 }, (_, i) => ({ type: 'ack', seq: i + 1 })));
    // hello plus 12 reports with 3 at once and 10 per second: at least ~0.9 s
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    agent.close();
  });

  it('slows a device that floods intervals while another device’s reports are acked at once', {
    timeout: 30_000,
  }, async () => {
    // time-scaled budget: 200 intervals at once, then 1,000 per second
    const t = await consoleWith({
      gatewayLimits: { deviceIntervalBurst: 200, deviceIntervalsPerSec: 1000 },
    });
    const { secret } = await t.groupWithSecret();
    const flooder = await TestAgent.hello(t.url, (await t.enroll(secret)).deviceToken);
    const calm = await TestAgent.hello(t.url, (await t.enroll(secret)).deviceToken);
    // 20 reports of 100 one-second intervals (alternating states, so nothing joins): 2,000 intervals
    const started = Date.now();
    for (let seq = 1; seq <= 20; seq++) {
      const intervals: Interval[] = Array.from({ length: 100 }, (_, i) => {
        const start = base + ((seq - 1) * 100 + i) * 1000;
        return { start, end: start + 1000, state: i % 2 ? 'active' : 'idle' };
      });
      flooder.agent.send({ type: 'report', seq, intervals });
    }
    await new Promise((r) => setTimeout(r, 100));
    const calmAck = await calm.agent.report(1, [{ start: base, end: base + MINUTE_MS, state: 'idle' }]);
    expect(calmAck).toEqual({ type: 'ack', seq: 1 });
    // the calm device was answered while most of the flood still waited for its budget
    expect(flooder.agent.frames.length).toBeLessThan(20);
    const acks = [];
    for (let i = 0; i < 20; i++) acks.push(await flooder.agent.next(10_000));
    // slowed, never refused: every report acked, in order
    expect(acks).toEqual(Array.from({ length: 20 }, (_, i) => ({ type: 'ack', seq: i + 1 })));
    // (2,000 − 200) intervals at 1,000/s: at least ~1.8 s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1700);
    flooder.agent.close();
    calm.agent.close();
  });

  it('drains a backlog under a time-scaled budget: every report acked in order, none refused', {
    timeout: 60_000,
  }, async () => {
    // the default budget scaled 10× faster, with a backlog of 300 reports: beyond the frame burst, so
    // the budget is what paces it
    const scaled = {
      deviceFrameBurst: DEFAULT_GATEWAY_LIMITS.deviceFrameBurst,
      deviceFramesPerSec: DEFAULT_GATEWAY_LIMITS.deviceFramesPerSec * 10,
      deviceIntervalBurst: DEFAULT_GATEWAY_LIMITS.deviceIntervalBurst,
      deviceIntervalsPerSec: DEFAULT_GATEWAY_LIMITS.deviceIntervalsPerSec * 10,
    };
    const t = await consoleWith({ gatewayLimits: scaled });
    const { secret } = await t.groupWithSecret();
    const { agent } = await TestAgent.hello(t.url, (await t.enroll(secret)).deviceToken);
    const reports = 300;
    // an agent sends its outbox a window at a time; here 50 reports in flight
    let sent = 0;
    const acks: unknown[] = [];
    const sendOne = () => {
      sent++;
      const start = base - DAY_MS + sent * 2 * MINUTE_MS;
      agent.send({
        type: 'report',
        seq: sent,
        intervals: [
          { start, end: start + MINUTE_MS, state: 'active' },
          { start: start + MINUTE_MS, end: start + 2 * MINUTE_MS, state: 'idle' },
        ],
      });
    };
    while (sent < 50) sendOne();
    while (acks.length < reports) {
      acks.push(await agent.next(10_000));
      if (sent < reports) sendOne();
    }
    expect(acks).toEqual(Array.from({ length: reports }, (_, i) => ({ type: 'ack', seq: i + 1 })));
    agent.close();
  });

  it('lets a device drain a 7-day backlog of 5,000 reports at 20 reports/s or faster under the default budget', () => {
    // what the budget allows (pure arithmetic on the defaults; the measured rate is a benchmark's job)
    const sevenDaysAtOneSecond = 7 * 24 * 3600; // every interval at the 1 s minimum: the worst case
    const worst = backlogDrainMs(DEFAULT_GATEWAY_LIMITS, 5000, sevenDaysAtOneSecond);
    expect(5000 / (worst / 1000)).toBeGreaterThanOrEqual(20);
    const typical = backlogDrainMs(DEFAULT_GATEWAY_LIMITS, 5000, 5000 * 4);
    expect(5000 / (typical / 1000)).toBeGreaterThanOrEqual(20);
    // and a flood of full reports is held to the interval budget: 1,000 full reports take ≥ 196 s
    expect(backlogDrainMs(DEFAULT_GATEWAY_LIMITS, 1000, 1_000_000)).toBeGreaterThanOrEqual(196_000);
  });
});
