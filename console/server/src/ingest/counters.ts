import type { AgentCounters } from '@sluimer/shared';

/** Adds a report's agent counters to the device's running totals (counters are deltas since the last report). */
export function addCounters(a: AgentCounters | null, b: AgentCounters): AgentCounters {
  const out: AgentCounters = { ...(a ?? {}) };
  if (b.droppedReports) out.droppedReports = (out.droppedReports ?? 0) + b.droppedReports;
  if (b.droppedIntervals) out.droppedIntervals = (out.droppedIntervals ?? 0) + b.droppedIntervals;
  if (b.nudges) {
    const nudges = { ...(out.nudges ?? {}) };
    for (const [kind, n] of Object.entries(b.nudges)) {
      const prev = nudges[kind] ?? { shown: 0, dismissed: 0, snoozed: 0 };
      nudges[kind] = {
        shown: prev.shown + n.shown,
        dismissed: prev.dismissed + n.dismissed,
        snoozed: prev.snoozed + n.snoozed,
      };
    }
    out.nudges = nudges;
  }
  return out;
}
