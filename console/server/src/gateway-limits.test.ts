import { HOUR_MS, MINUTE_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from './test-support.js';

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
});
