import { absorbShort, type Interval, LIMITS } from '@sluimer/shared';

/**
 * The agent's promise to the console (hello feature `strict-intervals`): no interval in a report is
 * shorter than LIMITS.minIntervalMs (1 s). The tracker cuts its timeline at every report and state
 * change, which leaves pieces of a few hundred ms; this is where they are absorbed, when the closed
 * intervals are cut into a report. Pure: closed intervals in, a report and the part to keep back out.
 *
 * - A short piece goes to the interval it touches before it in the same report, or else to the one
 *   after it (`absorbShort` in shared, the same rule the console applies to agents without the
 *   feature). No time is lost or invented; only that sub-second stretch takes its neighbour's state.
 * - The block of touching intervals at the end of the list is kept back whole when it spans less
 *   than the minimum: what it touches before it was already reported and cannot grow any more, so it
 *   waits in the tracker for the time that follows it (the open interval, or after a restart the
 *   `off` or `active` interval that starts where it ended) and goes out in a later report.
 * - A short piece with a gap on both sides cannot be absorbed without inventing time: it is left out
 *   (`dropped` counts its milliseconds), as the console does.
 */
export function wholeSecondReport(
  closed: readonly Interval[],
  minMs: number = LIMITS.minIntervalMs,
): { report: readonly Interval[]; held: Interval[]; droppedMs: number } {
  if (closed.length === 0) return { report: closed, held: [], droppedMs: 0 };
  // the tail block: the longest run at the end whose intervals touch one another
  let first = closed.length - 1;
  while (first > 0 && closed[first - 1]!.end === closed[first]!.start) first--;
  const tailSpan = closed[closed.length - 1]!.end - closed[first]!.start;
  const holdFrom = tailSpan < minMs ? first : closed.length;
  const rest = closed.slice(0, holdFrom);
  const { intervals } = absorbShort(rest, minMs);
  return {
    report: intervals,
    held: closed.slice(holdFrom),
    droppedMs: span(rest) - span(intervals),
  };
}

function span(list: readonly Interval[]): number {
  let total = 0;
  for (const i of list) total += i.end - i.start;
  return total;
}
