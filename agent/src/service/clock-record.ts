import type { Interval } from '@sluimer/shared';
import {
  appliedOffset,
  CLOCK_OFFSET_DEFAULTS,
  correctIntervals,
  estimateOffset,
  holdOffset,
} from '../core/clock-offset.js';
import type { AgentDatabase } from './agent-database.js';

/**
 * The device's clock bookkeeping, kept in the agent's database: the offset to the console's clock
 * as held (so reports written offline before the next welcome are corrected too) and the time floor,
 * the corrected end of the last interval written. The rules (estimate, hold, apply, shift, skip,
 * clip) are the core's (core/clock-offset.ts); this module keeps their inputs and outputs.
 */
export class ClockRecord {
  /** what the last `correct` left out or clipped */
  lastCorrection = { skipped: 0, clipped: 0 };
  private heldOffset: number | null;
  private readonly holdMs: number;
  private readonly thresholdMs: number;

  /** `correction: false`: reports are written as measured (offsets are still measured and logged) */
  constructor(
    private readonly db: AgentDatabase,
    private readonly correction: false | { thresholdMs?: number; holdMs?: number } = {},
  ) {
    this.heldOffset = this.offset();
    this.holdMs = (correction ? correction.holdMs : undefined) ?? CLOCK_OFFSET_DEFAULTS.holdMs;
    this.thresholdMs = (correction ? correction.thresholdMs : undefined) ?? CLOCK_OFFSET_DEFAULTS.thresholdMs;
  }

  /**
   * A welcome's timing: estimates the offset (the middle of the hello → welcome round trip), keeps
   * the held one unless the estimate moved beyond the hold, and saves a change. Returns what the
   * service logs: the estimate, whether it is beyond the correction threshold, and a change.
   */
  observe(
    serverTime: number,
    welcomeLocal: number,
    helloLocal: number | null,
  ): {
    measured: number;
    beyondThreshold: boolean;
    changed?: { from: number | null; to: number };
    saveError?: unknown;
  } {
    const measured = estimateOffset(serverTime, welcomeLocal, helloLocal);
    const held = holdOffset(this.heldOffset, measured, this.holdMs);
    const out: ReturnType<ClockRecord['observe']> = {
      measured,
      beyondThreshold: Math.abs(measured) > this.thresholdMs,
    };
    if (held !== this.heldOffset) {
      out.changed = { from: this.heldOffset, to: held };
      this.heldOffset = held;
      try {
        this.saveOffset(held);
      } catch (err) {
        out.saveError = err;
      }
    }
    return out;
  }

  /** what to add to local times when a report is written; null: no offset measured yet, ever */
  shift(): number | null {
    if (this.correction === false) return 0;
    if (this.heldOffset === null) return null;
    return appliedOffset(this.heldOffset, this.thresholdMs);
  }

  /** console clock − device clock as last measured; null when never measured */
  offset(): number | null {
    const v = this.db.get('kv:clockOffset');
    const n = Number(v);
    return v !== undefined && Number.isFinite(n) ? n : null;
  }

  saveOffset(ms: number): void {
    this.db.set('kv:clockOffset', String(ms));
  }

  /** the corrected end of the last interval written; 0 when nothing was written yet */
  floor(): number {
    return Number(this.db.get('timeFloor') ?? 0);
  }

  /**
   * Shifts intervals by the clock correction and clips them so none starts before the floor (a
   * changed shift never overlaps what was written), then moves the floor. `null`: the offset is not
   * known yet (no welcome ever): the intervals stay as measured and the floor is untouched. Run it in
   * the transaction that writes the result, so the floor never moves without the report.
   */
  correct(intervals: readonly Interval[], shift: number | null): readonly Interval[] {
    if (shift === null) {
      this.lastCorrection = { skipped: 0, clipped: 0 };
      return intervals;
    }
    const c = correctIntervals(intervals, shift, this.floor());
    this.lastCorrection = { skipped: c.skipped, clipped: c.clipped };
    if (c.intervals.length > 0) this.db.set('timeFloor', String(c.floor));
    return c.intervals;
  }
}
