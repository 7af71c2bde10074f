import { absorbShort, type Interval, joinTouching, LIMITS, MAX_INTERVAL_MS, sameKind } from '@sluimer/shared';
import type {
  BlockerSpanRecord,
  DeviceRollupDelta,
  DeviceUpdate,
  IngestDeviceState,
  IngestExpect,
  IngestWrite,
  RollupAmounts,
  StoredInterval,
} from '../store/types.js';
import { BlockerTracker, blockerSpanWrite } from './blocker-spans.js';
import { addCounters } from './counters.js';
import {
  ACTIVE,
  ASLEEP,
  accumulate,
  type Bucket,
  ENERGY,
  FleetBatch,
  IDLE_OFF,
  IDLE_ON,
  OFF,
  slotOf,
  type slotWatts,
  WASTE,
} from './rollup.js';
import type { IngestContext, IngestItem, IngestOutcome } from './types.js';
import { checkIntervals, checkStoredOverlap, inStartOrder, judgeSeq } from './validate.js';

export type SlotWatts = ReturnType<typeof slotWatts>;

export interface PlanInput {
  items: readonly IngestItem[];
  updates: readonly DeviceUpdate[];
  /** Store.ingestState of the items' devices, read before planning */
  states: ReadonlyMap<number, IngestDeviceState>;
  ctx: IngestContext;
  /** watts per rollup slot of a device with this profile (under the current settings) */
  wattsOf: (state: IngestDeviceState) => SlotWatts;
  /** stored intervals of a device that overlap [from, to) (only for reports reaching back into stored time) */
  storedBetween: (deviceId: number, from: number, to: number) => Promise<StoredInterval[]>;
  /** Store.openBlockerSpans of the items' devices (absent: none are open) */
  openSpans?: readonly BlockerSpanRecord[];
}

/** One device as the batch leaves it so far: its state plus what the batch writes for it. */
interface DeviceView {
  state: IngestDeviceState;
  expect: IngestExpect;
  advanced: boolean;
  blockers?: IngestItem['blockers'];
  countersChanged: boolean;
  /** the device's blocker spans as the batch's reports leave them */
  spans: BlockerTracker;
  /** new intervals by start (a later report of the batch may still extend one) */
  inserts: Map<number, StoredInterval>;
  /** new ends of stored intervals, by start */
  extends: Map<number, number>;
  hours: Map<number, Bucket>;
  days: Map<number, Bucket>;
}

/**
 * The ingest rules, for every store: judges each report in order (duplicate, seq range, interval
 * checks, overlap with stored time), joins touching intervals (with the stored one a report
 * continues), and computes everything the batch writes — interval rows, the guarded device advances,
 * and the rollup deltas per device, per (group, class) and for the whole fleet — as one IngestWrite
 * for Store.commitIngest. Nothing is written here; reports of one device in one batch see each
 * other's effects.
 */
export async function planBatch(
  input: PlanInput,
): Promise<{ outcomes: IngestOutcome[]; write: IngestWrite }> {
  const { ctx } = input;
  const views = new Map<number, DeviceView>();
  const viewOf = (id: number): DeviceView | undefined => {
    let v = views.get(id);
    if (!v) {
      const stored = input.states.get(id);
      if (!stored) return undefined;
      const state = { ...stored, lastInterval: stored.lastInterval ? { ...stored.lastInterval } : null };
      // a hello or inventory riding along is written first: its detected class counts for the rollups
      for (const u of input.updates)
        if ((u.kind === 'hello' || u.kind === 'inventory') && u.deviceId === id && u.detectedClass)
          state.detectedClass = u.detectedClass;
      v = {
        state,
        expect: {
          maxSeq: state.maxSeq,
          groupId: state.groupId,
          deviceClass: state.deviceClass,
          detectedClass: state.detectedClass,
          desktopPreset: state.desktopPreset,
          monitors: state.monitors,
        },
        advanced: false,
        countersChanged: false,
        spans: new BlockerTracker(
          id,
          (input.openSpans ?? []).filter((x) => x.deviceId === id),
        ),
        inserts: new Map(),
        extends: new Map(),
        hours: new Map(),
        days: new Map(),
      };
      views.set(id, v);
    }
    return v;
  };

  const outcomes: IngestOutcome[] = [];
  for (const item of input.items) {
    const v = viewOf(item.deviceId);
    if (!v) {
      outcomes.push({ status: 'failed', seq: item.seq, message: 'device no longer enrolled' });
      continue;
    }
    outcomes.push(await planReport(v, item, input));
  }

  const write: {
    [K in keyof IngestWrite]: IngestWrite[K] extends readonly (infer T)[] ? T[] : never;
  } = {
    updates: [...input.updates],
    devices: [],
    extend: [],
    insert: [],
    deviceHours: [],
    deviceDays: [],
    fleetHours: [],
    fleetDays: [],
    boardHours: [],
  };
  const spans = blockerSpanWrite([...views.values()].map((v) => v.spans));
  const fleet = new FleetBatch();
  for (const [deviceId, v] of views) {
    if (!v.advanced) continue;
    const s = v.state;
    write.devices.push({
      deviceId,
      expect: v.expect,
      maxSeq: s.maxSeq,
      maxEnd: s.maxEnd,
      lastSeen: ctx.now,
      blockers: v.blockers ? { value: v.blockers, at: ctx.now } : undefined,
      counters: v.countersChanged && s.counters ? { value: s.counters, at: ctx.now } : undefined,
    });
    for (const [start, end] of v.extends) write.extend.push({ deviceId, start, end });
    for (const iv of v.inserts.values()) write.insert.push(iv);
    for (const [bucket, b] of v.hours) write.deviceHours.push(deviceDelta(deviceId, bucket, b));
    for (const [bucket, b] of v.days) write.deviceDays.push(deviceDelta(deviceId, bucket, b));
    if (v.hours.size > 0) fleet.add(s.groupId, s.deviceClass ?? s.detectedClass, v.hours, v.days);
  }
  fleet.flush(
    (bucket, groupId, cls, b) =>
      write.fleetHours.push({
        bucket,
        groupId,
        deviceClass: cls as IngestDeviceState['detectedClass'],
        ...amounts(b),
      }),
    (bucket, groupId, cls, b) =>
      write.fleetDays.push({
        bucket,
        groupId,
        deviceClass: cls as IngestDeviceState['detectedClass'],
        ...amounts(b),
      }),
    (bucket, b) => write.boardHours.push({ bucket, ...amounts(b) }),
  );
  // rows in one order for every batch, so concurrent writers (several console processes on one
  // database) lock them in the same order and cannot deadlock each other
  write.devices.sort((x, y) => x.deviceId - y.deviceId);
  const byKey = (x: { bucket: number; groupId: number; deviceClass: string }, y: typeof x) =>
    x.bucket - y.bucket ||
    x.groupId - y.groupId ||
    (x.deviceClass < y.deviceClass ? -1 : x.deviceClass > y.deviceClass ? 1 : 0);
  write.fleetHours.sort(byKey);
  write.fleetDays.sort(byKey);
  write.boardHours.sort((x, y) => x.bucket - y.bucket);
  return { outcomes, write: spans ? { ...write, blockerSpans: spans } : write };
}

async function planReport(v: DeviceView, item: IngestItem, input: PlanInput): Promise<IngestOutcome> {
  const s = v.state;
  const seq = item.seq;
  const judged = judgeSeq(seq, s.maxSeq);
  if (judged) return judged;
  let list = inStartOrder(item.intervals);
  const checked = checkIntervals(seq, list, input.ctx, item.strictIntervals === true);
  if ('status' in checked) return checked;

  if (list.length > 0) {
    // the stored interval this report continues (ends where it starts), if any
    let before: Interval | undefined;
    if (list[0]!.start < s.maxEnd) {
      // reaches back into stored time (rare): check against what is stored and what this batch adds
      const near = await storedNear(v, item.deviceId, list[0]!.start - 1, s.maxEnd, input);
      const overlap = checkStoredOverlap(seq, list, near);
      if (overlap) return overlap;
      before = near.find((iv) => iv.end === list[0]!.start);
    } else if (s.lastInterval && s.lastInterval.end === list[0]!.start) {
      before = s.lastInterval;
    }

    // valid: touching intervals of the same kind are joined (within the report, and the first one with
    // the stored interval it continues). Duplicates were recognised by seq before this, so joining never
    // hides a resent report; the rollups count the report's own time either way.
    const { watts, waste } = input.wattsOf(s);
    const add = (iv: Interval) =>
      accumulate(v.hours, v.days, iv.start, iv.end, slotOf(iv.state, iv.display), watts, waste);
    if (!item.strictIntervals) {
      // older agents leave sub-second pieces where they cut their timeline: absorbed into a touching
      // neighbour (the stored interval the report continues counts as one) rather than refused, so
      // their reports are not lost; agents that promise whole seconds get interval_too_short instead
      const absorbed = absorbShort(list, LIMITS.minIntervalMs, before);
      list = absorbed.intervals;
      if (before && absorbed.extendBefore !== undefined) {
        add({ ...before, start: before.end, end: absorbed.extendBefore });
        before = extendTo(v, item.deviceId, before, absorbed.extendBefore);
      }
    }
    let rows = joinTouching(list);
    const first = rows[0];
    if (
      first &&
      before &&
      before.end === first.start &&
      sameKind(before, first) &&
      first.end - before.start <= MAX_INTERVAL_MS
    ) {
      extendTo(v, item.deviceId, before, first.end);
      rows = rows.slice(1);
    }
    for (const row of rows) {
      const iv: StoredInterval = { deviceId: item.deviceId, ...row };
      v.inserts.set(iv.start, iv);
      noteLast(v, iv);
    }
    for (const iv of list) add(iv);
  }

  v.spans.apply(list, item.blockers, s.maxEnd);
  s.maxSeq = seq;
  s.maxEnd = Math.max(s.maxEnd, checked.maxEnd);
  v.advanced = true;
  if (item.blockers) v.blockers = item.blockers;
  if (item.counters) {
    s.counters = addCounters(s.counters, item.counters);
    v.countersChanged = true;
  }
  return { status: 'stored', seq };
}

/** moves the end of an interval (stored, or new in this batch); returns it as extended */
function extendTo(v: DeviceView, deviceId: number, iv: Interval, end: number): Interval {
  const pending = v.inserts.get(iv.start);
  if (pending) pending.end = end;
  else v.extends.set(iv.start, end);
  const extended = { ...iv, end };
  noteLast(v, { deviceId, ...extended });
  return extended;
}

/** keeps `lastInterval` the interval that starts last, as the batch leaves it */
function noteLast(v: DeviceView, iv: StoredInterval): void {
  const last = v.state.lastInterval;
  if (!last || iv.start >= last.start) {
    const { deviceId: _, ...plain } = iv;
    v.state.lastInterval = plain;
  }
}

/** intervals overlapping [from, to): the stored ones as this batch has changed them, plus its new ones */
async function storedNear(
  v: DeviceView,
  deviceId: number,
  from: number,
  to: number,
  input: PlanInput,
): Promise<Interval[]> {
  const out: Interval[] = [];
  for (const iv of await input.storedBetween(deviceId, from, to)) {
    if (v.inserts.has(iv.start)) continue;
    const end = v.extends.get(iv.start) ?? iv.end;
    out.push({ ...iv, end });
  }
  for (const iv of v.inserts.values()) if (iv.end > from && iv.start < to) out.push(iv);
  return out.sort((a, b) => a.start - b.start);
}

function amounts(b: Bucket): RollupAmounts {
  return {
    activeMs: b[ACTIVE]!,
    idleOnMs: b[IDLE_ON]!,
    idleOffMs: b[IDLE_OFF]!,
    asleepMs: b[ASLEEP]!,
    offMs: b[OFF]!,
    energyWh: b[ENERGY]!,
    wasteWh: b[WASTE]!,
  };
}

function deviceDelta(deviceId: number, bucket: number, b: Bucket): DeviceRollupDelta {
  return { deviceId, bucket, ...amounts(b) };
}
