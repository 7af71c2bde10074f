import { z } from 'zod';
import { HOUR_MS } from './time.js';

export const DEVICE_STATES = ['active', 'idle', 'asleep', 'off'] as const;
export const DeviceStateSchema = z.enum(DEVICE_STATES);
export type DeviceState = z.infer<typeof DeviceStateSchema>;

/** 2000-01-01T00:00:00Z: anything earlier is a broken clock, not history. */
export const EARLIEST_VALID_MS = 946_684_800_000;
/** No single interval may span more than this (a device off over a long holiday still fits). */
export const MAX_INTERVAL_MS = 62 * 24 * HOUR_MS;

const epochMs = z.number().int().min(EARLIEST_VALID_MS).max(8_640_000_000_000);

export const IntervalSchema = z
  .object({
    start: epochMs,
    end: epochMs,
    state: DeviceStateSchema,
    display: z.enum(['on', 'off']).optional(),
    power: z.enum(['ac', 'battery']).optional(),
  })
  .refine((i) => i.end > i.start, { message: 'end must be after start', path: ['end'] })
  .refine((i) => i.end - i.start <= MAX_INTERVAL_MS, {
    message: `an interval may span at most ${MAX_INTERVAL_MS / HOUR_MS} hours`,
    path: ['end'],
  });
export type Interval = z.infer<typeof IntervalSchema>;

export interface TimeRange {
  from: number;
  to: number;
}

/** Cuts an interval to `[from, to)`; returns null when nothing remains. */
export function clipInterval<T extends { start: number; end: number }>(
  interval: T,
  range: TimeRange,
): T | null {
  const start = Math.max(interval.start, range.from);
  const end = Math.min(interval.end, range.to);
  if (end <= start) return null;
  return { ...interval, start, end };
}

export interface HourSlice {
  /** start of the UTC hour, epoch ms */
  hour: number;
  /** milliseconds of the interval inside that hour */
  ms: number;
}

/** Splits `[start, end)` on whole UTC hours (docs/energy-model.md). A zero-length interval gives nothing. */
export function splitByHour(start: number, end: number): HourSlice[] {
  const slices: HourSlice[] = [];
  let hour = Math.floor(start / HOUR_MS) * HOUR_MS;
  while (hour < end) {
    const next = hour + HOUR_MS;
    const ms = Math.min(end, next) - Math.max(start, hour);
    if (ms > 0) slices.push({ hour, ms });
    hour = next;
  }
  return slices;
}

/** Sorts by start and reports the first pair that overlaps, if any. Touching ends are fine. */
export function findOverlap<T extends { start: number; end: number }>(
  intervals: readonly T[],
): [T, T] | null {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.start < prev.end) return [prev, cur];
  }
  return null;
}

/** Joins touching intervals of the same kind; input need not be sorted, overlaps are left as they are. */
export function mergeAdjacent(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const cur of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === cur.start && sameKind(last, cur)) {
      out[out.length - 1] = { ...last, end: cur.end };
    } else {
      out.push({ ...cur });
    }
  }
  return out;
}

/**
 * Joins touching intervals of the same kind in a list sorted by start with no overlaps, as long as the
 * joined interval spans at most `maxMs`. Returns the input itself when nothing touches (no copy on the
 * ingest path's common case).
 */
export function joinTouching(sorted: readonly Interval[], maxMs = MAX_INTERVAL_MS): readonly Interval[] {
  let out: Interval[] | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const prev = out ? out[out.length - 1]! : sorted[i - 1]!;
    const cur = sorted[i]!;
    const join = prev.end === cur.start && sameKind(prev, cur) && cur.end - prev.start <= maxMs;
    if (!out) {
      if (!join) continue;
      out = sorted.slice(0, i - 1);
      out.push({ ...prev, end: cur.end });
    } else if (join) {
      out[out.length - 1] = { ...prev, end: cur.end };
    } else {
      out.push(cur);
    }
  }
  return out ?? sorted;
}

/**
 * For agents that do not promise intervals of at least `minMs` (older agents cut their timeline at
 * every report and state change, leaving pieces of a few hundred ms): in a list sorted by start with
 * no overlaps, each interval shorter than `minMs` is absorbed into the interval it touches before it
 * (`before`, the stored interval the list continues, counts as one), or when there is none into the
 * one it touches after it. No time is lost or invented; only a sub-second stretch changes state. A
 * short interval touching nothing is left out (a gap of less than `minMs`), so a device cannot store
 * more rows than whole seconds. `extendBefore` is the new end of `before` when it absorbed pieces.
 */
export function absorbShort(
  sorted: readonly Interval[],
  minMs: number,
  before?: Interval,
): { intervals: readonly Interval[]; extendBefore?: number } {
  if (sorted.every((i) => i.end - i.start >= minMs)) return { intervals: sorted };
  const out: Interval[] = before ? [before] : [];
  // a short interval waiting for a touching successor to absorb it
  let pending: Interval | undefined;
  for (const cur of sorted) {
    let iv = cur;
    if (pending) {
      if (pending.end === iv.start && iv.end - pending.start <= MAX_INTERVAL_MS)
        iv = { ...iv, start: pending.start };
      pending = undefined;
    }
    if (iv.end - iv.start >= minMs) {
      out.push(iv);
      continue;
    }
    const prev = out[out.length - 1];
    if (prev && prev.end === iv.start && iv.end - prev.start <= MAX_INTERVAL_MS) {
      out[out.length - 1] = { ...prev, end: iv.end };
    } else {
      pending = iv;
    }
  }
  if (!before) return { intervals: out };
  const seed = out[0]!;
  return seed.end > before.end
    ? { intervals: out.slice(1), extendBefore: seed.end }
    : { intervals: out.slice(1) };
}

/** whether two intervals are of the same kind (state, display, power), so touching ones may be joined */
export function sameKind(a: Interval, b: Interval): boolean {
  return a.state === b.state && a.display === b.display && a.power === b.power;
}

export function durationMs(intervals: readonly { start: number; end: number }[]): number {
  let total = 0;
  for (const i of intervals) total += i.end - i.start;
  return total;
}
