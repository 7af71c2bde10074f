import type { Interval } from '@sluimer/shared';
import { correctIntervals } from '../core/clock-offset.js';
import type { AgentDatabase } from './agent-database.js';

/**
 * The device's clock bookkeeping, kept in the agent's database: the last measured offset to the
 * console's clock (so reports written offline before the next welcome are corrected too) and the time
 * floor, the corrected end of the last interval written. The rule itself (shift, skip, clip) is the
 * core's (core/clock-offset.ts); this module only keeps its inputs and outputs durable.
 */
export class ClockRecord {
  /** what the last `correct` left out or clipped */
  lastCorrection = { skipped: 0, clipped: 0 };

  constructor(private readonly db: AgentDatabase) {}

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
