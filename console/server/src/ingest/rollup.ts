import { DAY_MS, HOUR_MS, type Interval, type StateWatts, wasteWatts } from '@sluimer/shared';

/** Slots of a bucket: ms per state, then Wh. */
export const ACTIVE = 0;
export const IDLE_ON = 1;
export const IDLE_OFF = 2;
export const ASLEEP = 3;
export const OFF = 4;
export const ENERGY = 5;
export const WASTE = 6;
export type Bucket = Float64Array;

/** Slot of an interval's energy state (docs/energy-model.md: idle with unknown display counts as on). */
export function slotOf(state: Interval['state'], display: Interval['display']): number {
  switch (state) {
    case 'active':
      return ACTIVE;
    case 'idle':
      return display === 'off' ? IDLE_OFF : IDLE_ON;
    case 'asleep':
      return ASLEEP;
    default:
      return OFF;
  }
}

const SLOT_STATES = ['active', 'idle_display_on', 'idle_display_off', 'sleep', 'off'] as const;

/** Watts and avoidable watts per slot for one device. */
export function slotWatts(total: StateWatts): { watts: number[]; waste: number[] } {
  return {
    watts: SLOT_STATES.map((s) => total[s]),
    waste: SLOT_STATES.map((s) => wasteWatts(total, s)),
  };
}

/**
 * Adds `[start, end)` split on whole UTC hours (docs/energy-model.md) into `hours`, and the same amounts into
 * `days` per UTC day. Buckets add up to the unsplit interval.
 */
export function accumulate(
  hours: Map<number, Bucket>,
  days: Map<number, Bucket> | null,
  start: number,
  end: number,
  slot: number,
  watts: readonly number[],
  waste: readonly number[],
): void {
  const w = watts[slot]!;
  const x = waste[slot]!;
  let hour = Math.floor(start / HOUR_MS) * HOUR_MS;
  while (hour < end) {
    const next = hour + HOUR_MS;
    const ms = Math.min(end, next) - Math.max(start, hour);
    if (ms > 0) {
      const h = ms / HOUR_MS;
      add(hours, hour, slot, ms, h * w, h * x);
      if (days) add(days, Math.floor(hour / DAY_MS) * DAY_MS, slot, ms, h * w, h * x);
    }
    hour = next;
  }
}

function add(map: Map<number, Bucket>, key: number, slot: number, ms: number, wh: number, waste: number) {
  let b = map.get(key);
  if (!b) {
    b = new Float64Array(7);
    map.set(key, b);
  }
  b[slot]! += ms;
  b[ENERGY]! += wh;
  b[WASTE]! += waste;
}

/**
 * Fleet rollup amounts collected over one transaction, per (bucket, group, class), so that a batch of
 * reports from a room's devices costs one upsert per hour instead of one per device and hour.
 */
export class FleetBatch {
  private readonly hours = new Map<string, { t: number; g: number; c: string; b: Bucket }>();
  private readonly days = new Map<string, { t: number; g: number; c: string; b: Bucket }>();
  private readonly board = new Map<number, Bucket>();

  add(groupId: number, deviceClass: string, hours: Map<number, Bucket>, days: Map<number, Bucket>): void {
    merge(this.hours, groupId, deviceClass, hours);
    merge(this.days, groupId, deviceClass, days);
    for (const [t, b] of hours) {
      const x = this.board.get(t);
      if (!x) this.board.set(t, Float64Array.from(b));
      else for (let i = 0; i < 7; i++) x[i]! += b[i]!;
    }
  }

  clear(): void {
    this.hours.clear();
    this.days.clear();
    this.board.clear();
  }

  flush(
    hour: (t: number, groupId: number, deviceClass: string, b: Bucket) => void,
    day: (t: number, groupId: number, deviceClass: string, b: Bucket) => void,
    board: (t: number, b: Bucket) => void,
  ): void {
    try {
      for (const x of this.hours.values()) hour(x.t, x.g, x.c, x.b);
      for (const x of this.days.values()) day(x.t, x.g, x.c, x.b);
      for (const [t, b] of this.board) board(t, b);
    } finally {
      this.clear();
    }
  }
}

function merge(
  into: Map<string, { t: number; g: number; c: string; b: Bucket }>,
  g: number,
  c: string,
  from: Map<number, Bucket>,
) {
  for (const [t, b] of from) {
    const k = `${t}|${g}|${c}`;
    const x = into.get(k);
    if (!x) into.set(k, { t, g, c, b: Float64Array.from(b) });
    else for (let i = 0; i < 7; i++) x.b[i]! += b[i]!;
  }
}
