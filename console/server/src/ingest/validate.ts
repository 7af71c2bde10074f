import { ErrorCode, type Interval, LIMITS } from '@sluimer/shared';
import type { IngestContext, IngestOutcome } from './types.js';

type Rejected = Extract<IngestOutcome, { status: 'rejected' }>;

/**
 * Judges a report's seq against the highest stored one: a duplicate (already stored: acked again
 * whatever else it holds), out of range, or undefined when it is new.
 */
export function judgeSeq(seq: number, storedSeq: number): IngestOutcome | undefined {
  if (seq <= storedSeq) return { status: 'duplicate', seq };
  if (seq > LIMITS.maxSeq || seq - storedSeq > LIMITS.maxSeqJump) {
    // acking it would make every later report of this device look like a duplicate (welcome.ackedSeq)
    return {
      status: 'rejected',
      seq,
      code: ErrorCode.SeqOutOfRange,
      message: `report seq ${seq} is out of range: at most ${Math.min(LIMITS.maxSeq, storedSeq + LIMITS.maxSeqJump)} (the stored ${storedSeq} plus ${LIMITS.maxSeqJump}, never above ${LIMITS.maxSeq}); number reports from welcome.ackedSeq + 1`,
    };
  }
  return undefined;
}

/** the report's intervals in start order (agents send them in order; the copy is made only when not) */
export function inStartOrder(list: readonly Interval[]): readonly Interval[] {
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.start < list[i - 1]!.start) return [...list].sort((a, b) => a.start - b.start);
  }
  return list;
}

/**
 * Checks a report's intervals (in start order) on their own: long enough when the agent promised
 * whole intervals, not in the future, not before the raw retention, not overlapping each other.
 * Returns the rejection, or the latest end in the report.
 */
export function checkIntervals(
  seq: number,
  list: readonly Interval[],
  ctx: IngestContext,
  strictIntervals: boolean,
): Rejected | { maxEnd: number } {
  let maxEnd = 0;
  for (let i = 0; i < list.length; i++) {
    const iv = list[i]!;
    if (strictIntervals && iv.end - iv.start < LIMITS.minIntervalMs) {
      return {
        status: 'rejected',
        seq,
        code: ErrorCode.IntervalTooShort,
        message: `interval ${iv.start}–${iv.end} lasts ${iv.end - iv.start} ms; an interval lasts at least ${LIMITS.minIntervalMs} ms (join it with its neighbour)`,
      };
    }
    if (iv.end > ctx.maxEnd) {
      return {
        status: 'rejected',
        seq,
        code: ErrorCode.IntervalInFuture,
        message: `interval ${iv.start}–${iv.end} ends in the future (console time ${ctx.now}); check the device clock`,
      };
    }
    if (iv.start < ctx.minStart) {
      return {
        status: 'rejected',
        seq,
        code: ErrorCode.IntervalTooOld,
        message: `interval ${iv.start}–${iv.end} starts before the raw-data retention (${ctx.minStart})`,
      };
    }
    if (i > 0 && iv.start < list[i - 1]!.end) {
      return {
        status: 'rejected',
        seq,
        code: ErrorCode.IntervalOverlap,
        message: `intervals in this report overlap at ${iv.start}`,
      };
    }
    if (iv.end > maxEnd) maxEnd = iv.end;
  }
  return { maxEnd };
}

/** the first of the report's intervals that overlaps a stored one (both lists in start order), as a rejection */
export function checkStoredOverlap(
  seq: number,
  list: readonly Interval[],
  stored: readonly Interval[],
): Rejected | undefined {
  for (const iv of list) {
    for (const s of stored) {
      if (s.start < iv.end && s.end > iv.start) {
        return {
          status: 'rejected',
          seq,
          code: ErrorCode.IntervalOverlap,
          message: `interval ${iv.start}–${iv.end} overlaps stored interval ${s.start}–${s.end}`,
        };
      }
    }
  }
  return undefined;
}
