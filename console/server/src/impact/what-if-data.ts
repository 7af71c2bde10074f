import {
  type BlockerSpan,
  DAY_MS,
  REPLAY_LOOKBACK_MS,
  type ReplayDevice,
  type SchoolCalendar,
  type SchoolHours,
  type Settings,
} from '@sluimer/shared';
import {
  ASSUMED_REGION,
  assumedCalendar,
  type ResolvedCalendar,
  resolveCalendar,
} from '../calendar/school-calendars.js';
import { deviceTotalWatts } from '../energy/energy-profile.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { DeviceRecord, Store, StoredInterval } from '../store/types.js';

/**
 * The store's side of the what-if replay (docs/impact.md): which devices a scope covers and, per
 * device, what `replayWhatIf` needs — its recorded intervals from `from − REPLAY_LOOKBACK_MS`, its
 * watts, its room, its exclusion and the school calendar of its time zone. Reads only; the replay
 * itself stays pure in shared.
 */

/** devices whose intervals are read in one query: bounds the SQL parameter list, not the answer */
const INTERVAL_CHUNK = 200;

/**
 * The vacation region the console assumes for a school without a stored calendar: the shipped Dutch
 * holidays of region midden in its own time zone. Named in the response's `limitations` so nobody
 * mistakes it for the school's own calendar.
 */
export { ASSUMED_REGION };

export interface WhatIfScope {
  groupIds: readonly number[];
  deviceIds: readonly number[];
}

export interface WhatIfData {
  devices: ReplayDevice[];
  /** one calendar per school time zone and school hours in force (see gatherWhatIfData) */
  calendars: Record<string, SchoolCalendar>;
  settings: Settings;
  /** the earliest moment raw intervals are still kept */
  rawRetentionFrom: number;
  /** devices in scope whose latest report names a blocker */
  devicesWithBlockersNow: number;
  /** from when the console records blocker spans (Store.blockerHistoryFrom): before it, none are known */
  blockerHistoryFrom: number;
  /** devices in scope whose school stored no calendar (the assumed one was used) */
  devicesWithAssumedCalendar: number;
}

/** The school calendar the console uses for a time zone and weekly hours (see ASSUMED_REGION). */
export function calendarForZone(timeZone: string, schoolHours?: SchoolHours): SchoolCalendar {
  const cal = assumedCalendar(timeZone);
  return schoolHours ? { ...cal, schoolHours } : cal;
}

/** Unknown group and device ids of a scope, so the route can refuse a half-known scope. */
export async function knownScope(
  store: Store,
): Promise<{ hasGroup: (id: number) => boolean; hasDevice: (id: number) => boolean }> {
  const groups = new Set((await store.listGroups()).map((g) => g.id));
  const devices = new Set((await store.listDevices()).map((d) => d.id));
  return { hasGroup: (id) => groups.has(id), hasDevice: (id) => devices.has(id) };
}

/** The devices a scope covers: the named devices plus every device in or below the named groups; none named = all. */
async function devicesInScope(store: Store, policies: PolicyService, scope: WhatIfScope) {
  if (scope.groupIds.length === 0 && scope.deviceIds.length === 0) return store.listDevices();
  const groupIds = new Set<number>();
  for (const g of scope.groupIds) for (const id of await policies.subtree(g)) groupIds.add(id);
  const wanted = new Set(scope.deviceIds);
  return (await store.listDevices()).filter((d) => groupIds.has(d.groupId) || wanted.has(d.id));
}

export async function gatherWhatIfData(
  store: Store,
  policies: PolicyService,
  scope: WhatIfScope,
  period: { from: number; to: number; now: number },
  opts: { blockerNames?: boolean } = {},
): Promise<WhatIfData> {
  const settings = await store.getSettings();
  const groups = new Map((await store.listGroups()).map((g) => [g.id, g]));
  const records = await devicesInScope(store, policies, scope);

  const intervals = new Map<number, StoredInterval[]>();
  const readFrom = period.from - REPLAY_LOOKBACK_MS;
  for (let i = 0; i < records.length; i += INTERVAL_CHUNK) {
    const ids = records.slice(i, i + INTERVAL_CHUNK).map((d) => d.id);
    for (const iv of await store.intervalsOverlapping(ids, readFrom, period.to)) {
      let list = intervals.get(iv.deviceId);
      if (!list) {
        list = [];
        intervals.set(iv.deviceId, list);
      }
      list.push(iv);
    }
  }

  // blocker spans; an open one holds up to the device's last reported moment (ingest/blocker-spans.ts)
  const spans = new Map<number, BlockerSpan[]>();
  const dataEnd = new Map(records.map((d) => [d.id, d.maxEnd]));
  for (let i = 0; i < records.length; i += INTERVAL_CHUNK) {
    const ids = records.slice(i, i + INTERVAL_CHUNK).map((d) => d.id);
    for (const s of await store.blockerSpansOverlapping(ids, readFrom, period.to)) {
      const end = s.end ?? dataEnd.get(s.deviceId) ?? s.start;
      if (end <= s.start) continue;
      // a blocker's name is a program name: only admin and IT see it (docs/privacy.md); for the others
      // it is left out and the answers say "a program"
      const span: BlockerSpan = { start: s.start, end, name: opts.blockerNames === false ? '' : s.name };
      if (s.blocks) span.blocks = s.blocks;
      let list = spans.get(s.deviceId);
      if (!list) {
        list = [];
        spans.set(s.deviceId, list);
      }
      list.push(span);
    }
  }

  const calendars: Record<string, SchoolCalendar> = {};
  const devices: ReplayDevice[] = [];
  let devicesWithBlockersNow = 0;
  let devicesWithAssumedCalendar = 0;
  // devices of one room share group, policy and mostly exclusion: resolve each combination and each
  // group's calendar once (300 devices in ~20 rooms), not per device
  const effective = await policies.effectiveForEach(records);
  const calendarOfGroup = new Map<number, Promise<ResolvedCalendar>>();
  for (const [i, d] of records.entries()) {
    // the school's calendar (stored, else assumed), with the school hours in force on the device now:
    // a policy that sets none follows the school's; the replay lets a draft's own win
    const { policy } = effective[i]!;
    let pending = calendarOfGroup.get(d.groupId);
    if (!pending) {
      pending = resolveCalendar(policies, d.groupId);
      calendarOfGroup.set(d.groupId, pending);
    }
    const resolved = await pending;
    if (!resolved.stored) devicesWithAssumedCalendar++;
    const base = resolved.calendar;
    const hours = policy.schoolHours ?? base.schoolHours;
    const key = `${resolved.schoolId ?? base.timeZone} ${JSON.stringify(hours)}`;
    calendars[key] ??= { ...base, schoolHours: hours };
    const group = groups.get(d.groupId);
    const device: ReplayDevice = {
      deviceId: d.id,
      name: displayName(d),
      watts: deviceTotalWatts(d, settings),
      excludedReason: policy.excludedReason ?? null,
      calendarKey: key,
      intervals: intervals.get(d.id) ?? [],
      blockers: spans.get(d.id) ?? [],
    };
    if (group) device.group = { id: group.id, name: group.name };
    devices.push(device);
    if (d.blockers.length > 0) devicesWithBlockersNow++;
  }
  return {
    devices,
    calendars,
    settings,
    rawRetentionFrom: period.now - settings.rawRetentionDays * DAY_MS,
    devicesWithBlockersNow,
    blockerHistoryFrom: await store.blockerHistoryFrom(),
    devicesWithAssumedCalendar,
  };
}

const displayName = (d: Pick<DeviceRecord, 'name' | 'hostname'>) => d.name ?? d.hostname;
