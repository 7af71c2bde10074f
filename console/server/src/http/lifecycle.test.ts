import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/sqlite.js';
import { startTestConsole, type TestConsole } from '../test-support.js';

let t: TestConsole;
let groupId: number;
const dev: { id: number; hostname: string }[] = [];
const store = () => t.c.store as SqliteStore;

const laptop = (serialNumber: string, fullWh: number) => ({
  os: 'windows',
  chassisType: 'Notebook',
  serialNumber,
  bios: { releaseDate: '2021-03-15' },
  memoryBytes: 16 * 1024 ** 3,
  disks: [{ type: 'nvme' }],
  battery: { hasBattery: true, designCapacityWh: 50, fullCapacityWh: fullWh, cycleCount: 410 },
});

beforeAll(async () => {
  t = await startTestConsole();
  const g = await t.groupWithSecret('De Regenboog');
  groupId = g.groupId;
  for (const [serial, wh] of [
    ['CND1111', 46],
    ['CND2222', 31],
    ['CND3333', 48],
  ] as const) {
    const e = await t.enroll(g.secret, undefined, laptop(serial, wh));
    const d = await t.api('GET', `/api/v1/devices/${e.deviceId}`, { token: t.adminToken });
    dev.push({ id: e.deviceId, hostname: d.body.hostname ?? d.body.device?.hostname });
  }
});
afterAll(async () => {
  await t.close();
});

const importCsv = (csv: string, dryRun?: boolean) =>
  t.api('POST', '/api/v1/lifecycle/purchases', {
    token: t.adminToken,
    body: dryRun === undefined ? { csv } : { csv, dryRun },
  });

describe('purchase data import', () => {
  it('refuses a bad file line by line in Dutch and stores nothing', async () => {
    const r = await importCsv(
      'serienummer;aankoopdatum;prijs\nCND1111;31-02-2022;749\nONBEKEND;2022-01-01;\n',
    );
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('purchase_import_invalid');
    expect(r.body.error.details.errors.map((e: { message: string }) => e.message)).toEqual([
      'Regel 2: aankoopdatum "31-02-2022" is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).',
      'Regel 3: geen apparaat met serienummer "ONBEKEND" in de console.',
    ]);
    expect(await store().listPurchases()).toEqual([]);
  });

  it('stores nothing from a mixed file whose good lines come first', async () => {
    const csv = [
      'serienummer,hostnaam,aankoopdatum,prijs,garantie tot',
      'CND1111,,2022-09-01,"749,00",2025-08-31',
      `,${dev[1]!.hostname},01-09-2020,650,`,
      'CND3333,,2023-09-01,veel,',
    ].join('\n');
    const r = await importCsv(csv);
    expect(r.status).toBe(400);
    expect(r.body.error.details.errors).toEqual([expect.objectContaining({ line: 4, code: 'bad_price' })]);
    expect(r.body.error.message).toMatch(
      /^1 fout in het bestand, niets geïmporteerd\. Regel 4: prijs "veel"/,
    );
    expect(await store().listPurchases()).toEqual([]);
  });

  it('names the line of a CSV syntax error', async () => {
    const r = await importCsv('serienummer,aankoopdatum\nCND1111,"2022-09-01\n');
    expect(r.status).toBe(400);
    expect(r.body.error.details.errors[0]).toMatchObject({ code: 'csv_syntax' });
    expect(r.body.error.details.errors[0].message).toMatch(/^Regel \d+: het bestand is geen geldige CSV/);
  });

  it('checks a good file on a dry run without storing it, then imports it whole', async () => {
    const csv = [
      'serienummer,hostnaam,aankoopdatum,prijs,garantie tot',
      'CND1111,,2022-09-01,"749,00",2025-08-31',
      `,${dev[1]!.hostname},01-09-2020,650,`,
    ].join('\r\n');
    const dry = await importCsv(csv, true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ imported: 0, dryRun: true });
    expect(dry.body.rows).toHaveLength(2);
    expect(await store().listPurchases()).toEqual([]);
    const r = await importCsv(csv);
    expect(r.status).toBe(200);
    expect(r.body.imported).toBe(2);
    const stored = await store().listPurchases();
    expect(stored.map((p) => [p.deviceId, p.purchaseDate, p.priceCents, p.warrantyEnd])).toEqual([
      [dev[0]!.id, '2022-09-01', 74900, '2025-08-31'],
      [dev[1]!.id, '2020-09-01', 65000, null],
    ]);
  });

  it('keeps the store unchanged when one row of a batch cannot be written', async () => {
    const before = await store().listPurchases();
    await expect(
      store().putPurchases(
        [
          { deviceId: dev[2]!.id, purchaseDate: '2023-01-01', priceCents: null, warrantyEnd: null },
          { deviceId: 999_999, purchaseDate: '2023-01-01', priceCents: null, warrantyEnd: null },
        ],
        Date.now(),
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(await store().listPurchases()).toEqual(before);
  });

  it('lets a viewer not import', async () => {
    const viewer = await t.userToken('viewer');
    const r = await t.api('POST', '/api/v1/lifecycle/purchases', {
      token: viewer,
      body: { csv: 'serienummer,aankoopdatum\nCND3333,2020-01-01' },
    });
    expect(r.status).toBe(403);
  });
});

describe('device lifecycle and fleet figures', () => {
  it('counts the age from the imported purchase date and says so, with advice and options', async () => {
    const r = await t.api('GET', `/api/v1/devices/${dev[1]!.id}`, { token: t.adminToken });
    const life = (r.body.device ?? r.body).lifecycle;
    expect(life.age).toMatchObject({ source: 'purchase', since: '2020-09-01' });
    expect(life.purchase).toEqual({ purchaseDate: '2020-09-01', priceEur: 650, warrantyEnd: null });
    expect(life.batteryHealthPct).toBe(62);
    expect(life.batteryOutlook).toBe('too-few-months');
    expect(life.embodied).toEqual({ kg: 200, range: [130, 300], lifetimeYears: 4, kgPerYear: 50 });
    expect(life.advice).toMatchObject({ kind: 'replace-battery', rule: 'battery-worn' });
    expect(life.advice.options.map((o: { kind: string }) => o.kind)).toEqual([
      'keep',
      'replace-battery',
      'refurbish',
      'replace',
    ]);
  });

  it('falls back to the BIOS date for a device without purchase data', async () => {
    const r = await t.api('GET', `/api/v1/devices/${dev[2]!.id}`, { token: t.adminToken });
    expect((r.body.device ?? r.body).lifecycle.age).toMatchObject({ source: 'bios', since: '2021-03-15' });
  });

  it('gives the fleet its distributions, battery swaps and the lifetime-extension figure', async () => {
    const r = await t.api('GET', `/api/v1/lifecycle?groupId=${groupId}`, { token: t.adminToken });
    expect(r.status).toBe(200);
    expect(r.body.fleet.devices).toBe(3);
    expect(r.body.batterySwaps.map((d: { id: number }) => d.id)).toEqual([dev[1]!.id]);
    expect(r.body.ageSources).toEqual({ purchase: 2, bios: 1, 'first-seen': 0 });
    expect(r.body.fleet.extension.fromYears).toBe(4);
    expect(r.body.fleet.extension.avoidedKgPerYear).toBeCloseTo(3 * (50 - 200 / 6), 9);
    expect(r.body.usePhase).toMatchObject({ days: 365, wasteKwh: 0 });
  });

  it('answers 404 for a group that does not exist and 400 for a bad query', async () => {
    expect((await t.api('GET', '/api/v1/lifecycle?groupId=9999', { token: t.adminToken })).status).toBe(404);
    expect((await t.api('GET', '/api/v1/lifecycle?x=1', { token: t.adminToken })).status).toBe(400);
  });
});

describe('annual report', () => {
  it('reports a school year with its fleet figures and the assumptions used', async () => {
    const r = await t.api('GET', `/api/v1/reports/annual?groupId=${groupId}&schoolYear=2025-2026`, {
      token: t.adminToken,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      scope: { groupId, name: 'De Regenboog', kind: 'school' },
      schoolYear: '2025-2026',
      fromDate: '2025-08-01',
      toDate: '2026-07-31',
      // no policy ever changed here: no measured savings, and the report says so
      savings: { avoidedKwh: 0, deviceDaysBefore: 0, deviceDaysAfter: 0, changes: [], confidence: 'none' },
      assumptions: { gridKgPerKwh: 0.27, extraYears: 2, batteryWornPct: 80, savingsBeforeDays: 56 },
    });
    expect(r.body.savings.note.nl).toMatch(/geen gemeten besparing/);
    expect(r.body.fleet.devices).toBe(3);
    expect(
      r.body.assumptions.classes.find((c: { deviceClass: string }) => c.deviceClass === 'laptop'),
    ).toMatchObject({
      embodiedKg: 200,
      lifetimeYears: 4,
    });
  });
  it('refuses a school year that has not started', async () => {
    const y = new Date().getUTCFullYear() + 1;
    const r = await t.api('GET', `/api/v1/reports/annual?schoolYear=${y}-${y + 1}`, { token: t.adminToken });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('period_in_future');
  });
  it('refuses a school year that is not two following years', async () => {
    const r = await t.api('GET', '/api/v1/reports/annual?schoolYear=2025-2027', { token: t.adminToken });
    expect(r.status).toBe(400);
  });
});

describe('lifecycle option figures in the settings', () => {
  const settings = () => t.api('GET', '/api/v1/settings', { token: t.adminToken });
  const put = (body: unknown, token = t.adminToken) => t.api('PUT', '/api/v1/settings', { token, body });
  const laptopAssumptions = async () =>
    (
      await t.api('GET', `/api/v1/reports/annual?groupId=${groupId}&schoolYear=2025-2026`, {
        token: t.adminToken,
      })
    ).body.assumptions.classes.find((c: { deviceClass: string }) => c.deviceClass === 'laptop');

  it('prices the advice and the report with the figures an admin set, and names them as changed', async () => {
    const r = await put({ lifecycleFigures: { laptop: { batteryEur: 119, batteryKg: 6.5 } } });
    expect(r.status).toBe(200);
    expect(r.body.lifecycleFigures).toEqual({ laptop: { batteryEur: 119, batteryKg: 6.5 } });
    // the energy settings stay as they were
    expect(r.body).toMatchObject({ priceEurPerKwh: 0.25, gridKgPerKwh: 0.27 });
    const d = await t.api('GET', `/api/v1/devices/${dev[1]!.id}`, { token: t.adminToken });
    expect(
      d.body.lifecycle.advice.options.find((o: { kind: string }) => o.kind === 'replace-battery'),
    ).toMatchObject({ eur: 119, kgCo2e: 6.5 });
    const fleet = await t.api('GET', `/api/v1/lifecycle?groupId=${groupId}`, { token: t.adminToken });
    expect(fleet.body.fleet.batterySwap).toMatchObject({ eur: 119, kgCo2e: 6.5 });
    const laptop = await laptopAssumptions();
    expect(laptop.figures).toMatchObject({ batteryEur: 119, batteryKg: 6.5, newDeviceEur: 750 });
    expect(laptop.changed).toEqual(['batteryEur', 'batteryKg']);
  });

  it.each([
    ['a negative price', { laptop: { batteryEur: -5 } }],
    ['a price above the bound', { laptop: { newDeviceEur: 50_000 } }],
    ['kg CO2e above the bound', { desktop: { ssdKg: 5_000 } }],
    ['a price for soldered memory', { chromebook: { memoryEur: 30 } }],
    ['a figure that does not exist', { laptop: { screenEur: 80 } }],
    ['text for a number', { laptop: { batteryEur: '119' } }],
  ])('refuses %s with a clear error and changes nothing', async (_what, lifecycleFigures) => {
    const before = (await settings()).body;
    const r = await put({ lifecycleFigures, priceEurPerKwh: 0.31 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toMatch(/lifecycleFigures/);
    expect((await settings()).body).toEqual(before);
    expect((await laptopAssumptions()).figures.batteryEur).toBe(119);
  });

  it('names the class and the part a soldered-part price is refused for', async () => {
    const r = await put({ lifecycleFigures: { chromebook: { ssdEur: 60 } } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/chromebook heeft dit onderdeel niet/);
  });

  it('restores the defaults when the changes are cleared', async () => {
    const r = await put({ lifecycleFigures: {} });
    expect(r.status).toBe(200);
    const laptop = await laptopAssumptions();
    expect(laptop.figures.batteryEur).toBe(90);
    expect(laptop.changed).toEqual([]);
  });

  it('lets only an admin change them', async () => {
    const staff = await t.userToken('it');
    expect((await put({ lifecycleFigures: { laptop: { batteryEur: 1 } } }, staff)).status).toBe(403);
    expect((await laptopAssumptions()).figures.batteryEur).toBe(90);
  });
});
