import { LIMITS } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  ackUpTo,
  backoffDelay,
  emptyOutbox,
  enqueue,
  MAX_QUEUED_REPORTS,
  rebaseAfterEnroll,
  refuse,
} from './outbox.js';

const iv = (s: number) => ({ start: s * 1000, end: (s + 10) * 1000, state: 'active' as const });

describe('the extension outbox', () => {
  it('numbers reports in order and keeps them until the console acknowledges them', () => {
    let o = enqueue(emptyOutbox(), [iv(0)]);
    o = enqueue(o, [iv(10)]);
    o = enqueue(o, [iv(20)]);
    expect(o.reports.map((r) => r.seq)).toEqual([1, 2, 3]);
    o = ackUpTo(o, 2);
    expect(o.reports.map((r) => r.seq)).toEqual([3]);
    expect(o.nextSeq).toBe(4);
  });

  it('continues numbering after what the console has already seen (welcome.ackedSeq after a reinstall)', () => {
    const o = ackUpTo(enqueue(emptyOutbox(), [iv(0)]), 41);
    expect(o.reports).toEqual([]);
    expect(enqueue(o, [iv(10)]).reports[0]?.seq).toBe(42);
  });

  it('keeps what it queued when it enrolls again, numbered on after what the console already counts', () => {
    // three reports waited while the console refused the token; the new enrollment's welcome says 57
    let o = enqueue(enqueue(enqueue(emptyOutbox(), [iv(0)]), [iv(10)]), [iv(20)]);
    o = rebaseAfterEnroll(o, 57);
    expect(o.reports.map((r) => [r.seq, r.intervals[0]?.start])).toEqual([
      [58, 0],
      [59, 10_000],
      [60, 20_000],
    ]);
    expect(enqueue(o, [iv(30)]).reports.at(-1)?.seq).toBe(61);
    // an erased device starts again at 0: nothing to renumber
    const fresh = rebaseAfterEnroll(enqueue(emptyOutbox(), [iv(0)]), 0);
    expect(fresh.reports.map((r) => r.seq)).toEqual([1]);
    expect(fresh.nextSeq).toBe(2);
  });

  it('queues nothing for an empty report', () => {
    expect(enqueue(emptyOutbox(), [])).toEqual(emptyOutbox());
  });

  it('splits more intervals than one report may carry', () => {
    const many = Array.from({ length: LIMITS.maxIntervalsPerReport + 5 }, (_, i) => iv(i * 10));
    const o = enqueue(emptyOutbox(), many);
    expect(o.reports.map((r) => r.intervals.length)).toEqual([LIMITS.maxIntervalsPerReport, 5]);
  });

  it('drops a refused report and counts it in the next one', () => {
    let o = refuse(enqueue(emptyOutbox(), [iv(0)]), 1);
    expect(o.reports).toEqual([]);
    o = enqueue(o, [iv(10)]);
    expect(o.reports[0]?.counters).toEqual({ droppedReports: 1 });
    expect(o.droppedReports).toBe(0);
  });

  it('gives up the oldest reports past its cap, and counts them', () => {
    let o = emptyOutbox();
    for (let i = 0; i < MAX_QUEUED_REPORTS + 3; i++) o = enqueue(o, [iv(i * 10)]);
    expect(o.reports).toHaveLength(MAX_QUEUED_REPORTS);
    expect(o.reports[0]?.seq).toBe(4);
    // the count rides on the next report, so it is never lost with the reports it counts
    const carried = o.reports.reduce((n, r) => n + (r.counters?.droppedReports ?? 0), 0);
    expect(o.droppedReports + carried).toBe(3);
  });

  it('backs off with full jitter up to five minutes', () => {
    expect(backoffDelay(0, 0.5)).toBe(500);
    expect(backoffDelay(3, 0.5)).toBe(4000);
    expect(backoffDelay(30, 0.999)).toBeLessThan(5 * 60_000);
    expect(backoffDelay(30, 0.999)).toBeGreaterThan(4.9 * 60_000);
  });
});
