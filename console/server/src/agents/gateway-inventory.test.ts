import { HOUR_MS, type Inventory, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/sqlite.js';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let secret: string;
beforeAll(async () => {
  t = await startTestConsole();
  ({ secret } = await t.groupWithSecret());
});
afterAll(async () => {
  await t.close();
});

const store = () => t.c.store as SqliteStore;
const base = Math.floor((Date.now() - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const iv = (startMin: number, endMin: number) => ({
  start: base + startMin * MINUTE_MS,
  end: base + endMin * MINUTE_MS,
  state: 'idle' as const,
});
const laptop = (fullWh: number): Inventory => ({
  os: 'windows',
  chassisType: 'Notebook',
  model: 'HP ProBook 450 G8',
  bios: { releaseDate: '2021-03-15' },
  battery: { hasBattery: true, designCapacityWh: 45, fullCapacityWh: fullWh, cycleCount: 300 },
});

describe('inventory extension', () => {
  it('lists inventory in the welcome and stores a daily inventory frame with its battery reading', async () => {
    const dev = await t.enroll(secret);
    const { agent, welcome } = await TestAgent.hello(t.url, dev.deviceToken, {
      features: ['inventory'],
      inventory: laptop(36),
    });
    expect(welcome).toMatchObject({ type: 'welcome', features: ['inventory'] });
    agent.send({ type: 'inventory', inventory: laptop(31.5) });
    // updates are committed before the next report of the device, so its ack means stored
    expect(await agent.report(1, [iv(0, 10)])).toEqual({ type: 'ack', seq: 1 });
    const device = await store().getDevice(dev.deviceId);
    expect(device?.inventory).toMatchObject({
      bios: { releaseDate: '2021-03-15' },
      battery: { fullCapacityWh: 31.5 },
    });
    const readings = await store().batteryReadings(dev.deviceId);
    // the hello's and the frame's reading fall in one month: the latest (70 %) is kept
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ healthPct: 70, cycleCount: 300 });
    agent.close();
  });

  it('refuses an inventory frame from an agent that did not list the feature, and changes nothing', async () => {
    const dev = await t.enroll(secret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { inventory: laptop(36) });
    agent.send({ type: 'inventory', inventory: laptop(20) });
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'unknown_type' });
    expect((await store().getDevice(dev.deviceId))?.inventory).toMatchObject({
      battery: { fullCapacityWh: 36 },
    });
    expect((await store().batteryReadings(dev.deviceId))[0]).toMatchObject({ healthPct: 80 });
    agent.close();
  });

  it('answers a malformed inventory with bad_frame and keeps the stored one', async () => {
    const dev = await t.enroll(secret);
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, {
      features: ['inventory'],
      inventory: laptop(36),
    });
    agent.send({ type: 'inventory', inventory: { battery: { hasBattery: 'yes' } } });
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'bad_frame' });
    expect((await store().getDevice(dev.deviceId))?.inventory).toMatchObject({
      battery: { fullCapacityWh: 36 },
    });
    agent.close();
  });

  it('keeps one battery reading per month and deletes readings older than 96 months', async () => {
    const dev = await t.enroll(secret);
    const s = store();
    const at = (y: number, m: number) => Date.UTC(y, m - 1, 15);
    await s.recordInventory(dev.deviceId, { inventory: laptop(40), now: at(2018, 1) });
    await s.recordInventory(dev.deviceId, { inventory: laptop(39), now: at(2025, 12) });
    await s.recordInventory(dev.deviceId, { inventory: laptop(38), now: at(2026, 1) });
    await s.recordInventory(dev.deviceId, { inventory: laptop(37.8), now: at(2026, 1) + 1000 });
    const readings = await s.batteryReadings(dev.deviceId);
    // 2018-01 is more than 96 months before 2026-01
    expect(readings.map((r) => [r.month, r.healthPct])).toEqual([
      ['2025-12', 86.7],
      ['2026-01', 84],
    ]);
  });

  it('shows battery health, its trend and projection, cycle count and age from the BIOS date in the device detail', async () => {
    const dev = await t.enroll(secret);
    const s = store();
    // a known trend: 90 %, 88 %, 86 % in three months, −2 points a month
    const months = [Date.UTC(2026, 0, 10), Date.UTC(2026, 1, 10), Date.UTC(2026, 2, 10)];
    for (const [i, at] of months.entries())
      await s.recordInventory(dev.deviceId, { inventory: laptop(40.5 - i * 0.9), now: at });
    const detail = await t.api('GET', `/api/v1/devices/${dev.deviceId}`, { token: t.adminToken });
    expect(detail.status).toBe(200);
    const life = detail.body.lifecycle;
    expect(life.batteryHealthPct).toBe(86);
    expect(life.cycleCount).toBe(300);
    expect(life.batteryTrend.map((r: { healthPct: number }) => r.healthPct)).toEqual([90, 88, 86]);
    // 86 % in 2026-03 at −2 a month: 80 % in 2026-06, below it from 2026-07; 60 % in 2027-04, below from 2027-05
    expect(life.batteryProjection).toEqual({ slopePctPerMonth: -2, below80: '2026-07', below60: '2027-05' });
    expect(life.age).toMatchObject({ source: 'bios', since: '2021-03-15' });
  });

  it('exports the battery readings with the device (AVG) and erases them with it', async () => {
    const dev = await t.enroll(secret);
    await store().recordInventory(dev.deviceId, { inventory: laptop(36), now: Date.UTC(2026, 4, 1) });
    const exp = await t.api('GET', `/api/v1/devices/${dev.deviceId}/export`, { token: t.adminToken });
    expect(exp.body.batteryReadings).toEqual([
      { month: '2026-05', health_pct: 80, cycle_count: 300, at: Date.UTC(2026, 4, 1) },
    ]);
    const del = await t.api('DELETE', `/api/v1/devices/${dev.deviceId}`, { token: t.adminToken });
    expect(del.status).toBe(200);
    const left = store()
      .db.prepare('SELECT COUNT(*) AS n FROM battery_readings WHERE device_id = ?')
      .get(dev.deviceId) as { n: number };
    expect(left.n).toBe(0);
  });
});
