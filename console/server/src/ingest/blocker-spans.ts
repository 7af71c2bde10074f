import type { Blocker, Interval } from '@sluimer/shared';
import type { BlockerSpanRecord, BlockerSpanWrite } from '../store/types.js';

/**
 * Blocker history (docs/impact.md "Blocker history"): turns the blockers the agents report into
 * spans — from when to when a named blocker held a device — so the what-if replay and the waste
 * causes can tell time held by a blocker from time a policy could have saved.
 *
 * What a report says: an agent lists its blockers only with reports that carry idle time, and never
 * sends an empty list (design: absent = nothing found, or not readable). So, walking a stored report's
 * intervals in time order:
 * - an idle interval: every blocker the report lists is open from the interval's start on (a span is
 *   opened if it is not open yet); every open one the report does not list ends there;
 * - an asleep or off interval: the device no longer runs, so every open span ends at its start (a
 *   blocker still there after the wake opens a new span with the next idle report);
 * - active time changes nothing (a blocker matters only while nobody uses the device);
 * - a gap before the report (no data: offline with the agent stopped, or switched off) ends every open
 *   span where the device's data ended. An open span therefore never reaches past the device's last
 *   reported moment, and readers treat an open span as ending there.
 * Blockers are told apart by name and kind; the "possible" flag and what they block are kept from
 * the report that opened the span. Reports reaching back into already stored time do not move spans.
 */

/** spans per device that may start on one UTC day; more are left out (a flapping agent cannot fill the disk) */
export const MAX_BLOCKER_SPANS_PER_DEVICE_DAY = 100;

type NewSpan = Omit<BlockerSpanRecord, 'id'>;

/** an open span: stored (with its id) or new in this batch */
interface OpenSpan {
  id?: number;
  row?: NewSpan;
  start: number;
}

const keyOf = (b: { name: string; kind: string }) => `${b.kind}\u0000${b.name}`;

/** One device's blocker spans as a batch of its reports leaves them. */
export class BlockerTracker {
  private readonly open = new Map<string, OpenSpan>();
  readonly close: { id: number; deviceId: number; end: number }[] = [];
  readonly insert: NewSpan[] = [];

  constructor(
    private readonly deviceId: number,
    stored: readonly BlockerSpanRecord[],
  ) {
    for (const s of stored) if (s.end === null) this.open.set(keyOf(s), { id: s.id, start: s.start });
  }

  /**
   * Applies one stored report: `intervals` in start order, `dataEnd` where the device's stored time
   * ended before it (0 when it had none).
   */
  apply(intervals: readonly Interval[], blockers: readonly Blocker[] | undefined, dataEnd: number): void {
    const fresh = intervals.filter((iv) => iv.start >= dataEnd);
    if (fresh.length === 0) return;
    if (dataEnd > 0 && fresh[0]!.start > dataEnd) this.endAll(dataEnd);
    const listed = new Map<string, Blocker>();
    for (const b of blockers ?? []) if (!listed.has(keyOf(b))) listed.set(keyOf(b), b);
    for (const iv of fresh) {
      if (iv.state === 'asleep' || iv.state === 'off') {
        this.endAll(iv.start);
      } else if (iv.state === 'idle') {
        for (const k of [...this.open.keys()]) if (!listed.has(k)) this.end(k, iv.start);
        for (const [k, b] of listed) if (!this.open.has(k)) this.begin(k, b, iv.start);
      }
    }
  }

  /** whether the batch writes anything of this device's spans */
  get changed(): boolean {
    return this.close.length > 0 || this.insert.length > 0;
  }

  private begin(k: string, b: Blocker, at: number): void {
    const row: NewSpan = {
      deviceId: this.deviceId,
      name: b.name,
      kind: b.kind,
      possible: b.possible === true,
      blocks: b.blocks && b.blocks.length > 0 ? [...b.blocks] : null,
      start: at,
      end: null,
    };
    this.insert.push(row);
    this.open.set(k, { row, start: at });
  }

  private end(k: string, at: number): void {
    const s = this.open.get(k);
    if (!s) return;
    this.open.delete(k);
    const end = Math.max(at, s.start);
    if (s.row) {
      // opened and ended in this batch: written closed, or not at all when it held no time
      if (end > s.row.start) s.row.end = end;
      else this.insert.splice(this.insert.indexOf(s.row), 1);
    } else if (s.id !== undefined) {
      this.close.push({ id: s.id, deviceId: this.deviceId, end });
    }
  }

  private endAll(at: number): void {
    for (const k of [...this.open.keys()]) this.end(k, at);
  }
}

/** the batch's span writes from its devices' trackers, or undefined when none changed */
export function blockerSpanWrite(trackers: Iterable<BlockerTracker>): BlockerSpanWrite | undefined {
  const close: BlockerSpanWrite['close'][number][] = [];
  const insert: NewSpan[] = [];
  for (const t of trackers) {
    close.push(...t.close);
    insert.push(...t.insert);
  }
  if (close.length === 0 && insert.length === 0) return undefined;
  return { close, insert, maxPerDeviceDay: MAX_BLOCKER_SPANS_PER_DEVICE_DAY };
}
