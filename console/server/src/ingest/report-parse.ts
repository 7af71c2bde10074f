import {
  AgentCountersSchema,
  BlockerSchema,
  DEVICE_STATES,
  EARLIEST_VALID_MS,
  type Interval,
  LIMITS,
  MAX_INTERVAL_MS,
  type ReportFrame,
  ReportFrameSchema,
  SeqSchema,
} from '@sluimer/shared';

/**
 * Validation of `report` frames with a hand-written fast path for the common well-formed frame.
 *
 * zod (`ReportFrameSchema`) stays the source of truth: the fast path only ever *accepts*, and only
 * frames that the schema accepts too, giving the same data (unknown keys dropped). Anything it is
 * not sure about — a bad field, `blockers`, `counters` it cannot check by hand — goes to zod, which
 * then decides and words the error. report-parse.test.ts holds the two to the same answers on many
 * random valid and invalid frames.
 */

const MAX_EPOCH_MS = 8_640_000_000_000;
const STATES: ReadonlySet<unknown> = new Set(DEVICE_STATES);

type SafeParse<T> =
  ReturnType<typeof ReportFrameSchema.safeParse> extends infer R
    ? R extends { success: true }
      ? { success: true; data: T }
      : R
    : never;

/** `SeqSchema.safeParse(v)`, without zod for a plain positive safe integer */
export function parseSeq(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  const p = SeqSchema.safeParse(v);
  return p.success ? p.data : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function epochOk(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= EARLIEST_VALID_MS && v <= MAX_EPOCH_MS;
}

/** the interval as `IntervalSchema` outputs it, or undefined when the fast path is not sure */
function fastInterval(v: unknown): Interval | undefined {
  if (!isPlainObject(v)) return undefined;
  const { start, end, state, display, power } = v;
  if (!epochOk(start) || !epochOk(end) || !STATES.has(state)) return undefined;
  if (end <= start || end - start > MAX_INTERVAL_MS) return undefined;
  const iv: Interval = { start, end, state: state as Interval['state'] };
  if (display !== undefined) {
    if (display !== 'on' && display !== 'off') return undefined;
    iv.display = display;
  }
  if (power !== undefined) {
    if (power !== 'ac' && power !== 'battery') return undefined;
    iv.power = power;
  }
  return iv;
}

/** a report frame accepted by hand, or undefined to let zod decide */
export function fastReport(msg: unknown): ReportFrame | undefined {
  if (!isPlainObject(msg) || msg.type !== 'report') return undefined;
  const seq = msg.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
  const raw = msg.intervals;
  if (!Array.isArray(raw) || raw.length > LIMITS.maxIntervalsPerReport) return undefined;
  const intervals: Interval[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const iv = fastInterval(raw[i]);
    if (!iv) return undefined;
    intervals[i] = iv;
  }
  const out: ReportFrame = { type: 'report', seq, intervals };
  // rarer parts: their own schemas (still zod), whole-frame zod when they fail
  if (msg.blockers !== undefined) {
    if (!Array.isArray(msg.blockers) || msg.blockers.length > LIMITS.maxBlockersPerReport) return undefined;
    const blockers: NonNullable<ReportFrame['blockers']> = new Array(msg.blockers.length);
    for (let i = 0; i < msg.blockers.length; i++) {
      const b = BlockerSchema.safeParse(msg.blockers[i]);
      if (!b.success) return undefined;
      blockers[i] = b.data;
    }
    out.blockers = blockers;
  }
  if (msg.counters !== undefined) {
    const c = AgentCountersSchema.safeParse(msg.counters);
    if (!c.success) return undefined;
    out.counters = c.data;
  }
  return out;
}

/** same result as `ReportFrameSchema.safeParse(msg)`: fast for well-formed frames, zod's error otherwise */
export function parseReport(msg: unknown): SafeParse<ReportFrame> {
  const data = fastReport(msg);
  if (data) return { success: true, data };
  return ReportFrameSchema.safeParse(msg) as SafeParse<ReportFrame>;
}
