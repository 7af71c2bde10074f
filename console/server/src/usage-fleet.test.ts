import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@sluimer/scripts/model';
import {
  DAY_MS,
  type DeviceClass,
  energyFor,
  energyStateOf,
  HOUR_MS,
  type Interval,
  localTime,
  MINUTE_MS,
  type MonitorSize,
  type Settings,
  totalWatts,
  type UsageGroupBy,
} from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { powerProfile } from './energy-profile.js';
import { IngestService } from './ingest/service.js';
import { PolicyService } from './policy-service.js';
import { SqliteStore } from './store/sqlite.js';
import type { DeviceRecord } from './store/types.js';
import { computeUsage, type UsageRowWithLabel } from './usage.js';

/** small deterministic PRNG (mulberry32), so a failure can be replayed from its seed */
const rng = createRng;

const CLASSES: DeviceClass[] = ['desktop', 'laptop', 'chromebook', 'tablet', 'all-in-one'];
/** the week of the October DST switch in Europe (25 Oct 2026) and the US (1 Nov 2026) */
const T0 = Date.UTC(2026, 9, 20, 0, 0);
const SPAN = 16 * DAY_MS;
const NOW = T0 + SPAN + DAY_MS;

const stores: SqliteStore[] = [];
const localMemo = new Map<string, ReturnType<typeof localTime>>();
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

interface Fleet {
  store: SqliteStore;
  policies: PolicyService;
  settings: Settings;
  board: number;
  schools: number[];
  seqs: Map<number, number>;
  ends: Map<number, number>;
}

/** a board of two schools, the second in New York unless `oneZone` (then the board-wide rollup serves) */
async function makeFleet(
  seed: number,
  devicesN: number,
  dataDir = ':memory:',
  oneZone = false,
): Promise<Fleet> {
  const r = rng(seed);
  const store = new SqliteStore({ dataDir, now: () => NOW });
  stores.push(store);
  const settings = await store.putSettings({
    ...(await store.getSettings()),
    classWatts: { laptop: { idle_display_on: 9 } },
  });
  const g = (name: string, parentId: number | null, timeZone: string | null = null) =>
    store.createGroup({ name, parentId, kind: 'room', timeZone, excludedReason: null, now: 0 });
  const board = (await g('board', null)).id;
  const ams = (await g('school A', board)).id;
  const ny = (await g('school B', board, oneZone ? null : 'America/New_York')).id;
  const rooms: number[] = [];
  for (let i = 0; i < 4; i++) rooms.push((await g(`A${i}`, ams)).id);
  for (let i = 0; i < 3; i++) rooms.push((await g(`B${i}`, ny)).id);
  const allGroups = [board, ams, ny, ...rooms];
  for (let i = 0; i < devicesN; i++) {
    const detected = r.pick(CLASSES);
    const { deviceId } = await store.enrollDevice({
      installId: `install-${i}`,
      tokenHash: `hash-${i}`,
      groupId: r.next() < 0.8 ? r.pick(rooms) : r.pick(allGroups),
      hostname: `pc-${i}`,
      inventory: {},
      detectedClass: detected,
      now: 0,
    });
    const patch: Parameters<SqliteStore['updateDevice']>[1] = {};
    if (r.next() < 0.2) patch.deviceClass = r.pick(CLASSES);
    if (r.next() < 0.2) patch.monitors = r.pick<MonitorSize[]>([[], ['27'], ['24', '24']]);
    if (r.next() < 0.2) patch.desktopPreset = r.pick(['modern', 'older'] as const);
    await store.updateDevice(deviceId, patch);
  }
  return {
    store,
    policies: new PolicyService(store),
    settings,
    board,
    schools: [ams, ny],
    seqs: new Map(),
    ends: new Map(),
  };
}

/** random non-overlapping intervals for every device, sent as reports in random batches */
async function ingestRandom(f: Fleet, seed: number, until: number, between?: () => Promise<void>) {
  const r = rng(seed);
  const devices = await f.store.listDevices();
  const items = [];
  for (const d of devices) {
    let t = f.ends.get(d.id) ?? T0 + r.int(0, 300) * MINUTE_MS;
    const intervals: Interval[] = [];
    while (t < until) {
      t += r.next() < 0.3 ? r.int(0, 180) * MINUTE_MS + r.int(0, 59_999) : 0; // a gap (no data)
      const len = r.next() < 0.7 ? r.int(1, 240) * MINUTE_MS + r.int(0, 59_999) : r.int(1, 40) * HOUR_MS;
      const end = Math.min(t + len, until);
      if (end <= t) break;
      const state = r.pick(['active', 'idle', 'idle', 'asleep', 'off'] as const);
      const iv: Interval = { start: t, end, state };
      if (r.next() < 0.6) iv.display = r.pick(['on', 'off'] as const);
      intervals.push(iv);
      t = end;
    }
    f.ends.set(d.id, t);
    for (let i = 0; i < intervals.length; i += 50) {
      const seq = (f.seqs.get(d.id) ?? 0) + 1;
      f.seqs.set(d.id, seq);
      items.push({ deviceId: d.id, seq, intervals: intervals.slice(i, i + 50) });
    }
  }
  // reports from many devices interleaved, committed in batches like the gateway's group commits
  items.sort((a, b) => a.seq - b.seq || r.next() - 0.5);
  for (let i = 0; i < items.length; ) {
    const n = r.int(1, 40);
    const out = await new IngestService(f.store).ingestBatch(items.slice(i, i + n), {
      now: NOW,
      maxEnd: NOW,
      minStart: 0,
    });
    for (const o of out) expect(o.status).toBe('stored');
    i += n;
    await between?.();
  }
}

/** usage computed straight from the raw intervals with the shared energy functions */
async function bruteForce(f: Fleet, groupBy: UsageGroupBy, from: number, to: number, groupId?: number) {
  const groups = new Map((await f.store.listGroups()).map((g) => [g.id, g]));
  const scope = groupId === undefined ? undefined : await f.policies.subtree(groupId);
  const devices = (await f.store.listDevices()).filter((d) => !scope || scope.has(d.groupId));
  const out = new Map<string, { a: number; i: number; s: number; o: number; e: number; w: number }>();
  const keyOf = async (d: DeviceRecord, hour: number): Promise<string> => {
    switch (groupBy) {
      case 'device':
        return String(d.id);
      case 'deviceClass':
        return d.deviceClass ?? d.detectedClass;
      case 'group': {
        if (groupId === undefined) return String(d.groupId);
        const chain = await f.policies.chain(d.groupId);
        const at = chain.findIndex((c) => c.id === groupId);
        return String(chain[at + 1]?.id ?? groupId);
      }
      default: {
        const zone = await f.policies.timeZoneOf(d.groupId);
        const memo = `${zone}|${hour}`;
        let t = localMemo.get(memo);
        if (!t) {
          t = localTime(hour, zone);
          localMemo.set(memo, t);
        }
        return groupBy === 'day' ? t.date : `${t.weekday}-${t.hour}`;
      }
    }
  };
  for (const d of devices) {
    const watts = totalWatts(powerProfile(d), f.settings);
    const raw = await f.store.intervalsOverlapping([d.id], from, to);
    for (const iv of raw) {
      const a = Math.max(iv.start, from);
      const b = Math.min(iv.end, to);
      for (let h = Math.floor(a / HOUR_MS) * HOUR_MS; h < b; h += HOUR_MS) {
        const ms = Math.min(b, h + HOUR_MS) - Math.max(a, h);
        if (ms <= 0) continue;
        const k = await keyOf(d, h);
        const x = out.get(k) ?? { a: 0, i: 0, s: 0, o: 0, e: 0, w: 0 };
        const st = energyStateOf(iv);
        if (iv.state === 'active') x.a += ms;
        else if (iv.state === 'idle') x.i += ms;
        else if (iv.state === 'asleep') x.s += ms;
        else x.o += ms;
        const en = energyFor(watts, st, ms);
        x.e += en.energyWh;
        x.w += en.wasteWh;
        out.set(k, x);
      }
    }
  }
  void groups;
  return out;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

function expectEqualRows(
  got: UsageRowWithLabel[],
  want: Map<string, { a: number; i: number; s: number; o: number; e: number; w: number }>,
  what: string,
) {
  const wantKeys = [...want.entries()].filter(([, x]) => x.a + x.i + x.s + x.o > 0).map(([k]) => k);
  expect(got.map((r) => r.key).sort(), what).toEqual(wantKeys.sort());
  for (const row of got) {
    const x = want.get(row.key)!;
    const pairs: [number, number, string][] = [
      [row.activeSec, x.a / 1000, 'activeSec'],
      [row.idleSec, x.i / 1000, 'idleSec'],
      [row.asleepSec, x.s / 1000, 'asleepSec'],
      [row.offSec, x.o / 1000, 'offSec'],
      [row.energyKwh, x.e / 1000, 'energyKwh'],
      [row.wasteKwh, x.w / 1000, 'wasteKwh'],
    ];
    for (const [g, w, field] of pairs) {
      if (!close(g, w)) expect.fail(`${what} key ${row.key} ${field}: got ${g}, want ${w}`);
    }
  }
}

const GROUP_BYS: UsageGroupBy[] = ['device', 'group', 'deviceClass', 'day', 'hourOfWeek'];

/** ranges of every shape: whole days, whole hours, odd minutes and seconds, inside one hour, the DST days */
function ranges(seed: number): [number, number][] {
  const r = rng(seed);
  const out: [number, number][] = [
    [T0, T0 + SPAN],
    [T0 - 3 * DAY_MS, T0 + SPAN + 3 * DAY_MS],
    [Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 26, 0)],
    [Date.UTC(2026, 9, 31, 12, 17, 3), Date.UTC(2026, 10, 2, 9, 41)],
    [T0 + 5 * HOUR_MS + 10 * MINUTE_MS, T0 + 5 * HOUR_MS + 50 * MINUTE_MS],
  ];
  for (let i = 0; i < 3; i++) {
    const a = T0 + r.int(0, SPAN - 1);
    const b = a + r.int(1, SPAN);
    out.push([a, b]);
  }
  return out;
}

async function checkAll(f: Fleet, seed: number, what: string) {
  for (const [from, to] of ranges(seed)) {
    for (const groupBy of GROUP_BYS) {
      for (const groupId of [undefined, f.board, f.schools[1]!]) {
        const q = { from, to, groupBy, groupId };
        const got = await computeUsage(f.store, f.policies, q, { now: NOW });
        const want = await bruteForce(f, groupBy, from, to, groupId);
        expectEqualRows(got.rows, want, `${what} ${groupBy} [${from}, ${to}) group ${groupId}`);
      }
    }
  }
}

describe('usage from fleet rollups', () => {
  it('equals a brute-force computation from raw intervals for every groupBy, range and scope', async () => {
    for (const seed of [1, 3]) {
      const f = await makeFleet(seed, 24, ':memory:', seed === 3);
      await ingestRandom(f, seed * 10, T0 + SPAN / 2);
      await ingestRandom(f, seed * 10 + 1, T0 + SPAN);
      await checkAll(f, seed * 100, `seed ${seed}`);
    }
  }, 120_000);

  it('stays equal after devices move group, change class, are erased, or deleted with their rollups', async () => {
    const f = await makeFleet(7, 30, ':memory:', true);
    await ingestRandom(f, 70, T0 + SPAN / 2);
    const devices = await f.store.listDevices();
    const groups = (await f.store.listGroups()).map((g) => g.id);
    // moves: the PATCH path, and re-enrollment into another group
    await f.store.updateDevice(devices[0]!.id, { groupId: groups[groups.length - 1]! });
    await f.store.updateDevice(devices[1]!.id, { groupId: groups[0]! });
    await f.store.enrollDevice({
      installId: devices[2]!.installId,
      tokenHash: 'new-hash',
      groupId: devices[3]!.groupId === devices[2]!.groupId ? groups[1]! : devices[3]!.groupId,
      hostname: devices[2]!.hostname,
      inventory: {},
      detectedClass: devices[2]!.detectedClass,
      now: 0,
    });
    // AVG erasure as the ops route does it, and a plain delete with rollups going by cascade
    const db = f.store.db;
    db.transaction(() => {
      for (const t of ['intervals', 'rollup_hour', 'rollup_day']) {
        db.prepare(`DELETE FROM ${t} WHERE device_id = ?`).run(devices[4]!.id);
      }
      db.prepare('DELETE FROM devices WHERE id = ?').run(devices[4]!.id);
    })();
    db.prepare('DELETE FROM devices WHERE id = ?').run(devices[5]!.id);
    f.policies.invalidate();
    await ingestRandom(f, 71, T0 + SPAN);
    await checkAll(f, 700, 'after moves');
    // a school moving to another time zone: its hours are labelled in the new zone from then on
    await f.store.updateGroup(f.schools[1]!, { timeZone: 'Europe/London' });
    f.policies.invalidate();
    await checkAll(f, 701, 'after a time zone change');

    // a class change moves the device's rows to the other class; totals per class follow (and its
    // energy is recomputed: fleet and per-device rollups compared once that is done)
    await f.store.updateDevice(devices[6]!.id, {
      deviceClass: devices[6]!.detectedClass === 'tablet' ? 'desktop' : 'tablet',
    });
    await f.store.energy.idle();
    for (const groupBy of ['deviceClass', 'group', 'day'] as const) {
      const q = { from: T0, to: T0 + SPAN, groupBy };
      const fleet = await computeUsage(f.store, f.policies, q, { now: NOW });
      const perDevice = await computeUsage(f.store, f.policies, q, { now: NOW, source: 'device' });
      expect(fleet.rows.map((r) => r.key)).toEqual(perDevice.rows.map((r) => r.key));
      fleet.rows.forEach((row, i) => {
        const ref = perDevice.rows[i]!;
        for (const k of ['activeSec', 'idleSec', 'asleepSec', 'offSec', 'energyKwh', 'wasteKwh'] as const) {
          if (!close(row[k], ref[k])) expect.fail(`${groupBy} ${row.key} ${k}: ${row[k]} vs ${ref[k]}`);
        }
      });
    }
    // nothing left behind for groups and classes without devices
    const empty = db
      .prepare(
        `SELECT COUNT(*) AS n FROM fleet_hour f WHERE NOT EXISTS (SELECT 1 FROM devices d
          WHERE d.group_id = f.group_id AND COALESCE(d.device_class, d.detected_class) = f.device_class)`,
      )
      .get() as { n: number };
    expect(empty.n).toBe(0);
  }, 120_000);
});

describe('usage past the raw retention', () => {
  it('pro-rates partial edge hours from fleet rollups exactly as from per-device rollups', async () => {
    const f = await makeFleet(21, 16, ':memory:', false);
    await ingestRandom(f, 210, T0 + SPAN);
    await f.store.energy.idle();
    await f.store.putSettings({ ...f.settings, rawRetentionDays: 30 });
    // the raw intervals of the first ten days are past the retention at this clock
    const later = T0 + 40 * DAY_MS;
    await f.store.pruneRawIntervals(later - 30 * DAY_MS);
    for (const [from, to] of ranges(2100)) {
      for (const groupBy of GROUP_BYS) {
        for (const groupId of [undefined, f.schools[1]!]) {
          const q = { from, to, groupBy, groupId };
          const fleet = await computeUsage(f.store, f.policies, q, { now: later });
          const ref = await computeUsage(f.store, f.policies, q, { now: later, source: 'device' });
          const what = `${groupBy} [${from}, ${to}) group ${groupId}`;
          expect(
            fleet.rows.map((r) => r.key),
            what,
          ).toEqual(ref.rows.map((r) => r.key));
          fleet.rows.forEach((row, i) => {
            const x = ref.rows[i]!;
            for (const k of [
              'activeSec',
              'idleSec',
              'asleepSec',
              'offSec',
              'energyKwh',
              'wasteKwh',
            ] as const) {
              if (!close(row[k], x[k])) expect.fail(`${what} ${row.key} ${k}: ${row[k]} vs ${x[k]}`);
            }
          });
        }
      }
    }
  }, 120_000);
});

describe('stored energy after corrections', () => {
  it('is recomputed from raw intervals after class, preset, monitor and watt changes', async () => {
    const f = await makeFleet(11, 20, ':memory:', true);
    await ingestRandom(f, 110, T0 + SPAN);
    await f.store.energy.idle();
    const devices = await f.store.listDevices();
    await f.store.updateDevice(devices[0]!.id, { deviceClass: 'all-in-one' });
    await f.store.updateDevice(devices[1]!.id, { monitors: ['27', '27'] });
    await f.store.updateDevice(devices[2]!.id, { deviceClass: 'desktop', desktopPreset: 'older' });
    f.settings = await f.store.putSettings({
      ...f.settings,
      classWatts: { chromebook: { idle_display_on: 6, active: 9 } },
      monitorWatts: { '24': { idle_display_on: 18 } },
    });
    expect(f.store.energy.pending()).toBeGreaterThan(3);
    await f.store.energy.idle();
    expect(f.store.energy.pending()).toBe(0);
    await checkAll(f, 1100, 'after corrections');
    // the daily rollups still add up to the hourly ones
    const off = f.store.db
      .prepare(
        `SELECT COUNT(*) AS n FROM rollup_day d WHERE ABS(d.energy_wh - (SELECT SUM(energy_wh) FROM rollup_hour h
          WHERE h.device_id = d.device_id AND h.hour >= d.day AND h.hour < d.day + ${DAY_MS})) > 1e-9`,
      )
      .get() as { n: number };
    expect(off.n).toBe(0);
  }, 120_000);

  it('keeps the figures of hours whose raw intervals are past the retention', async () => {
    const f = await makeFleet(12, 3);
    f.settings = await f.store.putSettings({ ...f.settings, rawRetentionDays: 30 });
    const [dev] = await f.store.listDevices();
    const id = dev!.id;
    const old = NOW - 40 * DAY_MS;
    const recent = NOW - 5 * DAY_MS;
    const out = await new IngestService(f.store).ingestBatch(
      [
        {
          deviceId: id,
          seq: 1,
          intervals: [
            { start: old, end: old + 2 * HOUR_MS, state: 'idle', display: 'on' },
            { start: recent, end: recent + 2 * HOUR_MS, state: 'idle', display: 'on' },
          ],
        },
      ],
      { now: NOW, maxEnd: NOW, minStart: 0 },
    );
    expect(out[0]!.status).toBe('stored');
    await f.store.pruneRawIntervals(NOW - 30 * DAY_MS);
    const energyAt = (hour: number) =>
      (
        f.store.db
          .prepare('SELECT energy_wh AS e FROM rollup_hour WHERE device_id = ? AND hour = ?')
          .get(id, hour) as {
          e: number;
        }
      ).e;
    const oldBefore = energyAt(old);
    const newClass = dev!.detectedClass === 'desktop' && !dev!.deviceClass ? 'tablet' : 'desktop';
    await f.store.updateDevice(id, { deviceClass: newClass, monitors: null, desktopPreset: null });
    await f.store.energy.idle();
    expect(energyAt(old)).toBe(oldBefore);
    const watts = totalWatts({ deviceClass: newClass }, f.settings);
    expect(energyAt(recent)).toBeCloseTo(watts.idle_display_on, 9);
    // fleet and daily rollups took the same difference
    const fleet = await computeUsage(
      f.store,
      f.policies,
      { from: recent, to: recent + DAY_MS, groupBy: 'day' },
      { now: NOW },
    );
    expect(fleet.rows.reduce((a, r) => a + r.energyKwh, 0)).toBeCloseTo(
      (2 * watts.idle_display_on) / 1000,
      9,
    );
    const oldUsage = await computeUsage(
      f.store,
      f.policies,
      { from: old, to: old + HOUR_MS, groupBy: 'deviceClass' },
      { now: NOW },
    );
    expect(oldUsage.rows).toEqual([expect.objectContaining({ key: newClass, energyKwh: oldBefore / 1000 })]);
  });

  it('works in chunks between ingest batches and ends equal to the raw intervals', async () => {
    const f = await makeFleet(13, 20);
    await ingestRandom(f, 130, T0 + SPAN / 2);
    await f.store.energy.idle();
    f.settings = await f.store.putSettings({
      ...f.settings,
      classWatts: { laptop: { idle_display_on: 11 } },
      monitorWatts: { '24': { active: 17 } },
    });
    const queued = f.store.energy.pending();
    expect(queued).toBeGreaterThan(0);
    let sawProgress = false;
    let sawWorking = false;
    // ingest goes on while the recompute works; every batch yields once to the event loop
    await ingestRandom(f, 131, T0 + SPAN, async () => {
      for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
      const left = f.store.energy.pending();
      if (left < queued) sawProgress = true;
      if (left > 0) sawWorking = true;
    });
    expect(sawProgress && sawWorking).toBe(true);
    await f.store.energy.idle();
    await checkAll(f, 1300, 'after recompute during ingest');
  }, 120_000);

  it('resumes a recompute that a restart cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-recompute-test-'));
    try {
      const f = await makeFleet(14, 10, dir);
      await ingestRandom(f, 140, T0 + SPAN);
      await f.store.energy.idle();
      f.settings = await f.store.putSettings({
        ...f.settings,
        classWatts: {
          desktop: { idle_display_on: 33 },
          laptop: { idle_display_off: 6 },
          chromebook: { active: 5 },
          tablet: { active: 3 },
          'all-in-one': { active: 40 },
        },
      });
      expect(f.store.energy.pending()).toBeGreaterThan(0);
      await f.store.close(); // before any chunk ran
      const store = new SqliteStore({ dataDir: dir, now: () => NOW });
      stores.push(store);
      await store.energy.idle();
      expect(store.energy.pending()).toBe(0);
      await checkAll({ ...f, store, policies: new PolicyService(store) }, 1400, 'after restart');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
