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
} from './ingest/rollup.js';
import type { PolicyService } from './policy-service.js';
import type { DeviceRecord, FleetSum, GroupRecord, RollupSum, Store } from './store/types.js';

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
 *
 * Whole hours and days are read from the fleet rollups (per group and device class) for every
 * grouping but `device`; `source: 'device'` reads the per-device rollups instead (the reference the
 * fleet rollups must equal, used by tests and the usage benchmark).
 */
export async function computeUsage(
  store: Store,
  policies: PolicyService,
  q: UsageQuery,
  opts: { now?: number; source?: 'fleet' | 'device' } = {},
): Promise<UsageResponse & { rows: UsageRowWithLabel[] }> {
  const settings = await store.getSettings();
  const groups = new Map((await store.listGroups()).map((g) => [g.id, g]));
  const scopeGroups = q.groupId ? [...(await policies.subtree(q.groupId))] : [...groups.keys()];
  const devices = q.groupId ? await store.listDevices({ groupIds: scopeGroups }) : await store.listDevices();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const ids = devices.map((d) => d.id);
  const fleet = opts.source !== 'device' && q.groupBy !== 'device';
  const acc = new Map<string, Acc>();

  const keyer = await deviceKeyer(q, policies, groups);
  const keyOfDevice = (d: DeviceRecord) => keyer(d.groupId, effectiveClass(d), d);
  const bucket = (key: string, label?: string): Acc => {
    let a = acc.get(key);
    if (!a) {
      a = { activeMs: 0, idleMs: 0, asleepMs: 0, offMs: 0, energyWh: 0, wasteWh: 0 };
      if (label !== undefined) a.label = label;
      acc.set(key, a);
    }
    return a;
  };
  const addSum = (a: Acc, s: RollupSum, sign: 1 | -1 = 1, share = 1) => {
    const f = sign * share;
    a.activeMs += f * s.activeMs;
    a.idleMs += f * (s.idleOnMs + s.idleOffMs);
    a.asleepMs += f * s.asleepMs;
    a.offMs += f * s.offMs;
    a.energyWh += f * s.energyWh;
    a.wasteWh += f * s.wasteWh;
  };
  const addBucket = (a: Acc, b: Bucket) => {
    a.activeMs += b[ACTIVE]!;
    a.idleMs += b[IDLE_ON]! + b[IDLE_OFF]!;
    a.asleepMs += b[ASLEEP]!;
    a.offMs += b[OFF]!;
    a.energyWh += b[ENERGY]!;
    a.wasteWh += b[WASTE]!;
  };
  const addDeviceSums = (sums: RollupSum[], share = 1) => {
    for (const s of sums) {
      const d = byId.get(s.key);
      if (!d) continue;
      const k = keyOfDevice(d);
      addSum(bucket(k.key, k.label), s, 1, share);
    }
  };
  const addFleetSums = (sums: FleetSum[], share = 1) => {
    for (const s of sums) {
      const k = keyer(s.groupId, s.deviceClass);
      addSum(bucket(k.key, k.label), s, 1, share);
    }
  };

  const timeKeyed = q.groupBy === 'day' || q.groupBy === 'hourOfWeek';
  const zoneOfGroup = new Map<number, string>();
  if (timeKeyed) for (const g of scopeGroups) zoneOfGroup.set(g, await policies.timeZoneOf(g));
  const zoneOf = (d: DeviceRecord) => zoneOfGroup.get(d.groupId) ?? DEFAULT_ZONE;
  const timeKey = timeKeyer(q.groupBy);

  /** what a time-keyed query reads per time zone: the zone's groups (fleet) or devices */
  interface ZoneSource {
    sumBuckets(kind: 'hour' | 'day', from: number, to: number): Promise<RollupSum[]>;
    sumHoursAt(hours: number[]): Promise<RollupSum[]>;
  }
  const zoneSources = new Map<string, ZoneSource>();
  if (timeKeyed) {
    const members = new Map<string, number[]>();
    if (fleet) {
      for (const g of scopeGroups) push(members, zoneOfGroup.get(g)!, g);
    } else {
      for (const d of devices) push(members, zoneOf(d), d.id);
    }
    const zones = [...members.keys()];
    if (fleet && q.groupId === undefined && zones.length === 1) {
      // the whole board in one time zone (the usual case): one row per hour for the whole fleet
      zoneSources.set(zones[0]!, {
        sumBuckets: (kind, a, b) =>
          kind === 'hour' ? store.sumBoardHours(a, b) : store.sumFleetByBucket(kind, a, b, scopeGroups),
        sumHoursAt: (hours) => store.sumBoardHoursAt(hours),
      });
      members.clear();
    }
    for (const [zone, list] of members) {
      zoneSources.set(
        zone,
        fleet
          ? {
              sumBuckets: (kind, a, b) => store.sumFleetByBucket(kind, a, b, list),
              sumHoursAt: (hours) => store.sumFleetHoursAt(hours, list),
            }
          : {
              sumBuckets: (kind, a, b) => store.sumRollupsByBucket(kind, a, b, list),
              sumHoursAt: (hours) => store.sumHourRollupsAt(hours, list),
            },
      );
    }
  }

  /**
   * Local days from daily rollups: a local day overlaps two UTC days; each UTC day mostly inside it
   * counts whole minus its hours outside, each UTC day mostly outside adds only its hours inside. So
   * a year needs ~365 daily sums plus the few boundary hours per day instead of 8,760 hourly sums.
   */
  const addLocalDays = async (zone: string, src: ZoneSource) => {
    const parts: { key: string; a: number; b: number }[] = [];
    for (let h = fromH; h < toH; h += HOUR_MS) {
      const key = timeKey(h, zone);
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
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const hourTimes = new Set<number>();
    for (const x of plan) {
      if (!x.day) hourTimes.add(x.t);
      else {
        lo = Math.min(lo, x.t);
        hi = Math.max(hi, x.t + DAY_MS);
      }
    }
    const daySums = new Map<number, RollupSum>();
    if (lo < hi) for (const s of await src.sumBuckets('day', lo, hi)) daySums.set(s.key, s);
    const hourSums = new Map<number, RollupSum>();
    for (const s of await src.sumHoursAt([...hourTimes])) hourSums.set(s.key, s);
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
      // labelled in each group's (device's) time zone
      for (const [zone, src] of zoneSources) {
        if (q.groupBy === 'hourOfWeek') {
          for (const s of await src.sumBuckets('hour', fromH, toH)) addSum(bucket(timeKey(s.key, zone)), s);
        } else {
          await addLocalDays(zone, src);
        }
      }
    } else {
      const add = fleet
        ? async (kind: 'hour' | 'day', a: number, b: number) =>
            addFleetSums(await store.sumFleetByGroupClass(kind, a, b, scopeGroups))
        : async (kind: 'hour' | 'day', a: number, b: number) =>
            addDeviceSums(await store.sumRollupsByDevice(kind, a, b, ids));
      const fromD = ceilTo(fromH, DAY_MS);
      const toD = floorTo(toH, DAY_MS);
      if (fromD < toD) {
        await add('day', fromD, toD);
        if (fromH < fromD) await add('hour', fromH, fromD);
        if (toD < toH) await add('hour', toD, toH);
      } else {
        await add('hour', fromH, toH);
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
      if (timeKeyed) {
        for (const [zone, src] of zoneSources) {
          for (const s of await src.sumBuckets('hour', hour, hour + HOUR_MS))
            addSum(bucket(timeKey(hour, zone)), s, 1, share);
        }
      } else if (fleet) {
        addFleetSums(await store.sumFleetByGroupClass('hour', hour, hour + HOUR_MS, scopeGroups), share);
      } else {
        addDeviceSums(await store.sumRollupsByDevice('hour', hour, hour + HOUR_MS, ids), share);
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
        if (timeKeyed) addBucket(bucket(timeKey(hour, zoneOf(d))), bk);
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

const DEFAULT_ZONE = 'Europe/Amsterdam';

function push<K, V>(map: Map<K, V[]>, k: K, v: V) {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/**
 * The local `day` or `hourOfWeek` key of a UTC hour in a zone. Intl formatting costs microseconds a
 * call and a year has 8,760 hours, so keys are remembered per zone across queries (bounded).
 */
const keyCache = new Map<string, Map<number, string>>();
function timeKeyer(groupBy: UsageGroupBy) {
  return (hour: number, zone: string): string => {
    const cacheKey = `${groupBy}|${zone}`;
    let m = keyCache.get(cacheKey);
    if (!m) {
      m = new Map();
      keyCache.set(cacheKey, m);
    }
    let k = m.get(hour);
    if (k === undefined) {
      const t = localTime(hour, zone);
      k = groupBy === 'day' ? t.date : `${t.weekday}-${t.hour}`;
      if (m.size >= 200_000) m.clear();
      m.set(hour, k);
    }
    return k;
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

/** Key and label of a bucket for device, group and deviceClass grouping, from a device's group and class. */
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
  return (groupId: number, deviceClass: string, d?: DeviceRecord): { key: string; label?: string } => {
    switch (q.groupBy) {
      case 'device':
        return d ? { key: String(d.id), label: d.name ?? d.hostname } : { key: '?' };
      case 'group': {
        const gid = groupKeys.get(groupId) ?? groupId;
        return { key: String(gid), label: groups.get(gid)?.name ?? String(gid) };
      }
      default:
        return { key: deviceClass };
    }
  };
}
