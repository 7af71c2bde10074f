import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let viewer: string;
let school: number;
let room: number;

const HOURS = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, { start: '08:15', end: '14:45' }]),
);

beforeAll(async () => {
  t = await startTestConsole();
  viewer = await t.userToken('viewer');
  school = (await t.groupWithSecret('De Regenboog')).groupId;
  room = (await t.groupWithSecret('Lokaal 12', school)).groupId;
});
afterAll(async () => {
  await t.close();
});

const calendarOf = (id: number, token = t.adminToken) =>
  t.api('GET', `/api/v1/groups/${id}/calendar`, { token });

describe('school calendar', () => {
  it('shows the assumed calendar (region midden) until the school stores its own', async () => {
    const r = await calendarOf(room, viewer);
    expect(r.status).toBe(200);
    expect(r.body.stored).toBe(false);
    expect(r.body.schoolId).toBeNull();
    expect(r.body.calendar.region).toBe('midden');
    expect(r.body.calendar.vacations.length).toBeGreaterThan(5);
  });

  it('stores a school’s calendar from a region template; its rooms inherit it and policies follow its hours', async () => {
    const tpl = await t.api('GET', '/api/v1/calendar/template?region=noord', { token: viewer });
    expect(tpl.status).toBe(200);
    expect(tpl.body.region).toBe('noord');
    const body = {
      ...tpl.body,
      schoolHours: HOURS,
      studyDays: [{ date: '2027-02-03', name: 'Studiedag team' }],
    };
    const put = await t.api('PUT', `/api/v1/groups/${school}/calendar`, { token: t.adminToken, body });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.own).toBe(true);
    const inherited = await calendarOf(room);
    expect(inherited.body).toMatchObject({ stored: true, own: false, schoolId: school });
    expect(inherited.body.calendar.studyDays).toEqual([{ date: '2027-02-03', name: 'Studiedag team' }]);
    // the recommended template in that room's school hours: now the school's
    const rec = await t.api('GET', `/api/v1/policies/recommended?groupId=${room}`, { token: viewer });
    expect(rec.body.settings.schoolHours).toEqual(HOURS);
  });

  it('tells the school’s agents its days off in their policy (extension daysOff), and again after an edit', async () => {
    // a school of its own (the history test below wants De Regenboog without devices)
    const baken = (await t.groupWithSecret('Het Baken')).groupId;
    const tpl = await t.api('GET', '/api/v1/calendar/template?region=zuid', { token: viewer });
    const stored = { ...tpl.body, studyDays: [{ date: '2027-02-03', name: 'Studiedag team' }] };
    expect(
      (await t.api('PUT', `/api/v1/groups/${baken}/calendar`, { token: t.adminToken, body: stored })).status,
    ).toBe(200);
    const { secret } = await t.groupWithSecret('Groep 5', baken);
    const { deviceToken } = await t.enroll(secret);
    const { agent, welcome } = await TestAgent.hello(t.url, deviceToken);
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${welcome.type}`);
    const days = welcome.policy.daysOff ?? [];
    expect(days).toContainEqual({ kind: 'study_day', start: '2027-02-03', end: '2027-02-03' });
    expect(days.some((d) => d.kind === 'vacation')).toBe(true);
    expect(days.some((d) => d.kind === 'holiday')).toBe(true);
    // a second study day: pushed to the connected agent with the new days off
    const body = { ...stored, studyDays: [...stored.studyDays, { date: '2027-03-15', name: 'Studiedag' }] };
    expect(
      (await t.api('PUT', `/api/v1/groups/${baken}/calendar`, { token: t.adminToken, body })).status,
    ).toBe(200);
    const pushed = await agent.next();
    if (pushed.type !== 'policy') throw new Error(`expected policy, got ${pushed.type}`);
    expect(pushed.etag).not.toBe(welcome.etag);
    expect(pushed.policy.daysOff).toContainEqual({
      kind: 'study_day',
      start: '2027-03-15',
      end: '2027-03-15',
    });
    agent.ws.close();
  });

  it('refuses a bad calendar with the fields named, and keeps the stored one', async () => {
    const before = await calendarOf(school);
    const bad = {
      ...before.body.calendar,
      vacations: [{ name: 'Kerst', start: '2026-12-31', end: '2026-12-19' }],
      studyDays: [{ date: '2027-02-30', name: 'Geen dag' }],
    };
    const r = await t.api('PUT', `/api/v1/groups/${school}/calendar`, { token: t.adminToken, body: bad });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('vacations.0.end');
    expect(paths).toContain('studyDays.0.date');
    expect((await calendarOf(school)).body).toEqual(before.body);
  });

  it('keeps a calendar on schools: a room, a viewer or an unknown group is refused', async () => {
    const cal = (await calendarOf(school)).body.calendar;
    const onRoom = await t.api('PUT', `/api/v1/groups/${room}/calendar`, { token: t.adminToken, body: cal });
    expect(onRoom.status).toBe(400);
    expect(onRoom.body.error.message).toMatch(/school/);
    const asViewer = await t.api('PUT', `/api/v1/groups/${school}/calendar`, { token: viewer, body: cal });
    expect(asViewer.status).toBe(403);
    const unknown = await t.api('PUT', '/api/v1/groups/999999/calendar', { token: t.adminToken, body: cal });
    expect(unknown.status).toBe(404);
  });

  it('goes back to the assumed calendar when the school’s is removed', async () => {
    const del = await t.api('DELETE', `/api/v1/groups/${school}/calendar`, { token: t.adminToken });
    expect(del.status).toBe(204);
    expect((await calendarOf(room)).body.stored).toBe(false);
    const again = await t.api('DELETE', `/api/v1/groups/${school}/calendar`, { token: t.adminToken });
    expect(again.status).toBe(404);
  });
});

describe('policy history and savings over HTTP', () => {
  it('records an assignment when it is answered, and savings name the change with no comparison yet', async () => {
    const p = await t.api('POST', '/api/v1/policies', {
      token: t.adminToken,
      body: { name: 'Streng', settings: { auditOnly: false, sleepAfterSec: { ac: 900, battery: 600 } } },
    });
    expect(p.status).toBe(201);
    const a = await t.api('POST', `/api/v1/policies/${p.body.id}/assign`, {
      token: t.adminToken,
      body: { groupIds: [room] },
    });
    expect(a.status).toBe(200);
    const h = await t.api('GET', `/api/v1/policy-history?groupId=${room}`, { token: viewer });
    expect(h.status).toBe(200);
    const rows = h.body.items.filter((r: { groupId: number }) => r.groupId === room);
    expect(rows.at(-1)).toMatchObject({ policyName: 'Streng', auditOnly: false, firstRecord: false });
    expect(rows.at(-2)).toMatchObject({ policyId: null, auditOnly: true });
    const s = await t.api('GET', `/api/v1/savings?groupId=${school}`, { token: viewer });
    expect(s.status).toBe(200);
    expect(s.body.schools).toEqual([]); // no devices yet: nothing to compare
    const bad = await t.api('GET', '/api/v1/savings?groupId=abc', { token: viewer });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/v1/waste-causes', () => {
  it('refuses bad input with a code a program can switch on, and answers a good period', async () => {
    const to = Date.now() - 60_000;
    const from = to - 7 * 24 * 3_600_000;
    const get = (q: string) => t.api('GET', `/api/v1/waste-causes?${q}`, { token: viewer });
    expect((await get(`from=${from}&to=${to + 3_600_000}`)).body.error.code).toBe('period_in_future');
    expect((await get(`from=${to - 100 * 24 * 3_600_000}&to=${to}`)).body.error.code).toBe('period_too_long');
    expect((await get(`from=${to}&to=${from}`)).body.error.code).toBe('validation_failed');
    const unknown = await get(`from=${from}&to=${to}&groupId=999999`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.groupIds).toEqual([999999]);
    expect((await get(`from=${from}&to=${to}&ids=1;2`)).status).toBe(400);
    const ok = await get(`from=${from}&to=${to}&groupId=${school}`);
    expect(ok.status).toBe(200);
    expect(ok.body.totalKwh).toBe(0);
    // a console that recorded blocker spans from its first report has their history for every period
    expect(ok.body.limitations.map((l: { code: string }) => l.code)).not.toContain(
      'blocker_history_not_recorded',
    );
  });
});
