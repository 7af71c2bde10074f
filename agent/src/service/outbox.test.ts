import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, type Interval, LIMITS, MINUTE_MS, ReportFrameSchema } from '@sluimer/shared';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SEQ, MAX_SEQ_JUMP, Outbox } from './outbox.js';

const T0 = Date.UTC(2026, 2, 10, 8);
const iv = (k: number, state: Interval['state'] = 'active'): Interval => ({
  start: T0 + k * MINUTE_MS,
  end: T0 + (k + 1) * MINUTE_MS,
  state,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox', () => {
  it('keeps reports and seq across a reopen', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    expect(a.enqueue({ intervals: [iv(0)], now: T0 })).toEqual([1]);
    expect(a.enqueue({ intervals: [iv(1)], now: T0 })).toEqual([2]);
    a.close();
    const b = Outbox.open(path);
    expect(b.pending(10).map((r) => r.seq)).toEqual([1, 2]);
    expect(b.pending(10)[1]!.intervals).toEqual([iv(1)]);
    expect(b.enqueue({ intervals: [iv(2)], now: T0 })).toEqual([3]);
    b.close();
  });

  it('keeps numbering after every report was acked and the agent restarted', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    a.enqueue({ intervals: [iv(0)], now: T0 });
    a.enqueue({ intervals: [iv(1)], now: T0 });
    a.ack(1);
    a.ack(2);
    a.close();
    const b = Outbox.open(path);
    expect(b.pending(10)).toEqual([]);
    expect(b.enqueue({ intervals: [iv(2)], now: T0 })).toEqual([3]);
    b.close();
  });

  it('writes nothing when there is nothing to report', () => {
    const o = Outbox.open(':memory:');
    expect(o.enqueue({ intervals: [], now: T0 })).toEqual([]);
    expect(o.stats().rows).toBe(0);
  });

  it('splits many intervals into reports the console accepts', () => {
    const o = Outbox.open(':memory:');
    const many = Array.from({ length: LIMITS.maxIntervalsPerReport + 5 }, (_, k) => iv(k));
    expect(o.enqueue({ intervals: many, now: T0 })).toEqual([1, 2]);
    for (const r of o.pending(10)) expect(ReportFrameSchema.safeParse(Outbox.frame(r)).success).toBe(true);
  });

  it('drops acked rows on welcome and continues numbering above ackedSeq', () => {
    const o = Outbox.open(':memory:');
    for (let k = 0; k < 4; k++) o.enqueue({ intervals: [iv(k)], now: T0 });
    o.applyWelcome(7, 0); // first welcome for device 7
    expect(o.applyWelcome(7, 2)).toEqual({ dropped: 2, renumbered: 0 });
    expect(o.pending(10).map((r) => r.seq)).toEqual([3, 4]);
    // the console is a little ahead of everything numbered here (an outbox restored from an older
    // copy): the waiting reports move above it instead of being taken for acked ones
    expect(o.applyWelcome(7, 10)).toEqual({ dropped: 0, renumbered: 2, followed: true });
    expect(o.pending(10).map((r) => [r.seq, r.intervals[0]])).toEqual([
      [11, iv(2)],
      [12, iv(3)],
    ]);
    expect(o.enqueue({ intervals: [iv(5)], now: T0 })).toEqual([13]);
  });

  it('treats an absurd ackedSeq as a console fault: keeps its reports and its own numbering', () => {
    const o = Outbox.open(':memory:');
    for (let k = 0; k < 3; k++) o.enqueue({ intervals: [iv(k)], now: T0 });
    expect(o.applyWelcome(7, Number.MAX_SAFE_INTEGER)).toEqual({
      dropped: 0,
      renumbered: 0,
      fault: 'acked_seq_out_of_range',
    });
    expect(o.applyWelcome(7, MAX_SEQ + 1).fault).toBe('acked_seq_out_of_range');
    expect(o.applyWelcome(7, 0)).toEqual({ dropped: 0, renumbered: 0 }); // first sane welcome
    expect(o.applyWelcome(7, 3 + MAX_SEQ_JUMP + 1)).toEqual({
      dropped: 0,
      renumbered: 0,
      fault: 'acked_seq_ahead',
    });
    expect(o.pending(10).map((r) => r.seq)).toEqual([1, 2, 3]);
    // numbering goes on, a report at a time, and stores every sample
    for (let k = 3; k < 10; k++) expect(o.enqueue({ intervals: [iv(k)], now: T0 })).toEqual([k + 1]);
  });

  it('renumbers an outbox an older agent numbered beyond 2^31 - 1 when it opens', () => {
    {
      const file = join(dir, 'o.sqlite');
      const a = Outbox.open(file);
      a.applyWelcome(7, 0);
      a.enqueue({ intervals: [iv(0)], now: T0 });
      a.enqueue({ intervals: [iv(1)], now: T0 });
      a.close();
      const db = new Database(file);
      db.prepare('UPDATE reports SET seq = seq + ?').run(2 ** 53 - 10);
      db.prepare("UPDATE meta SET v = '9007199254740992' WHERE k = 'nextSeq'").run();
      db.close();
      const b = Outbox.open(file);
      expect(b.repaired).toEqual({ renumbered: 2, fromNextSeq: '9007199254740992' });
      expect(b.pending(10).map((r) => [r.seq, r.intervals[0]])).toEqual([
        [1, iv(0)],
        [2, iv(1)],
      ]);
      expect(b.enqueue({ intervals: [iv(2)], now: T0 })).toEqual([3]);
      // it forgot the device: the next welcome places the reports above the console's number
      expect(b.applyWelcome(7, 40)).toEqual({ dropped: 0, renumbered: 3 });
      b.close();
      expect(Outbox.open(file).repaired).toBeNull();
    }
  });

  it('after seq_out_of_range renumbers the waiting reports directly above the console, once it helps', () => {
    const o = Outbox.open(':memory:');
    o.applyWelcome(7, 4_999_999);
    o.enqueue({ intervals: [iv(0)], now: T0 });
    o.enqueue({ intervals: [iv(1)], now: T0 });
    expect(o.renumberAbove(100)).toBe(2);
    expect(o.pending(10).map((r) => r.seq)).toEqual([101, 102]);
    expect(o.renumberAbove(100)).toBe(0);
    expect(o.renumberAbove(MAX_SEQ)).toBe(0);
    expect(o.enqueue({ intervals: [iv(2)], now: T0 })).toEqual([103]);
  });

  it('renumbers the reports of a new outbox above the ackedSeq the console already has', () => {
    // reinstalled agent: offline reports 1..3, but the console stored up to 500 for this device
    const o = Outbox.open(':memory:');
    for (let k = 0; k < 3; k++) o.enqueue({ intervals: [iv(k)], now: T0 });
    expect(o.applyWelcome(9, 500)).toEqual({ dropped: 0, renumbered: 3 });
    const pending = o.pending(10);
    expect(pending.map((r) => r.seq)).toEqual([501, 502, 503]);
    expect(pending.map((r) => r.intervals[0])).toEqual([iv(0), iv(1), iv(2)]);
    expect(o.enqueue({ intervals: [iv(3)], now: T0 })).toEqual([504]);
  });

  it('drops a rejected report and sends the counts with the next report', () => {
    const o = Outbox.open(':memory:');
    o.enqueue({ intervals: [iv(0), iv(1)], now: T0 });
    expect(o.reject(1)).toBe(true);
    expect(o.reject(1)).toBe(false);
    expect(o.pendingCounters()).toEqual({ droppedReports: 1, droppedIntervals: 2 });
    o.enqueue({ intervals: [], now: T0 });
    const [r] = o.pending(10);
    expect(r).toEqual({ seq: 2, intervals: [], counters: { droppedReports: 1, droppedIntervals: 2 } });
    expect(o.pendingCounters()).toEqual({ droppedReports: 0, droppedIntervals: 0 });
    // the counts survive that report being rejected too
    o.reject(2);
    expect(o.pendingCounters()).toEqual({ droppedReports: 2, droppedIntervals: 2 });
  });

  it('merges the oldest reports when full, losing no interval', () => {
    const o = Outbox.open(':memory:', { maxRows: 3 });
    for (let k = 0; k < 6; k++) o.enqueue({ intervals: [iv(k)], now: T0 });
    const pending = o.pending(10);
    expect(pending.length).toBe(3);
    expect(pending.flatMap((r) => r.intervals)).toEqual([
      { start: T0, end: T0 + 4 * MINUTE_MS, state: 'active' },
      iv(4),
      iv(5),
    ]);
    expect(o.stats().droppedReports).toBe(0);
  });

  it('never merges or drops a report in flight', () => {
    const o = Outbox.open(':memory:', { maxRows: 2 });
    o.enqueue({ intervals: [iv(0)], now: T0 });
    o.inFlight.add(1);
    for (let k = 1; k < 5; k++) o.enqueue({ intervals: [iv(k, k % 2 ? 'idle' : 'active')], now: T0 });
    const pending = o.pending(10);
    expect(pending[0]).toEqual({ seq: 1, intervals: [iv(0)] });
    expect(pending.flatMap((r) => r.intervals)).toHaveLength(5);
  });

  it('drops the oldest reports when over the byte bound and counts them', () => {
    const o = Outbox.open(':memory:', { maxBytes: 2_000 });
    for (let k = 0; k < 40; k++) o.enqueue({ intervals: [iv(k, k % 2 ? 'idle' : 'active')], now: T0 });
    const s = o.stats();
    expect(s.bytes).toBeLessThanOrEqual(2_000);
    const kept = o.pending(100);
    const lost = 40 - kept.reduce((a, r) => a + r.intervals.length, 0);
    expect(lost).toBeGreaterThan(0);
    // counts that already rode along in a kept report plus those still waiting add up to the loss
    const sent = kept.reduce((a, r) => a + (r.counters?.droppedIntervals ?? 0), 0);
    expect(sent + o.pendingCounters().droppedIntervals).toBe(lost);
    expect(kept[kept.length - 1]!.intervals).toEqual([iv(39, 'idle')]);
  });

  it('clips intervals older than the console retention when writing', () => {
    const o = Outbox.open(':memory:');
    const now = T0 + 40 * DAY_MS;
    o.enqueue({
      intervals: [
        { start: T0, end: T0 + DAY_MS, state: 'off' },
        { start: T0 + DAY_MS, end: T0 + 39 * DAY_MS, state: 'off' },
      ],
      now,
    });
    const [r] = o.pending(1);
    expect(r!.intervals).toEqual([{ start: now - 29 * DAY_MS, end: T0 + 39 * DAY_MS, state: 'off' }]);
    expect(r!.counters).toEqual({ droppedReports: 0, droppedIntervals: 1 });
  });

  it('uses WAL with full sync on disk', () => {
    const o = Outbox.open(join(dir, 'x', 'outbox.sqlite'));
    // biome-ignore lint/suspicious/noExplicitAny: reaching into the handle for the pragma check
    const db = (o as any).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(statSync(join(dir, 'x', 'outbox.sqlite')).mode & 0o777).toBe(0o600);
    o.close();
  });

  it('commits an ack without a flush of its own, keeps it across a restart, and syncs fully again after it', () => {
    const path = join(dir, 'acks', 'outbox.sqlite');
    const o = Outbox.open(path);
    const [first, second] = [...o.enqueue({ intervals: [iv(0)] }), ...o.enqueue({ intervals: [iv(1)] })];
    const seen: number[] = [];
    const sqlite = o.database.sqlite;
    const pragma = sqlite.pragma.bind(sqlite);
    // what the ack's commit ran under, read on the same connection right before it
    sqlite.pragma = ((source: string, options?: { simple?: boolean }) => {
      const out = pragma(source, options);
      if (source === 'synchronous = NORMAL') seen.push(pragma('synchronous', { simple: true }) as number);
      return out;
    }) as typeof sqlite.pragma;
    expect(o.ack(first!)).toBe(true);
    sqlite.pragma = pragma;
    expect(seen).toEqual([1]);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    o.close();
    const again = Outbox.open(path);
    expect(again.pending(10).map((r) => r.seq)).toEqual([second]);
    again.close();
  });
});
