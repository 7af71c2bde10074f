import {
  compileCalendar,
  DAY_MS,
  dutchSchoolCalendar,
  HOUR_MS,
  MINUTE_MS,
  WhatIfResponseSchema,
  zonedTimeToUtc,
} from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let viewer: string;
/** a whole hour three hours back: reported as idle with the display on, on mains */
const h = Math.floor((Date.now() - 3 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const period = { from: h - HOUR_MS, to: h + 2 * HOUR_MS };
let school: { groupId: number; secret: string };
let laptop: number;
let other: { groupId: number; deviceId: number };

/** enrolls a laptop (8 W idle with the display on, 4 W off, 1 W asleep) and reports one idle hour */
async function laptopWithIdleHour(
  secret: string,
  start: number,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const dev = await t.enroll(secret);
  const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
  const ack = await agent.report(
    1,
    [{ start, end: start + HOUR_MS, state: 'idle', display: 'on', power: 'ac' }],
    extra,
  );
  expect(ack).toEqual({ type: 'ack', seq: 1 });
  agent.close();
  await agent.waitClosed();
  return dev.deviceId;
}

const whatIf = (body: unknown, token = t.adminToken) => t.api('POST', '/api/v1/what-if', { token, body });

beforeAll(async () => {
  t = await startTestConsole();
  viewer = await t.userToken('viewer');
  // round figures for the hand computation: €0.30 and 0.30 kg CO2e per kWh
  const s = await t.api('PUT', '/api/v1/settings', {
    token: t.adminToken,
    body: { priceEurPerKwh: 0.3, gridKgPerKwh: 0.3 },
  });
  expect(s.status).toBe(200);
  school = await t.groupWithSecret('De Regenboog');
  laptop = await laptopWithIdleHour(school.secret, h);
  const second = await t.groupWithSecret('Het Anker');
  // its report names a blocker over its idle hour: recorded as a span that holds until the data ends
  const blocked = await laptopWithIdleHour(second.secret, h, {
    blockers: [{ name: 'vlc.exe', kind: 'process', reason: 'video' }],
  });
  other = { groupId: second.groupId, deviceId: blocked };
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/policies/recommended', () => {
  it('gives any role the recommended policy, which IT can POST back as a new policy', async () => {
    const rec = await t.api('GET', '/api/v1/policies/recommended', { token: viewer });
    expect(rec.status).toBe(200);
    expect(rec.body.name).toBe('Sluimer-aanbeveling');
    expect(rec.body.settings.sleepAfterSec).toEqual({ ac: 1800, battery: 900 });
    const created = await t.api('POST', '/api/v1/policies', { token: t.adminToken, body: rec.body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.settings).toEqual(rec.body.settings);
    expect(created.body.name).toBe(rec.body.name);
  });
});

describe('POST /api/v1/what-if', () => {
  it('changes nothing and is not written to the audit log, unlike a real change', async () => {
    const before = await t.api('GET', '/api/v1/policies', { token: t.adminToken });
    const res = await whatIf({
      policy: { name: 'Concept', settings: { sleepAfterSec: { ac: 900 } } },
      ...period,
    });
    expect(res.status).toBe(200);
    const after = await t.api('GET', '/api/v1/policies', { token: t.adminToken });
    expect(after.body).toEqual(before.body);
    const audit = await t.api('GET', '/api/v1/audit?limit=500', { token: t.adminToken });
    expect(audit.status).toBe(200);
    const routes = audit.body.entries.map((e: { route: string }) => e.route);
    expect(routes).toContain('/api/v1/settings');
    expect(routes).not.toContain('/api/v1/what-if');
  });

  it('answers the hand-computed saving of an idle hour under a 15-minute timeout', async () => {
    const res = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 } } },
      deviceIds: [laptop],
      ...period,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = WhatIfResponseSchema.parse(res.body);
    // waste: 1 h × (8 W idle, display on − 1 W asleep) = 7 Wh; asleep after 15 min saves 45 min of it
    expect(body.devices).toBe(1);
    expect(body.wasteKwh).toBeCloseTo(0.007, 12);
    expect(body.avoidedKwh).toBeCloseTo(0.00525, 12);
    expect(body.avoidedEur).toBeCloseTo(0.001575, 12);
    expect(body.avoidedCo2eKg).toBeCloseTo(0.001575, 12);
    expect(body.keptKwh).toBeCloseTo(0.00175, 12);
    expect(body.unreachableKwh).toBe(0);
    expect(body.interruptions).toBe(0);
    expect(body.from).toBe(period.from);
    expect(body.to).toBe(period.to);
    expect(body.defaultPeriod).toBe(false);
    expect(body.perYear.avoidedKwh).toBeGreaterThan(body.avoidedKwh);
    expect(body.groups).toEqual([
      expect.objectContaining({ groupId: school.groupId, name: 'De Regenboog', devices: 1 }),
    ]);
    expect(body.topDevices[0]).toMatchObject({ deviceId: laptop, hasData: true });
    expect(body.retention.complete).toBe(true);
    // what it cannot know is said, not guessed; a console that recorded blockers from its first report
    // has their history for every period
    expect(body.limitations.map((l) => l.code).sort()).toEqual(['school_calendar_assumed']);
  });

  it('counts the display going off before the sleep', async () => {
    const res = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 }, displayOffAfterSec: { ac: 300 } } },
      deviceIds: [laptop],
      ...period,
    });
    expect(res.status).toBe(200);
    // kept: 5 min at 7 W (display on) + 10 min at 3 W (4 W display off − 1 W asleep) = 0.58333 + 0.5 Wh
    expect(res.body.avoidedKwh).toBeCloseTo((7 - 7 / 12 - 0.5) / 1000, 12);
  });

  it('lets a viewer ask, and replays every device when no scope is named', async () => {
    const res = await whatIf({ policy: { settings: { sleepAfterSec: { ac: 900 } } }, ...period }, viewer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const all = await t.api('GET', '/api/v1/devices', { token: t.adminToken });
    expect(res.body.devices).toBe(all.body.length);
    expect(res.body.devices).toBe(2);
    // the hour vlc.exe held stays as it was: only the free laptop's 45 minutes are avoided, the held
    // device's 45 minutes are unreachable and named
    expect(res.body.avoidedKwh).toBeCloseTo(0.00525, 12);
    expect(res.body.unreachableKwh).toBeCloseTo(0.00525, 12);
    expect(res.body.unreachable.blockerKwh).toBeCloseTo(0.00525, 12);
    expect(res.body.devicesWithBlockersNow).toBe(1);
    // the blocker list the what-if panel reads is sent (the contract's serialiser drops unnamed fields);
    // a viewer does not see program names (docs/privacy.md)
    expect(res.body.unreachable.blockers).toEqual([
      { name: '', kwh: expect.closeTo(0.00525, 12), devices: 1, groups: [{ name: 'Het Anker', devices: 1 }] },
    ]);
    const staff = await whatIf({ policy: { settings: { sleepAfterSec: { ac: 900 } } }, ...period });
    expect(staff.body.unreachable.blockers).toEqual([
      {
        name: 'vlc.exe',
        kwh: expect.closeTo(0.00525, 12),
        devices: 1,
        groups: [{ name: 'Het Anker', devices: 1 }],
      },
    ]);
    expect(res.body.limitations.map((l: { code: string }) => l.code)).not.toContain(
      'blocker_history_not_recorded',
    );
    expect(res.body.groups.map((g: { groupId: number }) => g.groupId).sort()).toEqual(
      [school.groupId, other.groupId].sort(),
    );
    expect(res.body.perDevice).toBeUndefined();
  });

  it('scopes to a group and everything below it', async () => {
    const res = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 } } },
      groupIds: [other.groupId],
      ...period,
    });
    expect(res.status).toBe(200);
    expect(res.body.devices).toBe(1);
    expect(res.body.topDevices[0].deviceId).toBe(other.deviceId);
  });

  it('uses the last four school weeks when no period is named', async () => {
    const res = await whatIf({ policy: { settings: { sleepAfterSec: { ac: 900 } } } });
    expect(res.status).toBe(200);
    expect(res.body.defaultPeriod).toBe(true);
    expect(res.body.to).toBeLessThanOrEqual(Date.now());
    expect(res.body.to - res.body.from).toBeGreaterThanOrEqual(20 * DAY_MS);
  });

  it('says so when the period reaches past the raw-data retention', async () => {
    // shorten the retention to its least, 30 days, and ask for 40 days back
    const before = (await t.api('GET', '/api/v1/settings', { token: t.adminToken })).body.rawRetentionDays;
    await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { rawRetentionDays: 30 } });
    try {
      const to = Date.now() - DAY_MS;
      const res = await whatIf({
        policy: { settings: { sleepAfterSec: { ac: 900 } } },
        from: to - 40 * DAY_MS,
        to,
      });
      expect(res.status).toBe(200);
      expect(res.body.retention.complete).toBe(false);
      expect(res.body.retention.missingMs).toBeGreaterThan(10 * DAY_MS - MINUTE_MS);
      expect(res.body.limitations.map((l: { code: string }) => l.code)).toContain('raw_retention_exceeded');
    } finally {
      await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { rawRetentionDays: before } });
    }
  });

  it('refuses an unknown group or device, naming the ids', async () => {
    const res = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 } } },
      groupIds: [school.groupId, 999_999],
      deviceIds: [888_888],
      ...period,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain('999999');
    expect(res.body.error.details).toEqual({ groupIds: [999_999], deviceIds: [888_888] });
  });

  it('refuses a period in the future or longer than 92 days', async () => {
    const future = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 } } },
      from: Date.now() - HOUR_MS,
      to: Date.now() + DAY_MS,
    });
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('period_in_future');
    const long = await whatIf({
      policy: { settings: { sleepAfterSec: { ac: 900 } } },
      from: Date.now() - 100 * DAY_MS,
      to: Date.now() - DAY_MS,
    });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('period_too_long');
  });

  it('refuses an absurd timeout, an unknown field and a missing policy', async () => {
    const zero = await whatIf({ policy: { settings: { sleepAfterSec: { ac: 0 } } }, ...period });
    expect(zero.status).toBe(400);
    expect(zero.body.error.code).toBe('policy_out_of_bounds');
    expect(zero.body.error.details.fields[0].path).toBe('policy.settings.sleepAfterSec.ac');
    const week = await whatIf({ policy: { settings: { sleepAfterSec: { ac: 7 * 86_400 } } }, ...period });
    expect(week.body.error.code).toBe('policy_out_of_bounds');
    const extra = await whatIf({ policy: { settings: {} }, scope: 'all', ...period });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('validation_failed');
    const none = await whatIf({});
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('validation_failed');
  });
});

// last: it adds a room and a device the tests above do not expect
describe('POST /api/v1/what-if and school hours', () => {
  it('keeps the school hours a device has now when the draft names none', async () => {
    // 10:00 on the latest school day before today: inside the default hours, outside 13:00–15:00
    const cal = compileCalendar(dutchSchoolCalendar('midden'));
    let day = cal.dayAt(Date.now());
    do day = cal.dayAt(day.start - 1);
    while (day.type !== 'school_day');
    const ten = zonedTimeToUtc(day.date, 10 * 60, 'Europe/Amsterdam');
    const room = await t.groupWithSecret('Lokaal 12');
    const afternoon = { start: '13:00', end: '15:00' };
    const policy = await t.api('POST', '/api/v1/policies', {
      token: t.adminToken,
      body: {
        name: 'Middagles',
        settings: {
          schoolHours: { mon: afternoon, tue: afternoon, wed: afternoon, thu: afternoon, fri: afternoon },
        },
      },
    });
    await t.api('POST', `/api/v1/policies/${policy.body.id}/assign`, {
      token: t.adminToken,
      body: { groupIds: [room.groupId] },
    });
    const id = await laptopWithIdleHour(room.secret, ten);
    // an hour during lessons keeps the device awake (60 min); outside them 15 min
    const draft = { sleepAfterSec: { ac: 3600 }, outsideSchoolHours: { sleepAfterSec: { ac: 900 } } };
    const span = { from: ten - HOUR_MS, to: ten + 2 * HOUR_MS, deviceIds: [id] };
    const own = await whatIf({ policy: { settings: draft }, ...span });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.avoidedKwh).toBeCloseTo(0.00525, 12);
    const lessons = { start: '08:00', end: '17:00' };
    const withHours = await whatIf({
      policy: {
        settings: {
          ...draft,
          schoolHours: { mon: lessons, tue: lessons, wed: lessons, thu: lessons, fri: lessons },
        },
      },
      ...span,
    });
    expect(withHours.body.avoidedKwh).toBe(0);
    // the recommended template for that room takes its hours too
    const rec = await t.api('GET', `/api/v1/policies/recommended?groupId=${room.groupId}`, { token: viewer });
    expect(rec.status).toBe(200);
    expect(rec.body.settings.schoolHours.mon).toEqual(afternoon);
    expect(
      (await t.api('GET', '/api/v1/policies/recommended?groupId=999999', { token: viewer })).body.error.code,
    ).toBe('not_found');
    expect(
      (await t.api('GET', '/api/v1/policies/recommended?groupId=x', { token: viewer })).body.error.code,
    ).toBe('validation_failed');
  });
});

describe('GET /api/v1/waste-causes with recorded blockers', () => {
  it('attributes the waste a reported blocker held to that blocker, names its room, and the causes add up', async () => {
    const res = await t.api(
      'GET',
      `/api/v1/waste-causes?from=${period.from}&to=${period.to}&groupId=${other.groupId}`,
      { token: t.adminToken },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const causes = res.body.causes as {
      cause: string;
      detail?: string;
      kwh: number;
      devices: number;
      nextStep: { nl: string; en: string };
    }[];
    const blocker = causes.find((c) => c.cause === 'blocker');
    expect(blocker).toMatchObject({ detail: 'vlc.exe', devices: 1 });
    expect(blocker!.kwh).toBeGreaterThan(0);
    expect(blocker!.nextStep.nl).toMatch(/^vlc\.exe hield 1 apparaat wakker in Het Anker\./);
    expect(blocker!.nextStep.en).toMatch(/^vlc\.exe kept 1 device awake in Het Anker\./);
    // held the whole hour: nothing of it is left to the policy causes
    expect(causes.map((c) => c.cause).sort()).toEqual(['blocker', 'within_recommended']);
    expect(causes.reduce((s, c) => s + c.kwh, 0)).toBeCloseTo(res.body.totalKwh, 12);
    expect(res.body.totalKwh).toBeCloseTo(0.007, 12);
    expect(res.body.limitations.map((l: { code: string }) => l.code)).not.toContain(
      'blocker_history_not_recorded',
    );
    // a viewer gets the same split without the program's name
    const seen = await t.api(
      'GET',
      `/api/v1/waste-causes?from=${period.from}&to=${period.to}&groupId=${other.groupId}`,
      { token: viewer },
    );
    const anon = (seen.body.causes as typeof causes).find((c) => c.cause === 'blocker')!;
    expect(anon.kwh).toBeCloseTo(blocker!.kwh, 12);
    expect(anon.detail ?? '').toBe('');
    expect(anon.nextStep.nl).toMatch(/^Een programma hield 1 apparaat wakker in Het Anker\./);
    expect(JSON.stringify(seen.body)).not.toContain('vlc.exe');
  });
});
