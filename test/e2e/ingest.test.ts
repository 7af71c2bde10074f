import { DAY_MS, HOUR_MS } from '@sluimer/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWithPostgres } from '../../console/server/src/store/testing/postgres-server.js';
import {
  type ConsoleFixture,
  createGroupWithSecret,
  enrolledAgent,
  expectedTotals,
  historyWindow,
  ms,
  scriptedTimeline,
  streamReports,
  successorOf,
  usageByDevice,
  useConsoles,
  waitFor,
} from './helpers.js';

/**
 * Exactly-once ingest across the real console process: scripted timelines from the behaviour model
 * go in over real sockets; /api/v1/usage must give back exactly those seconds per state — after
 * duplicates, after re-sends and after the console is killed with SIGKILL in the middle of a stream.
 */

const span = historyWindow(3);
const { from, qFrom, qTo } = span;
const timelineOf = (i: number, size = 40) => scriptedTimeline(i, { key: 'e2e', prefix: 'E2E' }, span, size);

/** the suite on SQLite, or on a fresh database of a private PostgreSQL server */
const exactlyOnce = (name: string, postgres: boolean) =>
  describe(name, () => {
    const consoles = useConsoles({ postgres });
    let c: ConsoleFixture;
    beforeAll(() => {
      c = consoles[0]!;
    });

    it('stores reported intervals and gives back exactly the scripted seconds per state', async () => {
      const { groupId, secret } = await createGroupWithSecret(c.api, 'Exact');
      const devices = await Promise.all(
        [1, 2, 3].map(async (i) => ({ ...(await enrolledAgent(c.proc.url, secret)), ...timelineOf(i) })),
      );
      for (const d of devices) {
        const acks = await Promise.all(d.batches.map((b) => d.agent.report(b)));
        expect(acks.map((a) => a.seq)).toEqual(d.batches.map((_, k) => k + 1));
      }
      const usage = await usageByDevice(c.api, qFrom, qTo, groupId);
      for (const d of devices) {
        expect(d.intervals.length).toBeGreaterThan(20);
        expect(ms(usage.get(d.deviceId))).toEqual(ms(expectedTotals(d.intervals)));
      }
      // clipping: a window inside the timeline
      const mid = from + DAY_MS + 7 * HOUR_MS + 123_000;
      const clipped = await usageByDevice(c.api, mid, mid + 9 * HOUR_MS, groupId);
      for (const d of devices)
        expect(ms(clipped.get(d.deviceId))).toEqual(ms(expectedTotals(d.intervals, mid, mid + 9 * HOUR_MS)));
      await Promise.all(devices.map((d) => d.agent.close()));
    });

    it('acknowledges a duplicate report again with its own seq and does not count it twice', async () => {
      const { groupId, secret } = await createGroupWithSecret(c.api, 'Duplicates');
      const d = { ...(await enrolledAgent(c.proc.url, secret)), ...timelineOf(4, 10) };
      expect(d.batches.length).toBeGreaterThan(2);
      const [first, second, ...rest] = d.batches;
      const frame1 = JSON.stringify({ type: 'report', seq: 1, intervals: first });
      const frame2 = JSON.stringify({ type: 'report', seq: 2, intervals: second });
      await d.agent.sendReport(1, frame1);
      await d.agent.sendReport(2, frame2);
      // the same report again, and an older seq with different content: both acked, neither stored
      const again = await d.agent.sendReport(2, frame2);
      expect(again.seq).toBe(2);
      const older = await d.agent.sendReport(
        1,
        JSON.stringify({ type: 'report', seq: 1, intervals: rest[0] }),
      );
      expect(older.seq).toBe(1);
      const usage = await usageByDevice(c.api, qFrom, qTo, groupId);
      expect(ms(usage.get(d.deviceId))).toEqual(ms(expectedTotals([...(first ?? []), ...(second ?? [])])));
      const detail = await c.api.get<{ maxSeq: number }>(`/api/v1/devices/${d.deviceId}`);
      expect(detail.maxSeq).toBe(2);
      await d.agent.close();
    });

    it('after a reconnect the agent drops what welcome.ackedSeq covers and re-sends the rest', async () => {
      const { groupId, secret } = await createGroupWithSecret(c.api, 'Resend');
      const d = { ...(await enrolledAgent(c.proc.url, secret)), ...timelineOf(5, 25) };
      const half = Math.floor(d.batches.length / 2);
      await Promise.all(d.batches.slice(0, half).map((b) => d.agent.report(b)));
      // the socket dies; the next reports wait in the agent, unsent
      d.agent.kill();
      const later = d.batches.slice(half).map((b) => d.agent.report(b));
      // a fresh connection with the same token takes the pending reports over, like a restarted agent
      const again = successorOf(d.agent);
      const welcome = await again.connect();
      expect(welcome.ackedSeq).toBe(half);
      await Promise.all(later);
      const usage = await usageByDevice(c.api, qFrom, qTo, groupId);
      expect(ms(usage.get(d.deviceId))).toEqual(ms(expectedTotals(d.intervals)));
      await again.close();
    });

    it('loses nothing and counts nothing twice when the console is killed with SIGKILL mid-stream', async () => {
      const { groupId, secret } = await createGroupWithSecret(c.api, 'Crash');
      const devices = await Promise.all(
        [6, 7, 8, 9, 10, 11].map(async (i) => ({
          ...(await enrolledAgent(c.proc.url, secret, { reconnect: true })),
          ...timelineOf(i, 1),
        })),
      );
      // every device streams one interval per report, one report every 15 ms, without waiting for acks
      const stream = streamReports(devices);
      await waitFor('some acks before the crash', () => stream.acked() > 20 || undefined, 20_000, 2);
      const ackedBeforeKill = stream.acked();
      await c.proc.kill();
      expect(ackedBeforeKill).toBeLessThan(stream.total);
      await c.restart();
      // agents reconnect by themselves, learn ackedSeq and re-send the rest
      const outcomes = await stream.allAcked();
      expect(outcomes).toHaveLength(stream.total);
      for (const d of devices) expect(d.agent.reconnects).toBeGreaterThanOrEqual(1);
      const usage = await usageByDevice(c.api, qFrom, qTo, groupId);
      for (const d of devices) expect(ms(usage.get(d.deviceId))).toEqual(ms(expectedTotals(d.intervals)));
      for (const d of devices) {
        const detail = await c.api.get<{ maxSeq: number }>(`/api/v1/devices/${d.deviceId}`);
        expect(detail.maxSeq).toBe(d.batches.length);
      }
      await Promise.all(devices.map((d) => d.agent.close()));
    });
  });

exactlyOnce('exactly-once ingest through the built console', false);

// the same on PostgreSQL: a private server, a fresh database for the suite
describeWithPostgres('on PostgreSQL', () => {
  exactlyOnce('exactly-once ingest through the built console on PostgreSQL', true);
});
