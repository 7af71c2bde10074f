import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../ingest/service.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluimer-store-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite store', () => {
  it('creates the data folder and opens the file in WAL mode with synchronous=FULL and foreign keys', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = new SqliteStore({ dataDir: dir });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    await store.close();
  });

  it('brings a database made by migration 1 up to date and keeps its data', async () => {
    const dir = tempDir();
    const old = new SqliteStore({ dataDir: dir, migrateTo: 1 });
    expect(old.db.pragma('user_version', { simple: true })).toBe(1);
    const t0 = Date.UTC(2026, 10, 2, 0, 0);
    old.db.exec(`
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, enrolled_at, max_seq)
        VALUES (7, 'install-7', 'hash-7', 1, 'pc-7', '{}', 'desktop', 0, 12);
      INSERT INTO rollup_hour (device_id, hour, idle_on_ms, energy_wh, waste_wh) VALUES
        (7, ${t0}, 3600000, 35, 33.2), (7, ${t0 + HOUR_MS}, 3600000, 35, 33.2),
        (7, ${t0 + 30 * HOUR_MS}, 1800000, 17.5, 16.6);
    `);
    await old.close();

    const store = new SqliteStore({ dataDir: dir });
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const dev = await store.getDevice(7);
    expect(dev).toMatchObject({ hostname: 'pc-7', maxSeq: 12, counters: null });
    const days = await store.sumRollupsByDevice('day', t0, t0 + 2 * 24 * HOUR_MS, [7]);
    expect(days).toEqual([
      expect.objectContaining({ key: 7, idleOnMs: 3 * 3600000 - 1800000, energyWh: 87.5 }),
    ]);
    const perDay = store.db.prepare('SELECT day, energy_wh FROM rollup_day ORDER BY day').all();
    expect(perDay).toEqual([
      { day: t0, energy_wh: 70 },
      { day: t0 + 24 * HOUR_MS, energy_wh: 17.5 },
    ]);
    await store.close();
  });

  it('fills the fleet rollups of a database from before them with its per-device rollups per group and class', async () => {
    const dir = tempDir();
    const old = new SqliteStore({ dataDir: dir, migrateTo: 3 });
    const t0 = Date.UTC(2026, 10, 2, 0, 0);
    old.db.exec(`
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0), (2, 'Room', 'room', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, device_class, enrolled_at)
        VALUES (7, 'i-7', 'h-7', 1, 'pc-7', '{}', 'desktop', NULL, 0), (8, 'i-8', 'h-8', 1, 'pc-8', '{}', 'desktop', NULL, 0),
               (9, 'i-9', 'h-9', 2, 'pc-9', '{}', 'desktop', 'laptop', 0);
      INSERT INTO rollup_hour (device_id, hour, idle_on_ms, energy_wh, waste_wh) VALUES
        (7, ${t0}, 3600000, 35, 33.2), (8, ${t0}, 1800000, 17.5, 16.6), (9, ${t0}, 3600000, 8, 7),
        (8, ${t0 + 30 * HOUR_MS}, 600000, 5, 4);
      INSERT INTO rollup_day (device_id, day, idle_on_ms, energy_wh, waste_wh) VALUES
        (7, ${t0}, 3600000, 35, 33.2), (8, ${t0}, 1800000, 17.5, 16.6), (9, ${t0}, 3600000, 8, 7),
        (8, ${t0 + 24 * HOUR_MS}, 600000, 5, 4);
    `);
    await old.close();

    const store = new SqliteStore({ dataDir: dir });
    const rows = (table: string, time: string) =>
      store.db
        .prepare(
          `SELECT ${time} AS t, group_id, device_class, idle_on_ms, energy_wh FROM ${table} ORDER BY 1, 2, 3`,
        )
        .all();
    expect(rows('fleet_hour', 'hour')).toEqual([
      { t: t0, group_id: 1, device_class: 'desktop', idle_on_ms: 5400000, energy_wh: 52.5 },
      { t: t0, group_id: 2, device_class: 'laptop', idle_on_ms: 3600000, energy_wh: 8 },
      { t: t0 + 30 * HOUR_MS, group_id: 1, device_class: 'desktop', idle_on_ms: 600000, energy_wh: 5 },
    ]);
    expect(rows('fleet_day', 'day')).toEqual([
      { t: t0, group_id: 1, device_class: 'desktop', idle_on_ms: 5400000, energy_wh: 52.5 },
      { t: t0, group_id: 2, device_class: 'laptop', idle_on_ms: 3600000, energy_wh: 8 },
      { t: t0 + 24 * HOUR_MS, group_id: 1, device_class: 'desktop', idle_on_ms: 600000, energy_wh: 5 },
    ]);
    expect(
      store.db.prepare('SELECT hour AS t, idle_on_ms, energy_wh FROM board_hour ORDER BY 1').all(),
    ).toEqual([
      { t: t0, idle_on_ms: 9000000, energy_wh: 60.5 },
      { t: t0 + 30 * HOUR_MS, idle_on_ms: 600000, energy_wh: 5 },
    ]);
    // and they follow a device that moves after the upgrade
    await store.updateDevice(8, { groupId: 2 });
    expect(await store.sumFleetByGroupClass('day', t0, t0 + 2 * 24 * HOUR_MS, [1, 2])).toEqual([
      expect.objectContaining({ groupId: 1, deviceClass: 'desktop', idleOnMs: 3600000, energyWh: 35 }),
      expect.objectContaining({ groupId: 2, deviceClass: 'desktop', idleOnMs: 2400000, energyWh: 22.5 }),
      expect.objectContaining({ groupId: 2, deviceClass: 'laptop', idleOnMs: 3600000, energyWh: 8 }),
    ]);
    await store.close();
  });

  it('gives API tokens from before expiry 90 days from the upgrade, and keeps them working', async () => {
    const dir = tempDir();
    const before = MIGRATIONS.findIndex((m) => m.name === 'api token expiry');
    expect(before).toBeGreaterThan(0);
    const old = new SqliteStore({ dataDir: dir, migrateTo: before });
    const created = Date.UTC(2025, 0, 1);
    old.db.exec(`
      INSERT INTO users (id, username, password_hash, role, created_at) VALUES (1, 'it', 'x', 'it', 0);
      INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (5, 1, 'script', 'h5', ${created});
    `);
    await old.close();
    const t0 = Date.now();
    const store = new SqliteStore({ dataDir: dir });
    const [tk] = await store.listApiTokens();
    expect(tk).toMatchObject({ id: 5, username: 'it', createdAt: created });
    expect(tk!.expiresAt).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 + 90 * 24 * HOUR_MS);
    expect(tk!.expiresAt).toBeLessThanOrEqual(Date.now() + 90 * 24 * HOUR_MS);
    expect(await store.authenticateApiToken('h5', Date.now())).toMatchObject({ expired: false });
    expect(await store.authenticateApiToken('h5', tk!.expiresAt)).toMatchObject({ expired: true });
    await store.close();
  });

  it('upgrades a database with data to never reuse ids, keeping every row and the rollup triggers', async () => {
    const dir = tempDir();
    const step = MIGRATIONS.findIndex((m) => m.name === 'ids never reused (SQLite)');
    expect(step).toBeGreaterThan(0);
    const old = new SqliteStore({ dataDir: dir, migrateTo: step });
    old.db.exec(`
      INSERT INTO users (id, username, password_hash, role, created_at) VALUES (4, 'it', 'x', 'it', 0);
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0), (6, 'Lokaal 6', 'room', 0);
      UPDATE groups SET parent_id = 1 WHERE id = 6;
      INSERT INTO policies (id, name, settings, updated_at) VALUES (2, 'Beleid', '{}', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, enrolled_at)
        VALUES (3, 'install-3', 'hash-3', 6, 'pc-3', '{}', 'laptop', 0),
               (9, 'install-9', 'hash-9', 6, 'pc-9', '{}', 'desktop', 0);
    `);
    // usage the fleet triggers must keep following: an hour of idle on each device
    const t0 = Date.UTC(2026, 0, 5, 8);
    old.db.exec(`
      INSERT INTO rollup_hour (device_id, hour, idle_on_ms, energy_wh) VALUES (3, ${t0}, ${HOUR_MS}, 10), (9, ${t0}, ${HOUR_MS}, 30);
      INSERT INTO fleet_hour (hour, group_id, device_class, idle_on_ms, energy_wh)
        VALUES (${t0}, 6, 'laptop', ${HOUR_MS}, 10), (${t0}, 6, 'desktop', ${HOUR_MS}, 30);
    `);
    const before = old;
    const dump = (s: SqliteStore) =>
      ['users', 'groups', 'policies', 'devices', 'rollup_hour', 'fleet_hour'].map((t) =>
        s.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all(),
      );
    const rows = dump(before);
    await before.close();

    const store = new SqliteStore({ dataDir: dir });
    expect(dump(store)).toEqual(rows);
    expect(store.db.prepare('SELECT name, last_id FROM id_high_water ORDER BY name').all()).toEqual([
      { name: 'devices', last_id: 9 },
      { name: 'groups', last_id: 6 },
      { name: 'policies', last_id: 2 },
      { name: 'users', last_id: 4 },
    ]);
    // erasing the newest device still takes its rollups out of the fleet figures (triggers kept)
    await store.eraseDevice(9);
    expect(store.db.prepare('SELECT device_class, idle_on_ms, energy_wh FROM fleet_hour').all()).toEqual([
      { device_class: 'laptop', idle_on_ms: HOUR_MS, energy_wh: 10 },
    ]);
    const next = await store.enrollDevice({
      installId: 'install-new',
      tokenHash: 'hash-new',
      groupId: 6,
      hostname: 'pc-new',
      inventory: {},
      detectedClass: 'laptop',
      now: 0,
    });
    expect(next.deviceId).toBe(10);
    await store.deletePolicy(2);
    const policy = await store.createPolicy({ name: 'Nieuw', settings: {}, now: 0 });
    expect(policy.id).toBe(3);
    await store.close();
  });

  it('refuses a database from a newer console instead of damaging it', async () => {
    const dir = tempDir();
    const s = new SqliteStore({ dataDir: dir });
    s.db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    await s.close();
    expect(() => new SqliteStore({ dataDir: dir })).toThrow(/newer than this console/);
  });

  it('prunes raw intervals past the retention and keeps the rollups', async () => {
    const store = new SqliteStore({ dataDir: tempDir() });
    store.db.exec(`
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, enrolled_at)
        VALUES (1, 'install-1', 'hash-1', 1, 'pc-1', '{}', 'laptop', 0);
    `);
    const t0 = Date.UTC(2026, 0, 5, 8);
    const now = t0 + 100 * 24 * HOUR_MS;
    const out = await new IngestService(store).ingestBatch(
      [
        {
          deviceId: 1,
          seq: 1,
          intervals: [
            { start: t0, end: t0 + HOUR_MS, state: 'idle' },
            { start: now - 2 * HOUR_MS, end: now - HOUR_MS, state: 'active' },
          ],
        },
      ],
      { now, maxEnd: now, minStart: 0 },
    );
    expect(out).toEqual([{ status: 'stored', seq: 1 }]);
    expect(await store.pruneRawIntervals(now - 90 * 24 * HOUR_MS)).toBe(1);
    expect((await store.recentIntervals(1, 10)).map((i) => i.state)).toEqual(['active']);
    const [sum] = await store.sumRollupsByDevice('hour', t0, now, [1]);
    expect(sum).toMatchObject({ activeMs: HOUR_MS, idleOnMs: HOUR_MS });
    await store.close();
  });

  it('keeps settings with defaults for what was never set', async () => {
    const store = new SqliteStore({ dataDir: tempDir() });
    expect(await store.getSettings()).toEqual({
      priceEurPerKwh: 0.25,
      gridKgPerKwh: 0.27,
      rawRetentionDays: 90,
    });
    await store.putSettings({ priceEurPerKwh: 0.2, gridKgPerKwh: 0, rawRetentionDays: 30 });
    expect((await store.getSettings()).rawRetentionDays).toBe(30);
    await store.close();
  });
});
