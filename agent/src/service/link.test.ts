import { type Interval, MINUTE_MS, type SummaryFrame } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeConsole } from './fake-console.js';
import { agentSocketUrl, backoffDelay, ConsoleLink, type LinkOptions, parseRetryAfter } from './link.js';
import { Outbox } from './outbox.js';

const T0 = Date.now() - 60 * MINUTE_MS;
const iv = (k: number): Interval => ({
  start: T0 + k * MINUTE_MS,
  end: T0 + (k + 1) * MINUTE_MS,
  state: 'active',
});

const fast = { initialDelayMaxMs: 5, backoffBaseMs: 10, backoffMaxMs: 80, window: 8, pingIntervalMs: 60_000 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  consoleOpts: ConstructorParameters<typeof FakeConsole>[0] = {},
  linkOpts: Partial<LinkOptions> = {},
) {
  const c = new FakeConsole(consoleOpts);
  await c.listen();
  const token = c.addToken(7);
  const outbox = Outbox.open(':memory:');
  const link = new ConsoleLink({
    serverUrl: c.url,
    token: () => token,
    outbox,
    hello: async () => ({ type: 'hello', protocol: 1, agentVersion: 'test' }),
    onUnauthorized: async () => 'stop',
    timings: fast,
    ...linkOpts,
  });
  cleanups.push(
    () => c.close(),
    () => link.stop(),
    () => outbox.close(),
  );
  return { c, outbox, link, token };
}

describe('backoff and Retry-After maths', () => {
  it('draws full-jitter delays below min(cap, base * 2^attempt)', () => {
    const t = { backoffBaseMs: 1_000, backoffMaxMs: 300_000 };
    for (let attempt = 0; attempt < 20; attempt++) {
      const ceiling = Math.min(300_000, 1_000 * 2 ** attempt);
      expect(backoffDelay(attempt, t, 0)).toBe(0);
      expect(backoffDelay(attempt, t, 0.999999)).toBeLessThan(ceiling);
      expect(backoffDelay(attempt, t, 0.999999)).toBeGreaterThanOrEqual(ceiling * 0.999);
    }
    expect(backoffDelay(100, t, 0.5)).toBe(150_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 2, 10, 8);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('builds the socket URL from the console URL', () => {
    expect(agentSocketUrl('https://sluimer.example.nl/')).toBe('wss://sluimer.example.nl/api/v1/agent');
    expect(agentSocketUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/api/v1/agent');
  });
});

describe('console link', () => {
  it('authenticates with the bearer token, says hello first and sends reports in seq order', async () => {
    const { c, outbox, link, token } = await setup();
    for (let k = 0; k < 3; k++) outbox.enqueue({ intervals: [iv(k)] });
    link.start();
    await c.waitFor(() => c.reports().length === 3 && outbox.stats().rows === 0);
    expect(c.upgrades[0]!.auth).toBe(`Bearer ${token}`);
    expect(c.frames[0]!.frame.type).toBe('hello');
    expect(c.reports().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(c.invalidFrames).toEqual([]);
  });

  it('drops what welcome.ackedSeq covers and resends the rest after a reconnect', async () => {
    const { c, outbox, link } = await setup({ autoAck: false });
    for (let k = 0; k < 4; k++) outbox.enqueue({ intervals: [iv(k)] });
    outbox.applyWelcome(7, 0);
    c.ackedSeq = 2; // the console already stored 1 and 2
    link.start();
    await c.waitFor(() => c.reports().length === 2);
    expect(c.reports().map((r) => r.seq)).toEqual([3, 4]);
    // ack 3 only, then the socket dies: 4 comes again on the next connection
    c.ack(c.socket!, 3);
    await new Promise((r) => setTimeout(r, 50));
    c.socket!.terminate();
    await c.waitFor(() => c.reports().filter((r) => r.conn === 1).length === 1);
    expect(
      c
        .reports()
        .filter((r) => r.conn === 1)
        .map((r) => r.seq),
    ).toEqual([4]);
    expect(outbox.pending(10).map((r) => r.seq)).toEqual([4]);
  });

  it('sends no ping in a period in which the console acked a report, and pings when it was silent', async () => {
    const { c, outbox, link } = await setup({}, { timings: { ...fast, pingIntervalMs: 200 } });
    link.start();
    await c.waitFor(() => c.frames.some((f) => f.frame.type === 'hello'));
    // a report (and its ack) every 40 ms: every period has heard from the console
    let k = 0;
    const reporting = setInterval(() => {
      outbox.enqueue({ intervals: [iv(k++ % 50)] });
      link.pump();
    }, 40);
    await new Promise((r) => setTimeout(r, 900));
    clearInterval(reporting);
    expect(c.reports().length).toBeGreaterThan(10);
    expect(c.pings).toBe(0);
    // nothing to report: the link asks the console itself
    await c.waitFor(() => c.pings >= 2, 3_000);
    expect(c.upgrades.length).toBe(1);
  });

  it('drops a socket whose console neither sends frames nor answers pings, and connects again', async () => {
    const { c, link } = await setup({ autoPong: false }, { timings: { ...fast, pingIntervalMs: 100 } });
    link.start();
    await c.waitFor(() => c.frames.some((f) => f.frame.type === 'hello'));
    await c.waitFor(() => c.upgrades.length >= 2, 5_000);
    expect(c.pings).toBeGreaterThanOrEqual(1);
  });

  it('keeps at most `window` reports in flight', async () => {
    const { c, outbox, link } = await setup({ autoAck: false }, { timings: { ...fast, window: 2 } });
    for (let k = 0; k < 5; k++) outbox.enqueue({ intervals: [iv(k)] });
    link.start();
    await c.waitFor(() => c.reports().length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.reports().length).toBe(2);
    c.ack(c.socket!, 1);
    await c.waitFor(() => c.reports().length === 3);
    expect(c.reports().map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('drops a report the console rejects and counts it in the next report', async () => {
    const { c, outbox, link } = await setup({ autoAck: false });
    outbox.enqueue({ intervals: [iv(0), iv(1)] });
    link.start();
    await c.waitFor(() => c.reports().length === 1);
    c.send(c.socket!, { type: 'error', code: 'interval_overlap', message: 'overlap', seq: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(outbox.stats().rows).toBe(0);
    outbox.enqueue({ intervals: [iv(2)] });
    link.pump();
    await c.waitFor(() => c.reports().length === 2);
    expect(c.reports()[1]!.frame.counters).toEqual({ droppedReports: 1, droppedIntervals: 2 });
    expect(link.stats.rejected).toBe(1);
  });

  it('backs off with full jitter, capped, and resets after a welcome', async () => {
    let n = 0;
    const { c, link } = await setup(
      { upgrade: (_req, i) => (i < 6 ? { status: 500 } : 'accept') },
      { random: () => 0.999 },
    );
    link.start();
    await c.waitFor(() => c.frames.some((f) => f.frame.type === 'hello'), 5_000);
    n = c.upgrades.length;
    expect(n).toBe(7);
    // initial delay, then ceilings 10, 20, 40, 80 (cap), 80 (cap)
    expect(link.delays.slice(0, 7)).toEqual([4, 9, 19, 39, 79, 79, 79]);
    await c.waitFor(() => link.state === 'ready');
    c.socket!.terminate();
    await c.waitFor(() => c.upgrades.length === n + 1);
    expect(link.delays[link.delays.length - 1]).toBe(9); // attempt counter was reset by the welcome
  });

  it('honours 503 with Retry-After at the upgrade', async () => {
    const { c, link } = await setup({
      upgrade: (_req, i) => (i === 0 ? { status: 503, retryAfterSec: 1 } : 'accept'),
    });
    link.start();
    await c.waitFor(() => c.upgrades.length === 2, 5_000);
    const gap = c.upgrades[1]!.at - c.upgrades[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(link.delays[1]).toBeGreaterThanOrEqual(1_000);
    expect(link.delays[1]).toBeLessThan(1_000 + fast.backoffBaseMs);
  });

  it('asks what to do on 401 and stops when told to', async () => {
    let asked = 0;
    const c = new FakeConsole();
    await c.listen();
    const outbox = Outbox.open(':memory:');
    const link = new ConsoleLink({
      serverUrl: c.url,
      token: () => 'not-a-token',
      outbox,
      hello: async () => ({ type: 'hello', protocol: 1, agentVersion: 'test' }),
      onUnauthorized: async () => {
        asked++;
        return 'stop';
      },
      timings: fast,
    });
    cleanups.push(
      () => c.close(),
      () => link.stop(),
      () => outbox.close(),
    );
    link.start();
    await c.waitFor(() => c.upgrades.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.upgrades[0]!.status).toBe(401);
    expect(asked).toBe(1);
    expect(link.state).toBe('stopped');
    expect(c.upgrades.length).toBe(1);
  });

  it('retries with a fresh token when the 401 handler fixed it', async () => {
    const c = new FakeConsole();
    await c.listen();
    let token = 'old';
    const outbox = Outbox.open(':memory:');
    const link = new ConsoleLink({
      serverUrl: c.url,
      token: () => token,
      outbox,
      hello: async () => ({ type: 'hello', protocol: 1, agentVersion: 'test' }),
      onUnauthorized: async () => {
        token = c.addToken(3);
        return 'retry';
      },
      timings: fast,
    });
    cleanups.push(
      () => c.close(),
      () => link.stop(),
      () => outbox.close(),
    );
    link.start();
    await c.waitFor(() => link.state === 'ready');
    expect(c.upgrades.map((u) => u.status)).toEqual([401, 101]);
  });
});

describe('protocol extension: summary', () => {
  it('hands a summary frame to onSummary, ignores a malformed one, and keeps reporting', async () => {
    const got: SummaryFrame[] = [];
    const { c, outbox, link } = await setup({}, { onSummary: (f) => got.push(f) });
    link.start();
    await c.waitFor(() => link.state === 'ready');
    const ws = c.socket!;
    const frame: SummaryFrame = {
      type: 'summary',
      at: Date.now(),
      weekStart: '2026-11-23',
      groups: [
        {
          scope: 'room',
          label: 'Lokaal 2.14',
          thisWeek: { idleOnHours: 20, wasteKwh: 1.1, wasteEur: 0.28 },
          lastWeek: { idleOnHours: 50, wasteKwh: 4.3, wasteEur: 1.08 },
        },
      ],
    };
    ws.send(JSON.stringify({ ...frame, groups: [{ ...frame.groups[0], scope: 'school' }] }));
    ws.send(JSON.stringify(frame));
    await c.waitFor(() => got.length === 1);
    expect(got[0]).toEqual(frame);
    outbox.enqueue({ intervals: [iv(0)] });
    link.pump();
    await c.waitFor(() => c.reports().length === 1 && outbox.stats().rows === 0);
    expect(got).toHaveLength(1);
  });
});
