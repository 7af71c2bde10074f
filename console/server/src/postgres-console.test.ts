import { HOUR_MS, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from './store/postgres.js';
import { describeWithPostgres, type PostgresServer, startPostgres } from './store/testing/postgres-server.js';
import { startTestConsole, TestAgent, type TestConsole } from './test-support.js';

/** an hour-aligned moment a day ago, so intervals are recent and never in the future */
const base = Math.floor((Date.now() - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const iv = (startMin: number, endMin: number, state: 'active' | 'idle' = 'idle') => ({
  start: base + startMin * MINUTE_MS,
  end: base + endMin * MINUTE_MS,
  state,
  display: 'on' as const,
});

// the whole console (HTTP API, agent gateway, ingest) on PostgreSQL, selected by its URL
describeWithPostgres('a console on PostgreSQL', () => {
  let server: PostgresServer;
  let t: TestConsole;
  let url: string;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    t = await startTestConsole({ databaseUrl: url });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  }, 60_000);

  it('runs on the database the URL names', () => {
    expect(t.c.store).toBeInstanceOf(PostgresStore);
  });

  it('enrolls devices, stores their reports once, re-acks duplicates and gives exact usage totals', async () => {
    const { groupId, secret } = await t.groupWithSecret('De Linde');
    const devices = [await t.enroll(secret), await t.enroll(secret)];
    const agents = [];
    for (const d of devices) agents.push((await TestAgent.hello(t.url, d.deviceToken)).agent);
    const [a, b] = agents as [TestAgent, TestAgent];
    expect(await a.report(1, [iv(0, 30, 'active'), iv(30, 90)])).toEqual({ type: 'ack', seq: 1 });
    expect(await b.report(1, [iv(0, 60, 'active')])).toEqual({ type: 'ack', seq: 1 });
    // a resent report is acked again and stored once; the next one continues the stored interval
    expect(await a.report(1, [iv(0, 30, 'active'), iv(30, 90)])).toEqual({ type: 'ack', seq: 1 });
    expect(await a.report(2, [iv(90, 120)])).toEqual({ type: 'ack', seq: 2 });
    // an overlap with what is stored is refused and changes nothing
    expect(await b.report(2, [iv(30, 70, 'active')])).toMatchObject({
      type: 'error',
      code: 'interval_overlap',
      seq: 2,
    });

    const r = await t.api(
      'GET',
      `/api/v1/usage?from=${base}&to=${base + 3 * HOUR_MS}&groupBy=group&groupId=${groupId}`,
      {
        token: t.adminToken,
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.rows).toHaveLength(1);
    expect(r.body.rows[0]).toMatchObject({ key: String(groupId), activeSec: 90 * 60, idleSec: 90 * 60 });

    // a reconnecting agent learns what is stored
    a.close();
    const again = await TestAgent.hello(t.url, devices[0]!.deviceToken);
    expect(again.welcome).toMatchObject({ type: 'welcome', ackedSeq: 2 });
    again.agent.close();
    b.close();

    // what the database holds, read by a second store on the same database (another process would)
    const other = await PostgresStore.open({ url });
    try {
      const ids = devices.map((d) => d.deviceId);
      const sums = await other.sumRollupsByDevice('hour', base, base + 3 * HOUR_MS, ids);
      expect(sums.map((s) => [s.key, s.activeMs, s.idleOnMs])).toEqual([
        [ids[0], 30 * MINUTE_MS, 90 * MINUTE_MS],
        [ids[1], 60 * MINUTE_MS, 0],
      ]);
      const timeline = await other.timelinePage(ids[0]!, base, base + 3 * HOUR_MS, 10);
      expect(timeline.intervals.map((i) => [i.start, i.end, i.state])).toEqual([
        [base, base + 30 * MINUTE_MS, 'active'],
        [base + 30 * MINUTE_MS, base + 120 * MINUTE_MS, 'idle'],
      ]);
      expect(await other.sumBoardHours(base, base + 3 * HOUR_MS)).toEqual(
        await other.sumRollupsByBucket('hour', base, base + 3 * HOUR_MS, ids),
      );
    } finally {
      await other.close();
    }
  });
});
