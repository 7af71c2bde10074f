import { HOUR_MS, LIMITS, MINUTE_MS, STRICT_INTERVALS_FEATURE } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/sqlite.js';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

// Limits against abuse on the agent socket (docs/security.md): report numbers, interval length,
// joining touching intervals, and no more stored time than has passed. Real console, real sockets.

let t: TestConsole;
let secret: string;

beforeAll(async () => {
  t = await startTestConsole();
  ({ secret } = await t.groupWithSecret());
});
afterAll(async () => {
  await t.close();
});

const db = () => (t.c.store as SqliteStore).db;
const rows = (deviceId: number) =>
  db()
    .prepare('SELECT start, "end", state, display FROM intervals WHERE device_id = ? ORDER BY start')
    .all(deviceId) as { start: number; end: number; state: string; display: string | null }[];
const maxSeq = (deviceId: number) =>
  Number(
    (db().prepare('SELECT max_seq FROM devices WHERE id = ?').get(deviceId) as { max_seq: number }).max_seq,
  );
const rollupMs = (deviceId: number) =>
  Number(
    (
      db()
        .prepare(
          'SELECT COALESCE(SUM(active_ms + idle_on_ms + idle_off_ms + asleep_ms + off_ms), 0) AS ms FROM rollup_hour WHERE device_id = ?',
        )
        .get(deviceId) as { ms: number }
    ).ms,
  );

const base = Math.floor((Date.now() - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const iv = (startMin: number, endMin: number, state: 'active' | 'idle' | 'asleep' | 'off' = 'idle') => ({
  start: base + startMin * MINUTE_MS,
  end: base + endMin * MINUTE_MS,
  state,
});

async function connected(hello: Record<string, unknown> = {}) {
  const dev = await t.enroll(secret);
  const { agent, welcome } = await TestAgent.hello(t.url, dev.deviceToken, hello);
  return { ...dev, agent, welcome };
}

describe('report numbers', () => {
  it('refuses seq 9007199254740991 with seq_out_of_range, stores nothing, and the device keeps reporting', async () => {
    const { agent, deviceId, deviceToken } = await connected();
    expect(await agent.report(1, [iv(0, 10)])).toEqual({ type: 'ack', seq: 1 });
    const refused = await agent.report(Number.MAX_SAFE_INTEGER, [iv(10, 20)]);
    expect(refused).toMatchObject({ type: 'error', code: 'seq_out_of_range', seq: Number.MAX_SAFE_INTEGER });
    expect(maxSeq(deviceId)).toBe(1);
    expect(rows(deviceId)).toHaveLength(1);
    // the next sane report is stored as usual, and a new connection is welcomed with the sane seq
    expect(await agent.report(2, [iv(10, 20, 'active')])).toEqual({ type: 'ack', seq: 2 });
    agent.close();
    const again = await TestAgent.hello(t.url, deviceToken);
    expect(again.welcome).toMatchObject({ type: 'welcome', ackedSeq: 2 });
    expect(await again.agent.report(3, [iv(20, 30)])).toEqual({ type: 'ack', seq: 3 });
    again.agent.close();
  });

  it('accepts a seq up to 1,000,000 above the stored one, also for the first report, and refuses one more', async () => {
    const { agent, deviceId } = await connected();
    // first report: the stored seq counts as 0
    const first = await agent.report(LIMITS.maxSeqJump + 1, [iv(0, 1)]);
    expect(first).toMatchObject({ type: 'error', code: 'seq_out_of_range', seq: 1_000_001 });
    expect(first.type === 'error' && first.message).toContain('at most 1000000');
    expect(await agent.report(LIMITS.maxSeqJump, [iv(0, 1)])).toEqual({ type: 'ack', seq: 1_000_000 });
    expect(await agent.report(2_000_001, [iv(1, 2, 'active')])).toMatchObject({
      code: 'seq_out_of_range',
      seq: 2_000_001,
    });
    expect(await agent.report(2_000_000, [iv(1, 2, 'active')])).toEqual({ type: 'ack', seq: 2_000_000 });
    expect(maxSeq(deviceId)).toBe(2_000_000);
    // a seq below the stored one is still a duplicate: acked again, nothing stored
    expect(await agent.report(5, [iv(50, 60)])).toEqual({ type: 'ack', seq: 5 });
    expect(rows(deviceId)).toHaveLength(2);
    agent.close();
  });

  it('never accepts a seq above 2^31 − 1, however close the stored one is', async () => {
    const { agent, deviceId } = await connected();
    db()
      .prepare('UPDATE devices SET max_seq = ? WHERE id = ?')
      .run(LIMITS.maxSeq - 10, deviceId);
    expect(await agent.report(LIMITS.maxSeq + 1, [iv(0, 1)])).toMatchObject({
      code: 'seq_out_of_range',
      seq: 2 ** 31,
    });
    expect(maxSeq(deviceId)).toBe(LIMITS.maxSeq - 10);
    expect(await agent.report(LIMITS.maxSeq, [iv(0, 1)])).toEqual({ type: 'ack', seq: 2 ** 31 - 1 });
    agent.close();
  });
});

describe('interval limits', () => {
  it('refuses intervals shorter than 1 s with interval_too_short from an agent that promised whole seconds', async () => {
    const { agent, deviceId } = await connected({ features: [STRICT_INTERVALS_FEATURE] });
    const oneMs = Array.from({ length: 500 }, (_, i) => ({
      start: base + i,
      end: base + i + 1,
      state: i % 2 ? 'active' : 'idle',
    }));
    expect(await agent.report(1, oneMs as never)).toMatchObject({
      type: 'error',
      code: 'interval_too_short',
      seq: 1,
    });
    const almost = [
      iv(0, 10),
      { start: base + 10 * MINUTE_MS, end: base + 10 * MINUTE_MS + 999, state: 'active' },
    ];
    expect(await agent.report(2, almost as never)).toMatchObject({ code: 'interval_too_short', seq: 2 });
    expect(rows(deviceId)).toEqual([]);
    expect(maxSeq(deviceId)).toBe(0);
    const second = [
      iv(0, 10),
      { start: base + 10 * MINUTE_MS, end: base + 10 * MINUTE_MS + 1000, state: 'active' },
    ];
    expect(await agent.report(3, second as never)).toEqual({ type: 'ack', seq: 3 });
    expect(rows(deviceId)).toHaveLength(2);
    agent.close();
  });

  it('absorbs sub-second pieces of an older agent into a neighbour: no report lost, no time lost, rows bounded', async () => {
    const { agent, deviceId } = await connected();
    // a hostile flood: 1,000 one-millisecond intervals of alternating states
    const flood = Array.from({ length: 1000 }, (_, i) => ({
      start: base + i,
      end: base + i + 1,
      state: i % 2 ? 'active' : 'idle',
    }));
    expect(await agent.report(1, flood as never)).toEqual({ type: 'ack', seq: 1 });
    // one row: the pieces are carried forward until they add up to a second (the state of the last)
    expect(rows(deviceId)).toEqual([{ start: base, end: base + 1000, state: 'active', display: null }]);
    // an honest cut: 400 ms of activity between a report cut and going to sleep, then a 300 ms piece
    const t0 = base + MINUTE_MS;
    const honest = [
      { start: t0, end: t0 + 400, state: 'active' },
      { start: t0 + 400, end: t0 + 60_000, state: 'asleep' },
      { start: t0 + 60_000, end: t0 + 60_300, state: 'active' },
    ];
    expect(await agent.report(2, honest as never)).toEqual({ type: 'ack', seq: 2 });
    expect(rows(deviceId).slice(1)).toEqual([
      { start: t0, end: t0 + 60_300, state: 'asleep', display: null },
    ]);
    // every reported millisecond is counted once
    expect(rollupMs(deviceId)).toBe(1000 + 60_300);
    agent.close();
  });

  it('joins touching intervals of the same kind within a report and with the stored one they continue', async () => {
    const { agent, deviceId } = await connected();
    const withDisplay = { ...iv(3, 4), display: 'off' };
    expect(await agent.report(1, [iv(1, 2), iv(0, 1), iv(2, 3), withDisplay as never])).toEqual({
      type: 'ack',
      seq: 1,
    });
    expect(rows(deviceId)).toEqual([
      { start: base, end: base + 3 * MINUTE_MS, state: 'idle', display: null },
      { start: base + 3 * MINUTE_MS, end: base + 4 * MINUTE_MS, state: 'idle', display: 'off' },
    ]);
    const next = [{ ...iv(4, 6), display: 'off' }, iv(6, 7, 'active')];
    expect(await agent.report(2, next as never)).toEqual({ type: 'ack', seq: 2 });
    expect(rows(deviceId)).toEqual([
      { start: base, end: base + 3 * MINUTE_MS, state: 'idle', display: null },
      { start: base + 3 * MINUTE_MS, end: base + 6 * MINUTE_MS, state: 'idle', display: 'off' },
      { start: base + 6 * MINUTE_MS, end: base + 7 * MINUTE_MS, state: 'active', display: null },
    ]);
    // the rollups count every reported minute once
    expect(rollupMs(deviceId)).toBe(7 * MINUTE_MS);

    // a resend of an acked report is still a duplicate: acked again, nothing changes
    expect(await agent.report(2, next as never)).toEqual({ type: 'ack', seq: 2 });
    // the same time under a new seq overlaps the joined interval and is refused
    expect(await agent.report(3, [{ ...iv(5, 6), display: 'off' } as never])).toMatchObject({
      code: 'interval_overlap',
      seq: 3,
    });
    expect(rows(deviceId)).toHaveLength(3);
    expect(rollupMs(deviceId)).toBe(7 * MINUTE_MS);
    expect(maxSeq(deviceId)).toBe(2);
    agent.close();
  });

  it('stores no more time for a device than has passed: future and overlapping intervals are refused', async () => {
    const { agent, deviceId } = await connected();
    const now = Date.now();
    const future = { start: now, end: now + LIMITS.maxFutureSkewMs + 60_000, state: 'active' };
    expect(await agent.report(1, [future as never])).toMatchObject({ code: 'interval_in_future', seq: 1 });
    // an hour of history, then the same hour again in every way a hostile device might try
    expect(await agent.report(2, [iv(0, 60, 'active')])).toEqual({ type: 'ack', seq: 2 });
    const attempts = [
      [iv(0, 60, 'idle')],
      [iv(30, 90, 'active')],
      [iv(-30, 1, 'asleep')],
      [iv(60, 70), iv(65, 75)],
    ];
    let seq = 3;
    for (const intervals of attempts) {
      const r = await agent.report(seq, intervals);
      expect(r).toMatchObject({ type: 'error', code: 'interval_overlap', seq });
      seq++;
    }
    const stored = rows(deviceId);
    const total = stored.reduce((n, r) => n + (r.end - r.start), 0);
    expect(total).toBe(60 * MINUTE_MS);
    expect(rollupMs(deviceId)).toBe(60 * MINUTE_MS);
    agent.close();
  });
});
