import type { AgentCounters, Blocker, ErrorCode, Interval } from '@sluimer/shared';

/** One report as the ingest domain sees it, after the frame was parsed (report-parse.ts). */
export interface IngestItem {
  deviceId: number;
  seq: number;
  intervals: readonly Interval[];
  blockers?: Blocker[] | undefined;
  counters?: AgentCounters | undefined;
  /**
   * the agent promised intervals of at least LIMITS.minIntervalMs (hello feature `strict-intervals`):
   * a shorter one refuses the report. Without it, shorter ones are absorbed into a touching neighbour.
   */
  strictIntervals?: boolean | undefined;
}

export interface IngestContext {
  now: number;
  /** interval ends may not lie beyond this (console clock plus allowed skew) */
  maxEnd: number;
  /** interval starts may not lie before this (raw retention) */
  minStart: number;
}

export type IngestOutcome =
  | { status: 'stored'; seq: number }
  | { status: 'duplicate'; seq: number }
  | { status: 'rejected'; seq: number; code: ErrorCode; message: string }
  /** not stored and not the report's fault (storage trouble, device gone): never ack, never reject */
  | { status: 'failed'; seq: number; message: string };
