import { type AgentCounters, type Interval, LIMITS, type ReportFrame } from '@sluimer/shared';

/**
 * The durable outbox as plain data (kept in chrome.storage.local by the service worker): reports get
 * consecutive `seq` numbers and stay until the console acknowledges them, exactly like the Node
 * agent's outbox. Pure: every function returns a new outbox.
 */
export interface OutboxState {
  nextSeq: number;
  reports: ReportFrame[];
  /** reports the console refused for good (counted for the next report, never resent) */
  droppedReports: number;
}

export const emptyOutbox = (): OutboxState => ({ nextSeq: 1, reports: [], droppedReports: 0 });

/** the oldest reports go first when the outbox would hold more than this (≈ a week of reports) */
export const MAX_QUEUED_REPORTS = 2000;

export function enqueue(
  o: OutboxState,
  intervals: readonly Interval[],
  counters?: AgentCounters,
): OutboxState {
  if (intervals.length === 0 && !counters) return o;
  const reports: ReportFrame[] = [];
  let seq = o.nextSeq;
  let dropped = o.droppedReports;
  for (let i = 0; i < Math.max(1, intervals.length); i += LIMITS.maxIntervalsPerReport) {
    const frame: ReportFrame = {
      type: 'report',
      seq,
      intervals: intervals.slice(i, i + LIMITS.maxIntervalsPerReport),
    };
    if (i === 0) {
      const c: AgentCounters = { ...(counters ?? {}) };
      if (dropped > 0) c.droppedReports = (c.droppedReports ?? 0) + dropped;
      if (Object.keys(c).length > 0) frame.counters = c;
      dropped = 0;
    }
    reports.push(frame);
    seq++;
  }
  const all = [...o.reports, ...reports];
  const over = Math.max(0, all.length - MAX_QUEUED_REPORTS);
  return { nextSeq: seq, reports: all.slice(over), droppedReports: dropped + over };
}

/** The console acknowledged everything up to `seq` (an ack, or `ackedSeq` in the welcome). */
export function ackUpTo(o: OutboxState, seq: number): OutboxState {
  const reports = o.reports.filter((r) => r.seq > seq);
  // a console that has seen higher numbers (the extension was reinstalled) sets where numbering goes on
  return { ...o, reports, nextSeq: Math.max(o.nextSeq, seq + 1) };
}

/**
 * The first welcome after an enrollment (a fresh install, or enrolling again after the console refused
 * the token). The console's `ackedSeq` then counts another enrollment's reports (an erased device's
 * reused row, a reinstall, another pupil's profile on a shared Chromebook with the same device id), so
 * it acknowledges nothing queued here: reports at or below it are numbered on after it instead of
 * being dropped. Should one of them have reached the console after all, the console refuses it as
 * overlapping stored time, and it is counted like any refused report.
 */
export function rebaseAfterEnroll(o: OutboxState, ackedSeq: number): OutboxState {
  if (!o.reports.some((r) => r.seq <= ackedSeq)) return { ...o, nextSeq: Math.max(o.nextSeq, ackedSeq + 1) };
  const reports = o.reports.map((r, i) => ({ ...r, seq: ackedSeq + 1 + i }));
  return { ...o, reports, nextSeq: ackedSeq + 1 + reports.length };
}

/** The console refused one report for good (an error frame naming its seq): it is dropped and counted. */
export function refuse(o: OutboxState, seq: number): OutboxState {
  if (!o.reports.some((r) => r.seq === seq)) return o;
  return { ...o, reports: o.reports.filter((r) => r.seq !== seq), droppedReports: o.droppedReports + 1 };
}

export interface BackoffTimings {
  baseMs: number;
  maxMs: number;
}
export const LINK_BACKOFF: BackoffTimings = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** Full jitter, as the Node agent: uniformly random in [0, min(max, base·2^attempt)). */
export function backoffDelay(attempt: number, random: number, t: BackoffTimings = LINK_BACKOFF): number {
  const cap = Math.min(t.maxMs, t.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(Math.max(0, Math.min(0.999999, random)) * cap);
}
