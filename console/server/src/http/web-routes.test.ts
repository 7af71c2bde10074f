import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
let itToken: string;
let viewerToken: string;
let room: { groupId: number; secret: string };
let school: { groupId: number; secret: string };
const agents: TestAgent[] = [];

beforeAll(async () => {
  t = await startTestConsole();
  itToken = await t.userToken('it');
  viewerToken = await t.userToken('viewer');
  school = await t.groupWithSecret('Het Baken');
  room = await t.groupWithSecret('Lokaal 1.04', school.groupId);
});

afterAll(async () => {
  for (const a of agents) a.ws.terminate();
  await t.close();
});

const get = async (path: string, token = itToken) => t.api('GET', path, { token });

describe('GET /api/v1/web/devices', () => {
  it('pages, searches, filters and sorts on the server', async () => {
    for (let i = 0; i < 12; i++)
      await t.enroll(i < 8 ? room.secret : school.secret, `install-web-${i}-xxxxxxxx`);
    const all = await get('/api/v1/web/devices?limit=5&sort=name');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(12);
    expect(all.body.devices).toHaveLength(5);
    const page3 = await get('/api/v1/web/devices?limit=5&offset=10&sort=name');
    expect(page3.body.devices).toHaveLength(2);
    // numeric-aware, case-insensitive sort over the whole list, not the page
    const names = (await get('/api/v1/web/devices?limit=100&sort=name&order=desc')).body.devices.map(
      (d: { hostname: string }) => d.hostname,
    );
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a, 'nl', { numeric: true })));

    const inRoom = await get(`/api/v1/web/devices?groupId=${room.groupId}`);
    expect(inRoom.body.total).toBe(8);
    const inSchool = await get(`/api/v1/web/devices?groupId=${school.groupId}`);
    expect(inSchool.body.total).toBe(12); // the school and the room below it
    const byPath = await get(`/api/v1/web/devices?q=${encodeURIComponent('lokaal 1.04')}`);
    expect(byPath.body.total).toBe(8);
    expect(byPath.body.devices[0].groupPath).toBe('Het Baken › Lokaal 1.04');
    expect((await get('/api/v1/web/devices?state=offline')).body.total).toBe(12);
    expect((await get('/api/v1/web/devices?policyStatus=none')).body.total).toBe(12);
    expect((await get('/api/v1/web/devices?limit=5000')).status).toBe(400);
  });

  it('is for admin and IT only', async () => {
    expect((await get('/api/v1/web/devices', viewerToken)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/web/devices')).status).toBe(401);
  });

  it('shows a policy failure with the error the agent reported, and filters on the effective policy', async () => {
    const { deviceId, deviceToken } = await t.enroll(room.secret, 'install-web-policy-xxxxxxxx');
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    const created = await t.api('POST', '/api/v1/policies', {
      token: itToken,
      body: { name: 'Streng', settings: { auditOnly: false, sleepAfterSec: { ac: 1200 } } },
    });
    await t.api('POST', `/api/v1/policies/${created.body.id}/assign`, {
      token: itToken,
      body: { groupIds: [room.groupId] },
    });
    const pushed = await agent.next();
    expect(pushed.type).toBe('policy');
    const etag = (pushed as { etag: string }).etag;
    agent.send({
      type: 'policy_status',
      etag,
      ok: false,
      applied: {},
      errors: [{ setting: 'sleepAfterSec', code: 'overridden_by_policy', message: 'Group Policy holds 0' }],
    });
    await expect
      .poll(async () => {
        const r = await get(`/api/v1/web/devices?policyId=${created.body.id}&policyStatus=failed`);
        return r.body.devices.map((d: { id: number; policyError: string }) => [d.id, d.policyError]);
      })
      .toEqual([[deviceId, 'sleepAfterSec: Group Policy holds 0']]);
    const withPolicy = await get(`/api/v1/web/devices?policyId=${created.body.id}`);
    expect(withPolicy.body.total).toBe(9); // the room's 8 plus this one
    const online = await get('/api/v1/web/devices?state=online');
    expect(online.body.devices.map((d: { id: number }) => d.id)).toEqual([deviceId]);
  });

  it('shows a Chromebook whose policy Google Admin enforces as external, not as waiting forever', async () => {
    const chromebooks = await t.groupWithSecret('Chromebooks groep 5');
    const { deviceId, deviceToken } = await t.enroll(chromebooks.secret, 'cros-web-external-xxxx');
    const policy = await t.api('POST', '/api/v1/policies', {
      token: itToken,
      body: { name: 'Chromebooks', settings: { auditOnly: false, sleepAfterSec: { ac: 600 } } },
    });
    await t.api('POST', `/api/v1/policies/${policy.body.id}/assign`, {
      token: itToken,
      body: { groupIds: [chromebooks.groupId] },
    });
    const { agent, welcome } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    const status = async () => (await get(`/api/v1/devices/${deviceId}`)).body.policyStatus;
    expect(await status()).toBe('pending');
    agent.send({
      type: 'policy_status',
      etag: (welcome as { etag: string }).etag,
      ok: true,
      applied: { enforcedBy: 'google-admin' },
      errors: [],
    });
    await expect.poll(status).toBe('external');
    const listed = await get(`/api/v1/web/devices?policyStatus=external`);
    expect(listed.body.devices.map((d: { id: number }) => d.id)).toEqual([deviceId]);
    expect((await get(`/api/v1/devices/${deviceId}`)).body.policyStatusDetail.applied).toEqual({
      enforcedBy: 'google-admin',
    });
  });
});

describe('GET /api/v1/web/devices/:id/timeline', () => {
  it('clips the device intervals to the window, oldest first', async () => {
    const { deviceId, deviceToken } = await t.enroll(room.secret, 'install-web-timeline-xxxx');
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    await new Promise((r) => setTimeout(r, 20));
    const now = Date.now();
    // a sleep that ends after the agent said hello: it reports sleeping while its socket is open
    const ack = await agent.report(1, [
      { start: now - 3 * 3600_000, end: now - 2 * 3600_000, state: 'active' },
      { start: now - 2 * 3600_000, end: now - 3600_000, state: 'idle', display: 'on' },
      { start: now - 3600_000, end: now, state: 'asleep' },
    ]);
    expect(ack.type).toBe('ack');
    const from = now - 2.5 * 3600_000;
    const r = await get(`/api/v1/web/devices/${deviceId}/timeline?from=${from}&to=${now}`);
    expect(r.status).toBe(200);
    expect(r.body.intervals.map((i: { state: string; start: number }) => [i.state, i.start])).toEqual([
      ['active', from],
      ['idle', now - 2 * 3600_000],
      ['asleep', now - 3600_000],
    ]);
    // its last report was asleep: the list says so even though its socket is open
    const listed = await get(`/api/v1/web/devices?q=${encodeURIComponent(String(deviceId))}&limit=1000`);
    expect(listed.body.devices.find((d: { id: number }) => d.id === deviceId).state).toBe('asleep');
    expect((await get(`/api/v1/web/devices/${deviceId}/timeline?from=0&to=${now}`)).status).toBe(400);
    expect((await get(`/api/v1/web/devices/999999/timeline?from=${from}&to=${now}`)).status).toBe(404);
  });
});

describe('GET /api/v1/web/device-reasons', () => {
  it('names the blocker for IT but only its kind for a viewer', async () => {
    const { deviceId, deviceToken } = await t.enroll(school.secret, 'install-web-blocker-xxxx');
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    const now = Date.now();
    await agent.report(1, [{ start: now - 600_000, end: now - 60_000, state: 'idle' }], {
      blockers: [{ name: 'Teams.exe', kind: 'process', reason: 'call' }],
    });
    const staff = await get(`/api/v1/web/device-reasons?ids=${deviceId},424242`);
    expect(staff.body).toHaveLength(1);
    expect(staff.body[0].reason).toEqual({ kind: 'blocker', blockerKind: 'process', detail: 'Teams.exe' });
    expect(staff.body[0].groupPath).toBe('Het Baken');
    const viewer = await get(`/api/v1/web/device-reasons?ids=${deviceId}`, viewerToken);
    expect(viewer.status).toBe(200);
    expect(viewer.body[0].reason).toEqual({ kind: 'blocker', blockerKind: 'process', detail: 'process' });
    expect(JSON.stringify(viewer.body)).not.toContain('Teams');
    expect((await get('/api/v1/web/device-reasons?ids=abc')).status).toBe(400);
  });
});

describe('GET /api/v1/web/events', () => {
  it('pushes a device coming online and its policy status as Server-Sent Events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/web/events`, {
      headers: { authorization: `Bearer ${viewerToken}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!needle.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/sluimer live updates/);
    const { deviceId, deviceToken } = await t.enroll(room.secret, 'install-web-events-xxxx');
    const { agent, welcome } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    await readUntil(new RegExp(`event: device\\ndata: \\{"deviceId":${deviceId},"online":true`));
    agent.send({
      type: 'policy_status',
      etag: (welcome as { etag: string }).etag,
      ok: true,
      applied: {},
      errors: [],
    });
    await readUntil(new RegExp(`event: policy_status\\ndata: \\{"deviceId":${deviceId},"ok":true`));
    agent.ws.close();
    await readUntil(new RegExp(`"deviceId":${deviceId},"online":false,"state":"offline"`));
    ac.abort();
  });

  it('tells open pages of a new enrollment before its agent connects, and of new measurements', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/web/events`, {
      headers: { authorization: `Bearer ${viewerToken}` },
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!needle.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/sluimer live updates/);
    const { deviceId, deviceToken } = await t.enroll(room.secret, 'install-web-notice-xxxx');
    await readUntil(new RegExp(`event: enrolled\ndata: {"type":"enrolled","deviceId":${deviceId},`));
    // the notice names the device, never its token
    expect(text).not.toContain(deviceToken);
    const { agent } = await TestAgent.hello(t.url, deviceToken);
    agents.push(agent);
    const end = Date.now() - 60_000;
    const ack = await agent.report(1, [
      { start: end - 600_000, end, state: 'idle', display: 'on', power: 'ac' },
    ]);
    expect(ack).toMatchObject({ type: 'ack', seq: 1 });
    await readUntil(/event: report\ndata: \{"at":\d+,"reports":\d+\}/);
    ac.abort();
  });

  it('needs a login', async () => {
    expect((await t.api('GET', '/api/v1/web/events')).status).toBe(401);
  });
});
