import {
  DAY_MS,
  HOUR_MS,
  localTime,
  type Settings,
  type UsageGroupBy,
  type UsageResponse,
  type UsageRow,
} from '@sluimer/shared';
import { deviceTotalWatts, effectiveClass } from './energy-profile.js';
import type { PolicyService } from './policy-service.js';
import {
  ACTIVE,
  ASLEEP,
  accumulate,
  type Bucket,
  ENERGY,
  IDLE_OFF,
  IDLE_ON,
  OFF,
  slotOf,
  slotWatts,
  WASTE,
} from './rollup.js';
import type { DeviceRecord, GroupRecord, RollupSum, Store } from './store/types.js';

export interface UsageQuery {
  from: number;
  to: number;
  groupBy: UsageGroupBy;
  groupId?: number | undefined;
}

interface Acc {
  label?: string;
  activeMs: number;
  idleMs: number;
  asleepMs: number;
  offMs: number;
  energyWh: number;
  wasteWh: number;
}

/** One row of the usage answer plus a human label for device and group keys. */
export type UsageRowWithLabel = UsageRow & { label?: string };

const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;
const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

/**
 * Usage per bucket over [from, to), clipped exactly: whole UTC days come from daily rollups, whole
 * hours from hourly rollups, and the partial hours at the edges from raw intervals. `day` and
 * `hourOfWeek` keys are in each device's school time zone (Europe/Amsterdam by default).
 */
export async function computeUsage(
  store: Store,
  policies: PolicyService,
  q: UsageQuery,
  opts: { now?: number } = {},
): Promise<UsageResponse & { rows: UsageRowWithLabel[] }> {
  const settings = await store.getSettings();
  const groups = new Map((await store.listGroups()).map((g) => [g.id, g]));
  const devices = q.groupId
    ? await store.listDevices({ groupIds: [...(await policies.subtree(q.groupId))] })
    : await store.listDevices();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const ids = devices.map((d) => d.id);
  const scope = ids;
  const acc = new Map<string, Acc>();

  const keyOfDevice = await deviceKeyer(q, policies, groups);
  const bucket = (key: string, label?: string): Acc => {
    let a = acc.get(key);
    if (!a) {
      a = { activeMs: 0, idleMs: 0, asleepMs: 0, offMs: 0, energyWh: 0, wasteWh: 0 };
      if (label !== undefined) a.label = label;
      acc.set(key, a);
    }
    return a;
  };
  const addSum = (a: Acc, s: RollupSum, sign: 1 | -1 = 1) => {
    a.activeMs += sign * s.activeMs;
    a.idleMs += sign * (s.idleOnMs + s.idleOffMs);
    a.asleepMs += sign * s.asleepMs;
    a.offMs += sign * s.offMs;
    a.energyWh += sign * s.energyWh;
    a.wasteWh += sign * s.wasteWh;
  };
  const addBucket = (a: Acc, b: Bucket) => {
    a.activeMs += b[ACTIVE]!;
    a.idleMs += b[IDLE_ON]! + b[IDLE_OFF]!;
    a.asleepMs += b[ASLEEP]!;
    a.offMs += b[OFF]!;
    a.energyWh += b[ENERGY]!;
    a.wasteWh += b[WASTE]!;
  };

  const timeKeyed = q.groupBy === 'day' || q.groupBy === 'hourOfWeek';
  const zoneOf = new Map<number, string>();
  if (timeKeyed) for (const d of devices) zoneOf.set(d.id, await policies.timeZoneOf(d.groupId));
  const timeKey = (hour: number, zone: string) => {
    const t = localTime(hour, zone);
    return q.groupBy === 'day' ? t.date : `${t.weekday}-${t.hour}`;
  };

  /**
   * Local days from daily rollups: a local day overlaps two UTC days; each UTC day mostly inside it
   * counts whole minus its hours outside, each UTC day mostly outside adds only its hours inside. So
   * a year needs ~365 daily sums plus the few boundary hours per day instead of 8,760 hourly sums.
   */
  const addLocalDays = async (zone: string, zoneIds: number[]) => {
    const parts: { key: string; a: number; b: number }[] = [];
    for (let h = fromH; h < toH; h += HOUR_MS) {
      const key = localTime(h, zone).date;
      const last = parts[parts.length - 1];
      if (last && last.key === key && last.b === h) last.b = h + HOUR_MS;
      else parts.push({ key, a: h, b: h + HOUR_MS });
    }
    const plan: { key: string; sign: 1 | -1; day: boolean; t: number }[] = [];
    for (const p of parts) {
      for (let d = floorTo(p.a, DAY_MS); d < p.b; d += DAY_MS) {
        const ia = Math.max(p.a, d);
        const ib = Math.min(p.b, d + DAY_MS);
        if (ib - ia > DAY_MS / 2) {
          plan.push({ key: p.key, sign: 1, day: true, t: d });
          for (let h = d; h < ia; h += HOUR_MS) plan.push({ key: p.key, sign: -1, day: false, t: h });
          for (let h = ib; h < d + DAY_MS; h += HOUR_MS)
            plan.push({ key: p.key, sign: -1, day: false, t: h });
        } else {
          for (let h = ia; h < ib; h += HOUR_MS) plan.push({ key: p.key, sign: 1, day: false, t: h });
        }
      }
    }
    const dayTimes = plan.filter((x) => x.day).map((x) => x.t);
    const hourTimes = [...new Set(plan.filter((x) => !x.day).map((x) => x.t))];
    const daySums = new Map<number, RollupSum>();
    if (dayTimes.length) {
      const lo = Math.min(...dayTimes);
      const hi = Math.max(...dayTimes) + DAY_MS;
      for (const s of await store.sumRollupsByBucket('day', lo, hi, zoneIds)) daySums.set(s.key, s);
    }
    const hourSums = new Map<number, RollupSum>();
    for (const s of await store.sumHourRollupsAt(hourTimes, zoneIds)) hourSums.set(s.key, s);
    for (const x of plan) {
      const s = (x.day ? daySums : hourSums).get(x.t);
      if (s) addSum(bucket(x.key), s, x.sign);
    }
  };

  const { from, to } = q;
  const fromH = ceilTo(from, HOUR_MS);
  const toH = floorTo(to, HOUR_MS);
  const edges: [number, number][] = [];
  if (fromH >= toH) {
    edges.push([from, to]);
  } else {
    if (from < fromH) edges.push([from, fromH]);
    if (toH < to) edges.push([toH, to]);
    if (timeKeyed) {
      // labelled in each device's time zone
      const zones = new Map<string, number[]>();
      for (const d of devices) {
        const z = zoneOf.get(d.id)!;
        const list = zones.get(z) ?? [];
        list.push(d.id);
        zones.set(z, list);
      }
      for (const [zone, zoneIds] of zones) {
        if (q.groupBy === 'hourOfWeek') {
          for (const s of await store.sumRollupsByBucket('hour', fromH, toH, zoneIds)) {
            addSum(bucket(timeKey(s.key, zone)), s);
          }
        } else {
          await addLocalDays(zone, zoneIds);
        }
      }
    } else {
      const addDeviceSums = (sums: RollupSum[]) => {
        for (const s of sums) {
          const d = byId.get(s.key);
          if (!d) continue;
          const k = keyOfDevice(d);
          addSum(bucket(k.key, k.label), s);
        }
      };
      const fromD = ceilTo(fromH, DAY_MS);
      const toD = floorTo(toH, DAY_MS);
      if (fromD < toD) {
        addDeviceSums(await store.sumRollupsByDevice('day', fromD, toD, scope));
        if (fromH < fromD) addDeviceSums(await store.sumRollupsByDevice('hour', fromH, fromD, scope));
        if (toD < toH) addDeviceSums(await store.sumRollupsByDevice('hour', toD, toH, scope));
      } else {
        addDeviceSums(await store.sumRollupsByDevice('hour', fromH, toH, scope));
      }
    }
  }

  // partial hours at the edges: raw intervals, clipped to [from, to); an edge whose raw data is past
  // the retention is pro-rated from its hourly rollup instead
  const rawCutoff = (opts.now ?? Date.now()) - settings.rawRetentionDays * DAY_MS;
  for (const [a, b] of edges) {
    if (b <= rawCutoff) {
      const hour = floorTo(a, HOUR_MS);
      const share = (b - a) / HOUR_MS;
      for (const s of await store.sumRollupsByDevice('hour', hour, hour + HOUR_MS, scope)) {
        const d = byId.get(s.key);
        if (!d) continue;
        const scaled: RollupSum = {
          key: s.key,
          activeMs: s.activeMs * share,
          idleOnMs: s.idleOnMs * share,
          idleOffMs: s.idleOffMs * share,
          asleepMs: s.asleepMs * share,
          offMs: s.offMs * share,
          energyWh: s.energyWh * share,
          wasteWh: s.wasteWh * share,
        };
        if (timeKeyed) addSum(bucket(timeKey(hour, zoneOf.get(d.id)!)), scaled);
        else {
          const k = keyOfDevice(d);
          addSum(bucket(k.key, k.label), scaled);
        }
      }
      continue;
    }
    const intervals = await store.intervalsOverlapping(ids, a, b);
    const watts = new Map<number, ReturnType<typeof slotWatts>>();
    for (const iv of intervals) {
      const d = byId.get(iv.deviceId)!;
      let w = watts.get(d.id);
      if (!w) {
        w = slotWatts(deviceTotalWatts(d, settings));
        watts.set(d.id, w);
      }
      const start = Math.max(iv.start, a);
      const end = Math.min(iv.end, b);
      if (end <= start) continue;
      const hours = new Map<number, Bucket>();
      accumulate(hours, null, start, end, slotOf(iv.state, iv.display), w.watts, w.waste);
      for (const [hour, bk] of hours) {
        if (timeKeyed) addBucket(bucket(timeKey(hour, zoneOf.get(d.id)!)), bk);
        else {
          const k = keyOfDevice(d);
          addBucket(bucket(k.key, k.label), bk);
        }
      }
    }
  }

  // buckets with data only (a local day made of a daily sum minus its hours can come out empty)
  const rows = [...acc.entries()]
    .filter(([, a]) => a.activeMs + a.idleMs + a.asleepMs + a.offMs > 0)
    .map(([key, a]) => toRow(key, a, settings));
  rows.sort(compareKeys(q.groupBy));
  return {
    from,
    to,
    groupBy: q.groupBy,
    settings: { priceEurPerKwh: settings.priceEurPerKwh, gridKgPerKwh: settings.gridKgPerKwh },
    rows,
  };
}

function toRow(key: string, a: Acc, settings: Settings): UsageRowWithLabel {
  // a daily sum minus its hourly parts may leave float dust below zero
  const wasteKwh = Math.max(0, a.wasteWh) / 1000;
  const row: UsageRowWithLabel = {
    key,
    activeSec: a.activeMs / 1000,
    idleSec: a.idleMs / 1000,
    asleepSec: a.asleepMs / 1000,
    offSec: a.offMs / 1000,
    energyKwh: Math.max(0, a.energyWh) / 1000,
    wasteKwh,
    wasteEur: wasteKwh * settings.priceEurPerKwh,
    wasteCo2eKg: wasteKwh * settings.gridKgPerKwh,
  };
  if (a.label !== undefined) row.label = a.label;
  return row;
}

function compareKeys(groupBy: UsageGroupBy) {
  return (x: UsageRow, y: UsageRow): number => {
    if (groupBy === 'device' || groupBy === 'group') return Number(x.key) - Number(y.key);
    if (groupBy === 'hourOfWeek') {
      const [xd, xh] = x.key.split('-').map(Number) as [number, number];
      const [yd, yh] = y.key.split('-').map(Number) as [number, number];
      return xd - yd || xh - yh;
    }
    return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
  };
}

/** Key and label of a device's bucket for device, group and deviceClass grouping. */
async function deviceKeyer(q: UsageQuery, policies: PolicyService, groups: Map<number, GroupRecord>) {
  const groupKeys = new Map<number, number>();
  if (q.groupBy === 'group') {
    // with groupId: the child of that group the device sits under (or the group itself); else its own group
    for (const g of groups.values()) {
      if (q.groupId === undefined) {
        groupKeys.set(g.id, g.id);
        continue;
      }
      const chain = await policies.chain(g.id);
      const at = chain.findIndex((c) => c.id === q.groupId);
      if (at >= 0) groupKeys.set(g.id, chain[at + 1]?.id ?? q.groupId);
    }
  }
  return (d: DeviceRecord): { key: string; label?: string } => {
    switch (q.groupBy) {
      case 'device':
        return { key: String(d.id), label: d.name ?? d.hostname };
      case 'group': {
        const gid = groupKeys.get(d.groupId) ?? d.groupId;
        return { key: String(gid), label: groups.get(gid)?.name ?? String(gid) };
      }
      default:
        return { key: effectiveClass(d) };
    }
  };
}
