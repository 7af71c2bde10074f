import { DAY_MS, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
beforeAll(async () => {
  t = await startTestConsole();
});
afterAll(async () => {
  await t.close();
});

/** UTC midnight five days ago: recent enough for the raw retention, surely in the past */
const D = Math.floor((Date.now() - 5 * DAY_MS) / DAY_MS) * DAY_MS;
const at = (day: number, h: number, m = 0) => D + day * DAY_MS + h * HOUR_MS + m * MINUTE_MS;
const LAPTOP = { chassisType: 'Notebook', battery: { hasBattery: true } };
const DESKTOP = { chassisType: 'Desktop', battery: { hasBattery: false } };

async function deviceWith(inventory: unknown, intervals: Interval[]) {
  const { groupId, secret } = await t.groupWithSecret();
  const dev = await t.enroll(secret, undefined, inventory);
  const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
  expect(await agent.report(1, intervals)).toEqual({ type: 'ack', seq: 1 });
  agent.close();
  return { groupId, deviceId: dev.deviceId };
}

async function usage(groupId: number, from: number | string, to: number | string, groupBy = 'group') {
  const r = await t.api('GET', `/api/v1/usage?from=${from}&to=${to}&groupBy=${groupBy}&groupId=${groupId}`, {
    token: t.adminToken,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as {
    settings: { priceEurPerKwh: number; gridKgPerKwh: number };
    rows: { key: string; [k: string]: unknown }[];
  };
}

describe('usage', () => {
  it('gives worked example A: a laptop idle 10:40–11:40 uses 0.008 kWh of which 0.007 kWh is waste', async () => {
    const { groupId } = await deviceWith(LAPTOP, [
      { start: at(0, 10, 40), end: at(0, 11, 40), state: 'idle', display: 'on' },
    ]);
    const u = await usage(groupId, at(0, 10), at(0, 12));
    expect(u.settings).toEqual({ priceEurPerKwh: 0.25, gridKgPerKwh: 0.27 });
    expect(u.rows).toHaveLength(1);
    const row = u.rows[0]!;
    expect(row.key).toBe(String(groupId));
    expect(row.idleSec).toBe(3600);
    expect(row.activeSec).toBe(0);
    expect(row.energyKwh).toBeCloseTo(0.008, 12);
    expect(row.wasteKwh).toBeCloseTo(0.007, 12);
    expect(row.wasteEur).toBeCloseTo(0.00175, 12);
    expect(row.wasteCo2eKg).toBeCloseTo(0.00189, 12);
  });

  it('clips intervals exactly to the range, also inside one hour and across the hour edges', async () => {
    const { groupId } = await deviceWith(LAPTOP, [
      { start: at(0, 10, 40), end: at(0, 11, 40), state: 'idle' },
    ]);
    // whole hour 11:00–12:00 holds 40 minutes (5.333 Wh)
    let row = (await usage(groupId, at(0, 11), at(0, 12))).rows[0]!;
    expect(row.idleSec).toBe(40 * 60);
    expect(row.energyKwh).toBeCloseTo((8 * 40) / 60 / 1000, 12);
    // 10:50–11:10 lies in no whole hour: 20 minutes from raw intervals
    row = (await usage(groupId, at(0, 10, 50), at(0, 11, 10))).rows[0]!;
    expect(row.idleSec).toBe(20 * 60);
    expect(row.energyKwh).toBeCloseTo((8 * 20) / 60 / 1000, 12);
    expect(row.wasteKwh).toBeCloseTo((7 * 20) / 60 / 1000, 12);
    // 10:30–11:20: a partial hour at each edge, nothing whole
    row = (await usage(groupId, at(0, 10, 30), at(0, 11, 20))).rows[0]!;
    expect(row.idleSec).toBe(40 * 60);
    // 10:45–12:30, ISO 8601 parameters: 55 minutes
    row = (await usage(groupId, new Date(at(0, 10, 45)).toISOString(), new Date(at(0, 12, 30)).toISOString()))
      .rows[0]!;
    expect(row.idleSec).toBe(55 * 60);
    // outside the data: no rows
    expect((await usage(groupId, at(0, 12), at(0, 13))).rows).toEqual([]);
  });

  it('gives worked example B: a desktop with a 24" monitor idle 18:00–08:00 uses 0.490 kWh, 0.4648 kWh waste', async () => {
    const { groupId } = await deviceWith(DESKTOP, [
      { start: at(0, 18), end: at(1, 8), state: 'idle', display: 'on' },
    ]);
    const row = (await usage(groupId, at(0, 0), at(2, 0), 'deviceClass')).rows[0]!;
    expect(row.key).toBe('desktop');
    expect(row.idleSec).toBe(14 * 3600);
    expect(row.energyKwh).toBeCloseTo(0.49, 12);
    expect(row.wasteKwh).toBeCloseTo(0.4648, 12);
    expect(row.wasteEur).toBeCloseTo(0.1162, 12);
    expect(row.wasteCo2eKg).toBeCloseTo(0.125496, 12);
  });

  it('adds daily rollups, hourly rollups and raw edges into the same totals as the raw intervals give', async () => {
    const { groupId } = await deviceWith(DESKTOP, [
      { start: at(0, 18), end: at(1, 8), state: 'idle' },
      { start: at(1, 8), end: at(3, 8), state: 'asleep' },
    ]);
    // [D 17:30, D+3 07:30): raw edges at both ends, whole hours, two whole UTC days
    const row = (await usage(groupId, at(0, 17, 30), at(3, 7, 30))).rows[0]!;
    expect(row.idleSec).toBe(14 * 3600);
    expect(row.asleepSec).toBe(47.5 * 3600);
    expect(row.energyKwh).toBeCloseTo((14 * 35 + 47.5 * 1.8) / 1000, 12);
    expect(row.wasteKwh).toBeCloseTo(0.4648, 12);
    // the same range cut in two adds up
    const a = (await usage(groupId, at(0, 17, 30), at(1, 13, 15))).rows[0]!;
    const b = (await usage(groupId, at(1, 13, 15), at(3, 7, 30))).rows[0]!;
    expect((a.energyKwh as number) + (b.energyKwh as number)).toBeCloseTo(row.energyKwh as number, 12);
  });

  it('keys days and hours of the week in the school time zone (Europe/Amsterdam by default)', async () => {
    const { groupId } = await deviceWith(DESKTOP, [{ start: at(0, 18), end: at(1, 8), state: 'idle' }]);
    const offsetH = amsterdamOffsetHours(at(0, 18));
    const day0 = new Date(D).toISOString().slice(0, 10);
    const day1 = new Date(D + DAY_MS).toISOString().slice(0, 10);
    const days = (await usage(groupId, at(0, 0), at(2, 0), 'day')).rows;
    expect(days.map((r) => r.key)).toEqual([day0, day1]);
    expect(days[0]!.idleSec).toBe((24 - 18 - offsetH) * 3600);
    expect(days[1]!.idleSec).toBe((8 + offsetH) * 3600);

    // the 30 minutes at 17:30–18:00 local come from a raw edge and land in the right hour
    const weekday = (new Date(D).getUTCDay() + 6) % 7; // Monday = 0
    const hours = (await usage(groupId, at(0, 18, 30), at(0, 20), 'hourOfWeek')).rows;
    expect(hours.map((r) => r.key)).toEqual([`${weekday}-${18 + offsetH}`, `${weekday}-${19 + offsetH}`]);
    expect(hours.map((r) => r.idleSec)).toEqual([1800, 3600]);
  });

  it('builds local days from daily rollups with their boundary hours, matching the totals', async () => {
    const { groupId } = await deviceWith(LAPTOP, [{ start: at(0, 0), end: at(3, 0), state: 'asleep' }]);
    const off = amsterdamOffsetHours(at(0, 12));
    const date = (d: number) => new Date(D + d * DAY_MS).toISOString().slice(0, 10);
    const days = (await usage(groupId, at(-1, 0), at(4, 0), 'day')).rows;
    expect(days.map((r) => [r.key, r.asleepSec])).toEqual([
      [date(0), (24 - off) * 3600],
      [date(1), 24 * 3600],
      [date(2), 24 * 3600],
      [date(3), off * 3600],
    ]);
    expect(days[1]!.energyKwh).toBeCloseTo(0.024, 12);
    // partial hours at both ends and partial local days
    const part = (await usage(groupId, at(0, 5, 30), at(2, 10, 15), 'day')).rows;
    expect(part.map((r) => [r.key, r.asleepSec])).toEqual([
      [date(0), (24 - off - 5.5) * 3600],
      [date(1), 24 * 3600],
      [date(2), (off + 10.25) * 3600],
    ]);
    const total = (await usage(groupId, at(0, 5, 30), at(2, 10, 15), 'deviceClass')).rows[0]!;
    const sum = part.reduce((n, r) => n + (r.energyKwh as number), 0);
    expect(sum).toBeCloseTo(total.energyKwh as number, 12);
    expect(total.asleepSec).toBe((18.5 + 24 + 10.25) * 3600);
  });

  it('counts the 25-hour local day when the clocks go back, and the repeated hour twice', async () => {
    // a fixed date in the past (Sunday 25 October 2026): keep raw data long enough to accept it
    await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { rawRetentionDays: 3650 } });
    try {
      const z = (iso: string) => Date.parse(iso);
      const { groupId } = await deviceWith(LAPTOP, [
        { start: z('2026-10-24T00:00:00Z'), end: z('2026-10-27T00:00:00Z'), state: 'asleep' },
      ]);
      const days = (await usage(groupId, z('2026-10-23T00:00:00Z'), z('2026-10-28T00:00:00Z'), 'day')).rows;
      expect(days.map((r) => [r.key, (r.asleepSec as number) / 3600])).toEqual([
        ['2026-10-24', 22],
        ['2026-10-25', 25],
        ['2026-10-26', 24],
        ['2026-10-27', 1],
      ]);
      // 00:00Z is 02:00 summer time, 01:00Z is 02:00 winter time, 02:00Z is 03:00
      const hours = (await usage(groupId, z('2026-10-25T00:00:00Z'), z('2026-10-25T03:00:00Z'), 'hourOfWeek'))
        .rows;
      expect(hours.map((r) => [r.key, r.asleepSec])).toEqual([
        ['6-2', 7200],
        ['6-3', 3600],
      ]);
    } finally {
      await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { rawRetentionDays: 90 } });
    }
  });

  it('groups by device, by the child group under groupId, and by device class', async () => {
    const { groupId, secret } = await t.groupWithSecret('Scholengroep');
    const room = await t.api('POST', '/api/v1/groups', {
      token: t.adminToken,
      body: { name: 'Lokaal 2', parentId: groupId },
    });
    const roomSecret = await t.api('POST', `/api/v1/groups/${room.body.id}/enroll-secrets`, {
      token: t.adminToken,
    });
    const iv: Interval[] = [{ start: at(0, 9), end: at(0, 10), state: 'active' }];
    const devs = [];
    for (const [s, inv] of [
      [secret, LAPTOP],
      [roomSecret.body.secret, DESKTOP],
      [roomSecret.body.secret, LAPTOP],
    ] as const) {
      const dev = await t.enroll(s, undefined, inv);
      const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
      await agent.report(1, iv);
      agent.close();
      devs.push(dev.deviceId);
    }
    const byDevice = (await usage(groupId, at(0, 0), at(1, 0), 'device')).rows;
    expect(byDevice.map((r) => r.key)).toEqual(devs.map(String));
    const byGroup = (await usage(groupId, at(0, 0), at(1, 0), 'group')).rows;
    expect(byGroup.map((r) => [r.key, r.activeSec])).toEqual([
      [String(groupId), 3600],
      [String(room.body.id), 7200],
    ]);
    expect(byGroup[1]!.label).toBe('Lokaal 2');
    const byClass = (await usage(groupId, at(0, 0), at(1, 0), 'deviceClass')).rows;
    expect(byClass.map((r) => [r.key, r.energyKwh])).toEqual([
      ['desktop', 0.045],
      ['laptop', 0.03],
    ]);
  });

  it('pro-rates a partial edge hour from its hourly rollup once its raw intervals are past the retention', async () => {
    const { groupId, secret } = await t.groupWithSecret();
    const dev = await t.enroll(secret, undefined, LAPTOP);
    const old = Math.floor((Date.now() - 200 * DAY_MS) / HOUR_MS) * HOUR_MS;
    // stored through the ingest path (as an agent back from long ago would have, under a longer
    // retention), then the raw intervals pruned: rollups stay
    const now = Date.now();
    const stored = await t.c.ingest.ingestBatch(
      [{ deviceId: dev.deviceId, seq: 1, intervals: [{ start: old, end: old + HOUR_MS, state: 'idle' }] }],
      { now, maxEnd: now, minStart: 0 },
    );
    expect(stored).toEqual([{ status: 'stored', seq: 1 }]);
    expect(await t.c.store.pruneRawIntervals(now - 100 * DAY_MS)).toBeGreaterThanOrEqual(1);
    const row = (await usage(groupId, old + 15 * MINUTE_MS, old + 45 * MINUTE_MS)).rows[0]!;
    expect(row.idleSec).toBe(1800);
    expect(row.energyKwh).toBeCloseTo(0.004, 12);
    expect(row.wasteKwh).toBeCloseTo(0.0035, 12);
  });

  it('refuses bad ranges and parameters with validation_failed', async () => {
    for (const q of [
      'from=x&to=1&groupBy=day',
      `from=${at(0, 2)}&to=${at(0, 1)}&groupBy=day`,
      `from=${at(0, 1)}&to=${at(0, 2)}&groupBy=week`,
      `to=${at(0, 2)}&groupBy=day`,
    ]) {
      const r = await t.api('GET', `/api/v1/usage?${q}`, { token: t.adminToken });
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });

  it('prices waste with the deployment settings in force and prints them', async () => {
    const { groupId } = await deviceWith(LAPTOP, [{ start: at(0, 10), end: at(0, 11), state: 'idle' }]);
    const put = await t.api('PUT', '/api/v1/settings', {
      token: t.adminToken,
      body: { priceEurPerKwh: 0.2 },
    });
    expect(put.status).toBe(200);
    const u = await usage(groupId, at(0, 0), at(1, 0));
    expect(u.settings.priceEurPerKwh).toBe(0.2);
    expect(u.rows[0]!.wasteEur).toBeCloseTo(0.007 * 0.2, 12);
    await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { priceEurPerKwh: 0.25 } });
  });
});

function amsterdamOffsetHours(ms: number): number {
  const h = Number(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam',
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(ms),
  );
  return (h - new Date(ms).getUTCHours() + 24) % 24;
}
