import type { Interval } from '@sluimer/shared';

/**
 * Clock correction (docs/reliability.md "clock trouble"). Pure. The tracker keeps measuring in local
 * wall time (it detects sleep from wall-vs-monotonic jumps); the service estimates how far the
 * console's clock is from the device's at every `welcome` and shifts intervals by that offset when a
 * report is written to the outbox. `correctIntervals` clips each report so that nothing starts before
 * the corrected end of the previous report (`floor`, persisted by the service): when the offset
 * changes, no two reports can overlap; time that would land before the floor is left out.
 */

export const CLOCK_OFFSET_DEFAULTS = {
  /** an offset this small is not applied (the console accepts 2 min ahead; NTP noise stays local) */
  thresholdMs: 60_000,
  /** a new estimate closer than this to the held one does not replace it (round-trip jitter) */
  holdMs: 5_000,
} as const;

/**
 * offset = serverTime − local time when the console read its clock. The console stamps `welcome`
 * somewhere between our hello and the welcome's arrival: take the middle of that round trip.
 * Without a usable hello time (or a local clock that stepped backwards in between), the arrival time.
 */
export function estimateOffset(serverTime: number, welcomeLocal: number, helloLocal?: number | null): number {
  const usable = helloLocal !== undefined && helloLocal !== null && helloLocal <= welcomeLocal;
  const local = usable ? helloLocal + (welcomeLocal - helloLocal) / 2 : welcomeLocal;
  return Math.round(serverTime - local);
}

/** Keeps the held offset unless the new estimate differs from it by `holdMs` or more. */
export function holdOffset(
  held: number | null,
  measured: number,
  holdMs: number = CLOCK_OFFSET_DEFAULTS.holdMs,
): number {
  if (held !== null && Math.abs(measured - held) < holdMs) return held;
  return measured;
}

/** The shift to apply to local times: the offset if it is beyond the threshold, else 0 (none known: 0). */
export function appliedOffset(
  offset: number | null,
  thresholdMs: number = CLOCK_OFFSET_DEFAULTS.thresholdMs,
): number {
  if (offset === null || !Number.isFinite(offset)) return 0;
  return Math.abs(offset) > thresholdMs ? offset : 0;
}

export interface Corrected {
  /** shifted and clipped, in input order; empty when all of it fell before the floor */
  intervals: Interval[];
  /** the corrected end of what has now been written: no later report may start before it */
  floor: number;
  /** intervals left out entirely because they lay before the floor */
  skipped: number;
  /** intervals whose start was moved up to the floor */
  clipped: number;
}

/**
 * Shifts `intervals` (local time, ascending, not overlapping: as the tracker emits them) by `shift`
 * and clips them to start no earlier than `floor` (and than the end of the one before).
 */
export function correctIntervals(intervals: readonly Interval[], shift: number, floor: number): Corrected {
  let f = floor;
  let skipped = 0;
  let clipped = 0;
  const out: Interval[] = [];
  for (const i of intervals) {
    const start = i.start + shift;
    const end = i.end + shift;
    if (end <= f) {
      skipped++;
      continue;
    }
    if (start < f) clipped++;
    out.push({ ...i, start: Math.max(start, f), end });
    f = end;
  }
  return { intervals: out, floor: f, skipped, clipped };
}
