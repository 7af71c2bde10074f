import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS } from '@sluimer/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../cli.js';
import { PostgresStore } from '../store/postgres.js';
import { SqliteStore } from '../store/sqlite.js';
import {
  describeWithPostgres,
  type PostgresServer,
  startPostgres,
} from '../store/testing/postgres-server.js';
import type { RollupAmounts, Store } from '../store/types.js';

const zero: RollupAmounts = {
  activeMs: 0,
  idleOnMs: 0,
  idleOffMs: 0,
  asleepMs: 0,
  offMs: 0,
  energyWh: 0,
  wasteWh: 0,
};
const T0 = Date.UTC(2026, 10, 2, 8);

/** a small console: nested groups (a parent with a higher id than its child), users, devices, usage */
async function fill(store: SqliteStore) {
  await store.createUser({ username: 'admin', passwordHash: 'h', role: 'admin', now: 1 });
  await store.createUser({ username: 'kijker', passwordHash: 'h2', role: 'viewer', now: 2 });
  const room = await store.createGroup({
    name: 'Lokaal 1',
    parentId: null,
    kind: 'room',
    timeZone: null,
    excludedReason: null,
    now: 3,
  });
  const school = await store.createGroup({
    name: 'De Linde',
    parentId: null,
    kind: 'school',
    timeZone: 'Europe/Amsterdam',
    excludedReason: null,
    now: 4,
  });
  await store.updateGroup(room.id, { parentId: school.id });
  const policy = await store.createPolicy({ name: 'Lesuren', settings: { idleThresholdSec: 600 }, now: 5 });
  await store.assignPolicy(policy.id, { groupIds: [school.id], deviceIds: [] });
  await store.createEnrollSecret({
    groupId: room.id,
    secretHash: 'sh',
    expiresAt: null,
    deviceLimit: 30,
    now: 6,
  });
  await store.putSettings({ priceEurPerKwh: 0.31, gridKgPerKwh: 0.2, rawRetentionDays: 60 });
  const devices: number[] = [];
  for (let n = 0; n < 3; n++) {
    const { deviceId } = await store.enrollDevice({
      installId: `install-${n}`,
      tokenHash: `token-${n}`,
      groupId: room.id,
      hostname: `pc-${n}`,
      inventory: { os: 'linux' },
      detectedClass: n === 2 ? 'laptop' : 'desktop',
      now: 7,
    });
    devices.push(deviceId);
  }
  // three hours of each device, through the store's ingest write path
  for (const [i, deviceId] of devices.entries()) {
    const cls = i === 2 ? 'laptop' : 'desktop';
    const hours = [0, 1, 2].map((h) => T0 + h * HOUR_MS);
    await store.commitIngest({
      updates: [],
      devices: [
        {
          deviceId,
          expect: {
            maxSeq: 0,
            groupId: room.id,
            deviceClass: null,
            detectedClass: cls,
            desktopPreset: null,
            monitors: null,
          },
          maxSeq: 1,
          maxEnd: T0 + 3 * HOUR_MS,
          lastSeen: T0 + 3 * HOUR_MS,
        },
      ],
      extend: [],
      insert: hours.map((h, k) => ({
        deviceId,
        start: h,
        end: h + HOUR_MS,
        state: k === 1 ? ('idle' as const) : ('active' as const),
        display: 'on' as const,
      })),
      deviceHours: hours.map((h, k) => ({
        ...zero,
        deviceId,
        bucket: h,
        ...(k === 1 ? { idleOnMs: HOUR_MS } : { activeMs: HOUR_MS }),
        energyWh: 35.1 + i,
      })),
      deviceDays: [
        {
          ...zero,
          deviceId,
          bucket: Math.floor(T0 / DAY_MS) * DAY_MS,
          activeMs: 2 * HOUR_MS,
          idleOnMs: HOUR_MS,
          energyWh: 3 * (35.1 + i),
        },
      ],
      fleetHours: hours.map((h, k) => ({
        ...zero,
        bucket: h,
        groupId: room.id,
        deviceClass: cls,
        ...(k === 1 ? { idleOnMs: HOUR_MS } : { activeMs: HOUR_MS }),
        energyWh: 35.1 + i,
      })),
      fleetDays: [
        {
          ...zero,
          bucket: Math.floor(T0 / DAY_MS) * DAY_MS,
          groupId: room.id,
          deviceClass: cls,
          activeMs: 2 * HOUR_MS,
          idleOnMs: HOUR_MS,
          energyWh: 3 * (35.1 + i),
        },
      ],
      boardHours: hours.map((h, k) => ({
        ...zero,
        bucket: h,
        ...(k === 1 ? { idleOnMs: HOUR_MS } : { activeMs: HOUR_MS }),
        energyWh: 35.1 + i,
      })),
    });
  }
  return { room, school, devices };
}

/** what a person sees of a console: totals, entities and settings */
async function view(store: Store, deviceIds: number[], groupIds: number[]) {
  return {
    perDevice: await store.sumRollupsByDevice('hour', T0 - DAY_MS, T0 + DAY_MS, deviceIds),
    perDay: await store.sumRollupsByBucket('day', T0 - DAY_MS, T0 + DAY_MS, deviceIds),
    fleet: await store.sumFleetByGroupClass('day', T0 - DAY_MS, T0 + DAY_MS, groupIds),
    board: await store.sumBoardHours(T0 - DAY_MS, T0 + DAY_MS),
    users: await store.listUsers(),
    groups: await store.listGroups(),
    devices: await store.listDevices(),
    secrets: await store.listEnrollSecrets(),
    policies: await store.listPolicies(),
    settings: await store.getSettings(),
    timeline: await store.timelinePage(deviceIds[0]!, T0, T0 + DAY_MS, 100),
  };
}

describeWithPostgres('sluimer-console migrate --to postgres://…', () => {
  let server: PostgresServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);
  const run = async (argv: string[], env: NodeJS.ProcessEnv) => {
    let out = '';
    let err = '';
    const code = await main(argv, {
      env,
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    return { code, out, err };
  };

  it('copies a SQLite console completely, with equal usage totals, and new rows get fresh ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-migrate-test-'));
    dirs.push(dir);
    const sqlite = new SqliteStore({ dataDir: dir });
    const { room, school, devices } = await fill(sqlite);
    // the newest device is erased before the move: PostgreSQL must not give its id out again either
    const { deviceId: erased } = await sqlite.enrollDevice({
      installId: 'weg',
      tokenHash: 'weg',
      groupId: room.id,
      hostname: 'weg',
      inventory: {},
      detectedClass: 'laptop',
      now: 8,
    });
    await sqlite.eraseDevice(erased);
    const before = await view(sqlite, devices, [room.id, school.id]);
    await sqlite.close();

    const url = await server.createDatabase();
    const r = await run(['migrate', '--to', url], { SLUIMER_DATA: dir });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 apparaten/devices');
    expect(r.out).toMatch(
      /usage totals equal: actief\/active 21600000 ms, inactief-aan\/idle-on 10800000 ms/,
    );

    const pgStore = await PostgresStore.open({ url });
    try {
      expect(await view(pgStore, devices, [room.id, school.id])).toEqual(before);
      expect(before.board.reduce((s, b) => s + b.activeMs + b.idleOnMs, 0)).toBe(9 * HOUR_MS);
      // identities continue after the copied ids
      const u = await pgStore.createUser({ username: 'nieuw', passwordHash: 'x', role: 'it', now: 9 });
      expect(u.id).toBe(Math.max(...before.users.map((x) => x.id)) + 1);
      const g = await pgStore.createGroup({
        name: 'Nieuw',
        parentId: school.id,
        kind: 'room',
        timeZone: null,
        excludedReason: null,
        now: 9,
      });
      expect(g.id).toBeGreaterThan(school.id);
      const d = await pgStore.enrollDevice({
        installId: 'nieuw',
        tokenHash: 'nieuw',
        groupId: room.id,
        hostname: 'nieuw',
        inventory: {},
        detectedClass: 'laptop',
        now: 9,
      });
      expect(d.deviceId).toBe(erased + 1);
    } finally {
      await pgStore.close();
    }
  });

  it('refuses a target that already holds a console, with a clear message and a non-zero exit, and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-migrate-test-'));
    dirs.push(dir);
    const sqlite = new SqliteStore({ dataDir: dir });
    await sqlite.createUser({ username: 'admin', passwordHash: 'h', role: 'admin', now: 1 });
    await sqlite.close();
    const url = await server.createDatabase();
    const existing = await PostgresStore.open({ url });
    await existing.createUser({ username: 'al-hier', passwordHash: 'h', role: 'admin', now: 1 });
    await existing.close();

    const r = await run(['migrate', '--to', url], { SLUIMER_DATA: dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/niet leeg \(users\).*not empty \(users\); migrate into an empty database only/);
    const after = await PostgresStore.open({ url });
    try {
      expect((await after.listUsers()).map((u) => u.username)).toEqual(['al-hier']);
    } finally {
      await after.close();
    }
  });

  it('says how to use it when the target is missing or not a PostgreSQL URL', async () => {
    for (const argv of [['migrate'], ['migrate', '--to', 'mysql://x/y'], ['migrate', '--to']]) {
      const r = await run(argv, {});
      expect(r.code).toBe(2);
      expect(r.err).toContain('sluimer-console migrate --to postgres://');
    }
  });

  it('says so when there is no SQLite console to copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-migrate-test-'));
    dirs.push(dir);
    const r = await run(['migrate', '--to', await server.createDatabase()], { SLUIMER_DATA: dir });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no database in');
  });
});
