import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

/**
 * One truth per device: the web's device list, the API's device list, the device page, the end of
 * the timeline and the live events say the same about a device's state and its energy policy (device-status.ts).
 */
let t: TestConsole;
let token: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  t = await startTestConsole();
  token = await t.userToken('it');
});

afterAll(async () => {
  for (const a of agents) a.ws.terminate();
  await t.close();
});

const get = async (path: string) => t.api('GET', path, { token });

/** a live event stream the test reads from */
async function events() {
  const ac = new AbortController();
  const res = await fetch(`${t.url}/api/v1/web/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  let text = '';
  return {
    async until(needle: RegExp): Promise<RegExpExecArray> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const m = needle.exec(text);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    },
    close: () => ac.abort(),
  };
}

/** what the list, the page and the timeline say about one device */
async function views(deviceId: number) {
  const list = await get('/api/v1/web/devices?limit=1000');
  const row = list.body.devices.find((d: { id: number }) => d.id === deviceId);
  const apiRow = (await get('/api/v1/devices')).body.find((d: { id: number }) => d.id === deviceId);
  const page = await get(`/api/v1/devices/${deviceId}`);
  const now = Date.now();
  const timeline = await get(
    `/api/v1/web/devices/${deviceId}/timeline?from=${now - 86_400_000}&to=${now + 1000}`,
  );
  const intervals = timeline.body.intervals as { state: string }[];
  return {
    list: { state: row.state, policyStatus: row.policyStatus },
    api: { state: apiRow.state, policyStatus: apiRow.policyStatus },
    page: { state: page.body.state, policyStatus: page.body.policyStatus },
    timelineEnd: intervals[intervals.length - 1]?.state,
  };
}

describe('one truth per device', () => {
  it('web list, API list, device page, timeline and live events agree on state and policy status', async () => {
    const stream = await events();
    await stream.until(/sluimer live updates/);
    const { groupId, secret } = await t.groupWithSecret('De Linde');
    const { deviceId, deviceToken } = await t.enroll(secret, 'install-truth-0001-xxxx');

    // a new device under the console default: no energy policy, in every view, even once the
    // agent acknowledged the default
    const first = await TestAgent.hello(t.url, deviceToken);
    agents.push(first.agent);
    first.agent.send({
      type: 'policy_status',
      etag: (first.welcome as { etag: string }).etag,
      ok: true,
      applied: {},
      errors: [],
    });
    await stream.until(
      new RegExp(`event: policy_status\\ndata: \\{"deviceId":${deviceId},[^\\n]*"policyStatus":"none"`),
    );
    await new Promise((r) => setTimeout(r, 20));

    // it was switched off while its socket was still open
    const now = Date.now();
    const ack = await first.agent.report(1, [
      { start: now - 2 * 3600_000, end: now - 3600_000, state: 'active' },
      { start: now - 3600_000, end: now, state: 'off' },
    ]);
    expect(ack.type).toBe('ack');
    await stream.until(
      new RegExp(`event: device\\ndata: \\{"deviceId":${deviceId},"online":true,"state":"off"`),
    );
    expect(await views(deviceId)).toEqual({
      list: { state: 'off', policyStatus: 'none' },
      api: { state: 'off', policyStatus: 'none' },
      page: { state: 'off', policyStatus: 'none' },
      timelineEnd: 'off',
    });

    // an energy policy applies and the agent confirms it: "applied" everywhere
    const created = await t.api('POST', '/api/v1/policies', {
      token,
      body: { name: 'Slaapstand', settings: { auditOnly: false, sleepAfterSec: { ac: 1200 } } },
    });
    await t.api('POST', `/api/v1/policies/${created.body.id}/assign`, {
      token,
      body: { groupIds: [groupId] },
    });
    const pushed = await first.agent.next();
    expect(pushed.type).toBe('policy');
    expect((await views(deviceId)).list.policyStatus).toBe('pending');
    expect((await views(deviceId)).page.policyStatus).toBe('pending');
    first.agent.send({
      type: 'policy_status',
      etag: (pushed as { etag: string }).etag,
      ok: true,
      applied: { sleepAfterSec: { ac: 1200 } },
      errors: [],
    });
    await stream.until(
      new RegExp(`event: policy_status\\ndata: \\{"deviceId":${deviceId},[^\\n]*"policyStatus":"compliant"`),
    );
    expect(await views(deviceId)).toEqual({
      list: { state: 'off', policyStatus: 'compliant' },
      api: { state: 'off', policyStatus: 'compliant' },
      page: { state: 'off', policyStatus: 'compliant' },
      timelineEnd: 'off',
    });

    // switched on again: the agent connects after its last "off" ended, so it is online everywhere
    first.agent.close();
    await first.agent.waitClosed();
    await stream.until(new RegExp(`"deviceId":${deviceId},"online":false,"state":"off"`));
    const second = await TestAgent.hello(t.url, deviceToken);
    agents.push(second.agent);
    await stream.until(new RegExp(`"deviceId":${deviceId},"online":true,"state":"online"`));
    const v = await views(deviceId);
    expect(v.list.state).toBe('online');
    expect(v.api.state).toBe('online');
    expect(v.page.state).toBe('online');
    stream.close();
  });
});
