import { ErrorCode, HOUR_MS, type Interval, LIMITS, MINUTE_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite.js';
import type { IngestWrite, Store } from '../store/types.js';
import { IngestService } from './service.js';
import type { IngestContext } from './types.js';

const T0 = Date.UTC(2026, 2, 2, 8);
const CTX: IngestContext = { now: T0 + 2 * HOUR_MS, maxEnd: T0 + 2 * HOUR_MS, minStart: T0 - HOUR_MS };
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup() {
  const store = new SqliteStore({ dataDir: ':memory:' });
  stores.push(store);
  const g = await store.createGroup({
    name: 'School',
    parentId: null,
    kind: 'school',
    timeZone: null,
    excludedReason: null,
    now: T0,
  });
  const enroll = async (installId: string) =>
    (
      await store.enrollDevice({
        installId,
        tokenHash: `t-${installId}`,
        groupId: g.id,
        hostname: installId,
        inventory: {},
        detectedClass: 'laptop',
        now: T0,
      })
    ).deviceId;
  return {
    store,
    groupId: g.id,
    a: await enroll('a'),
    b: await enroll('b'),
    ingest: new IngestService(store),
  };
}

const active = (fromMin: number, toMin: number): Interval => ({
  start: T0 + fromMin * MINUTE_MS,
  end: T0 + toMin * MINUTE_MS,
  state: 'active',
});

describe('the ingest service', () => {
  it('stores a report once: a resent seq is a duplicate and adds nothing to the rollups', async () => {
    const { store, ingest, a, groupId } = await setup();
    const report = { deviceId: a, seq: 1, intervals: [active(0, 10)] };
    expect(await ingest.ingestBatch([report], CTX)).toEqual([{ status: 'stored', seq: 1 }]);
    expect(await ingest.ingestBatch([report, { ...report, intervals: [active(30, 40)] }], CTX)).toEqual([
      { status: 'duplicate', seq: 1 },
      { status: 'duplicate', seq: 1 },
    ]);
    expect(await store.sumFleetByBucket('hour', T0, T0 + HOUR_MS, [groupId])).toMatchObject([
      { activeMs: 10 * MINUTE_MS },
    ]);
    expect(await store.sumBoardHours(T0, T0 + HOUR_MS)).toMatchObject([{ activeMs: 10 * MINUTE_MS }]);
  });

  it('sees earlier reports of the same batch: joins, duplicates and overlaps within one commit', async () => {
    const { store, ingest, a } = await setup();
    const out = await ingest.ingestBatch(
      [
        { deviceId: a, seq: 1, intervals: [active(0, 10)] },
        { deviceId: a, seq: 2, intervals: [active(10, 20)] },
        { deviceId: a, seq: 2, intervals: [active(20, 30)] },
        { deviceId: a, seq: 3, intervals: [active(15, 25)] },
        { deviceId: a, seq: 3, intervals: [active(20, 25)] },
      ],
      CTX,
    );
    expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'duplicate', 'rejected', 'stored']);
    expect(out[3]).toMatchObject({ code: ErrorCode.IntervalOverlap });
    // the touching active intervals became one row; the rollups count each report's own time
    expect(await store.recentIntervals(a, 10)).toEqual([{ deviceId: a, ...active(0, 25) }]);
    expect(await store.sumRollupsByDevice('hour', T0, T0 + HOUR_MS, [a])).toMatchObject([
      { activeMs: 25 * MINUTE_MS },
    ]);
    expect(await store.getDevice(a)).toMatchObject({ maxSeq: 3, maxEnd: active(0, 25).end });
  });

  it('continues the stored interval a later batch touches and refuses one reaching back over stored time', async () => {
    const { store, ingest, a } = await setup();
    await ingest.ingestBatch([{ deviceId: a, seq: 1, intervals: [active(0, 10)] }], CTX);
    expect(await ingest.ingestBatch([{ deviceId: a, seq: 2, intervals: [active(10, 20)] }], CTX)).toEqual([
      { status: 'stored', seq: 2 },
    ]);
    expect(await store.recentIntervals(a, 10)).toEqual([{ deviceId: a, ...active(0, 20) }]);
    const [late] = await ingest.ingestBatch(
      [{ deviceId: a, seq: 3, intervals: [active(5, 6), active(40, 50)] }],
      CTX,
    );
    expect(late).toMatchObject({ status: 'rejected', code: ErrorCode.IntervalOverlap });
    // before the stored time and not overlapping it: stored
    await ingest.ingestBatch([{ deviceId: a, seq: 3, intervals: [active(-30, -20)] }], CTX);
    expect((await store.recentIntervals(a, 10)).map((i) => i.start)).toEqual([T0, active(-30, -20).start]);
  });

  it('refuses seq jumps and intervals outside the console’s window, and stores nothing of them', async () => {
    const { store, ingest, a } = await setup();
    const out = await ingest.ingestBatch(
      [
        { deviceId: a, seq: LIMITS.maxSeqJump + 1, intervals: [active(0, 1)] },
        { deviceId: a, seq: 1, intervals: [active(0, 1), active(200, 300)] },
        { deviceId: a, seq: 1, intervals: [active(-120, -100)] },
        { deviceId: a, seq: 1, intervals: [{ ...active(0, 1), end: T0 + 500 }], strictIntervals: true },
      ],
      CTX,
    );
    expect(out.map((o) => (o.status === 'rejected' ? o.code : o.status))).toEqual([
      ErrorCode.SeqOutOfRange,
      ErrorCode.IntervalInFuture,
      ErrorCode.IntervalTooOld,
      ErrorCode.IntervalTooShort,
    ]);
    expect(await store.getDevice(a)).toMatchObject({ maxSeq: 0, maxEnd: 0 });
    expect(await store.recentIntervals(a, 10)).toEqual([]);
  });

  it('adds counters to the stored ones and answers a deleted device with failed, never an ack', async () => {
    const { store, ingest, a } = await setup();
    const nudge = { sleep: { shown: 1, dismissed: 1, snoozed: 0 } };
    await ingest.ingestBatch(
      [{ deviceId: a, seq: 1, intervals: [], counters: { droppedReports: 1, nudges: nudge } }],
      CTX,
    );
    await ingest.ingestBatch(
      [{ deviceId: a, seq: 2, intervals: [], counters: { droppedReports: 2, nudges: nudge } }],
      CTX,
    );
    expect((await store.getDevice(a))?.counters).toEqual({
      droppedReports: 3,
      nudges: { sleep: { shown: 2, dismissed: 2, snoozed: 0 } },
    });
    expect(
      await ingest.ingestBatch([{ deviceId: 99_999, seq: 1, intervals: [active(0, 1)] }], CTX),
    ).toMatchObject([{ status: 'failed', seq: 1 }]);
  });

  it('plans again when another writer stored the same device between reading and committing', async () => {
    const { store, ingest: other, a, b } = await setup();
    let raced = false;
    // a store that lets a second console process commit seq 1 right after this one read the state
    const racing: Store = Object.create(store, {
      ingestState: {
        value: async (ids: readonly number[]) => {
          const state = await store.ingestState(ids);
          if (!raced) {
            raced = true;
            await other.ingestBatch([{ deviceId: a, seq: 1, intervals: [active(0, 10)] }], CTX);
          }
          return state;
        },
      },
    });
    const out = await new IngestService(racing).ingestBatch(
      [
        { deviceId: a, seq: 1, intervals: [active(0, 10)] },
        { deviceId: a, seq: 2, intervals: [active(10, 20)] },
        { deviceId: b, seq: 1, intervals: [active(0, 5)] },
      ],
      CTX,
    );
    expect(out.map((o) => o.status)).toEqual(['duplicate', 'stored', 'stored']);
    expect(await store.sumRollupsByDevice('hour', T0, T0 + HOUR_MS, [a, b])).toMatchObject([
      { key: a, activeMs: 20 * MINUTE_MS },
      { key: b, activeMs: 5 * MINUTE_MS },
    ]);
  });

  it('stores the other reports when one breaks the batch, and leaves that one unacknowledged', async () => {
    const { store, a, b } = await setup();
    // a store whose engine fails writing device a's rows (say, a damaged page)
    const broken: Store = Object.create(store, {
      commitIngest: {
        value: async (w: IngestWrite) => {
          if (w.devices.some((d) => d.deviceId === a)) throw new Error('disk I/O error');
          return store.commitIngest(w);
        },
      },
    });
    const out = await new IngestService(broken).ingestBatch(
      [
        { deviceId: a, seq: 1, intervals: [active(0, 10)] },
        { deviceId: b, seq: 1, intervals: [active(0, 10)] },
      ],
      CTX,
      [{ kind: 'policySent', deviceId: b, etag: 'e1' }],
    );
    expect(out).toEqual([
      { status: 'failed', seq: 1, message: 'storing failed: disk I/O error' },
      { status: 'stored', seq: 1 },
    ]);
    expect(await store.getDevice(b)).toMatchObject({ maxSeq: 1, policyEtagSent: 'e1' });
    expect(await store.getDevice(a)).toMatchObject({ maxSeq: 0 });
  });

  it('opens, ends and opens again blocker spans across the reports of one batch, and a duplicate moves none', async () => {
    const { store, ingest, a } = await setup();
    const idle = (fromMin: number, toMin: number): Interval => ({
      start: T0 + fromMin * MINUTE_MS,
      end: T0 + toMin * MINUTE_MS,
      state: 'idle',
      display: 'on',
    });
    const vlc = { name: 'vlc.exe', kind: 'process' as const };
    const reports = [
      { deviceId: a, seq: 1, intervals: [active(0, 5), idle(5, 10)], blockers: [vlc] },
      { deviceId: a, seq: 2, intervals: [idle(10, 20)] },
      { deviceId: a, seq: 3, intervals: [active(20, 25), idle(25, 30)], blockers: [vlc] },
    ];
    expect((await ingest.ingestBatch(reports, CTX)).map((o) => o.status)).toEqual([
      'stored',
      'stored',
      'stored',
    ]);
    const spans = () => store.blockerSpansOverlapping([a], T0, T0 + HOUR_MS);
    expect((await spans()).map((s) => [s.start - T0, s.end === null ? null : s.end - T0])).toEqual([
      [5 * MINUTE_MS, 10 * MINUTE_MS],
      [25 * MINUTE_MS, null],
    ]);
    // the first report again (a resend): a duplicate, and the spans stay as they are
    expect(await ingest.ingestBatch([reports[0]!], CTX)).toEqual([{ status: 'duplicate', seq: 1 }]);
    expect(await spans()).toHaveLength(2);
    // the next report sleeps: the open span ends there
    await ingest.ingestBatch(
      [{ deviceId: a, seq: 4, intervals: [{ ...idle(30, 35), state: 'asleep', display: 'off' }] }],
      CTX,
    );
    expect((await spans()).map((s) => (s.end === null ? null : s.end - T0))).toEqual([
      10 * MINUTE_MS,
      30 * MINUTE_MS,
    ]);
  });
});
