import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithPostgres,
  type PostgresServer,
  startPostgres,
} from '../store/testing/postgres-server.js';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

/**
 * Two console processes (two startConsole in one test process, each with its own store pool, bus
 * and gateway) on one private PostgreSQL database: what one does, the other's agents and browsers see.
 */
describeWithPostgres('two console processes on one PostgreSQL', () => {
  let server: PostgresServer;
  let a: TestConsole;
  let b: TestConsole;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    const databaseUrl = await server.createDatabase();
    a = await startTestConsole({ databaseUrl, presenceIntervalMs: 300 });
    b = await startTestConsole({ databaseUrl, presenceIntervalMs: 300 });
  }, 120_000);
  afterAll(async () => {
    for (const x of agents) x.ws.terminate();
    await a?.close();
    await b?.close();
    await server?.stop();
  }, 60_000);

  /** an SSE stream of process `t` */
  async function events(t: TestConsole) {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/web/events`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    return {
      async until(needle: RegExp): Promise<void> {
        const deadline = Date.now() + 10_000;
        while (!needle.test(text)) {
          if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          text += new TextDecoder().decode(value);
        }
      },
      close: () => ac.abort(),
    };
  }

  const online = async (t: TestConsole, id: number) =>
    (await t.api('GET', `/api/v1/devices/${id}`, { token: t.adminToken })).body.online as boolean;

  async function eventually(check: () => Promise<boolean>, what: string) {
    const deadline = Date.now() + 5000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('pushes a policy assigned through process A to an agent connected to process B', async () => {
    const { groupId, secret } = await a.groupWithSecret('Kluis');
    const { deviceId, deviceToken } = await a.enroll(secret, 'cluster-push');
    const { agent, welcome } = await TestAgent.hello(b.url, deviceToken);
    agents.push(agent);
    expect(welcome.type).toBe('welcome');

    const created = await a.api('POST', '/api/v1/policies', {
      token: a.adminToken,
      body: { name: 'Slaapstand', settings: { auditOnly: false, sleepAfterSec: { ac: 1200 } } },
    });
    expect(created.status).toBe(201);
    await a.api('POST', `/api/v1/policies/${created.body.id}/assign`, {
      token: a.adminToken,
      body: { groupIds: [groupId] },
    });
    const pushed = await agent.next();
    expect(pushed).toMatchObject({ type: 'policy', policy: { sleepAfterSec: { ac: 1200 } } });

    // a change of the policy itself, through A again, reaches B's agent too (B's cache is dropped)
    const put = await a.api('PUT', `/api/v1/policies/${created.body.id}`, {
      token: a.adminToken,
      body: { name: 'Slaapstand', settings: { auditOnly: false, sleepAfterSec: { ac: 600 } } },
    });
    // `pushed` counts the agents of the process that answered; B pushed to its own
    expect(put.body.pushed).toBe(0);
    expect(await agent.next()).toMatchObject({ type: 'policy', policy: { sleepAfterSec: { ac: 600 } } });
    // and B's own view of the effective policy agrees
    const page = await b.api('GET', `/api/v1/devices/${deviceId}`, { token: b.adminToken });
    expect(JSON.stringify(page.body)).toContain('600');
    agent.close();
  }, 20_000);

  it('counts an agent connected to B as online on A, and tells A’s browsers when it comes and goes', async () => {
    const { secret } = await b.groupWithSecret('Aanwezig');
    const { deviceId, deviceToken } = await b.enroll(secret, 'cluster-presence');
    expect(await online(a, deviceId)).toBe(false);
    const stream = await events(a);
    await stream.until(/sluimer live updates/);

    const { agent } = await TestAgent.hello(b.url, deviceToken);
    agents.push(agent);
    await stream.until(new RegExp(`event: device\\ndata: \\{"deviceId":${deviceId},"online":true`));
    expect(await online(a, deviceId)).toBe(true);

    // a stored report on B is a live event on A
    const now = Date.now();
    const ack = await agent.report(1, [{ start: now - 60_000, end: now, state: 'active' }]);
    expect(ack.type).toBe('ack');
    await stream.until(/event: report\n/);

    agent.close();
    await stream.until(new RegExp(`event: device\\ndata: \\{"deviceId":${deviceId},"online":false`));
    expect(await online(a, deviceId)).toBe(false);
    stream.close();
  }, 20_000);

  it('tells A’s browsers of a device enrolled through B, and A’s device list shows B’s edits at once', async () => {
    const stream = await events(a);
    await stream.until(/sluimer live updates/);
    const { secret } = await b.groupWithSecret('Nieuw');
    const { deviceId } = await b.enroll(secret, 'cluster-enrolled');
    await stream.until(new RegExp(`event: enrolled\\ndata: \\{[^\\n]*"deviceId":${deviceId}`));
    stream.close();

    const names = async () =>
      (await a.api('GET', '/api/v1/web/devices?limit=1000', { token: a.adminToken })).body.devices.find(
        (d: { id: number }) => d.id === deviceId,
      )?.name;
    await eventually(async () => (await names()) !== undefined, 'in A’s list');
    const renamed = await b.api('PATCH', `/api/v1/devices/${deviceId}`, {
      token: b.adminToken,
      body: { name: 'Lokaal 12 — pc 3' },
    });
    expect(renamed.status).toBe(200);
    await eventually(async () => (await names()) === 'Lokaal 12 — pc 3', 'renamed in A’s list');
  }, 20_000);

  it('closes an older socket of a device on A once the device connects to B', async () => {
    const { secret } = await a.groupWithSecret('Twee');
    const { deviceId, deviceToken } = await a.enroll(secret, 'cluster-twice');
    const first = await TestAgent.hello(a.url, deviceToken);
    agents.push(first.agent);
    const second = await TestAgent.hello(b.url, deviceToken);
    agents.push(second.agent);
    expect(await first.agent.waitClosed()).toEqual({
      code: 4000,
      reason: 'replaced by a newer connection of this device',
    });
    expect(second.agent.closed).toBeNull();
    await eventually(() => online(a, deviceId), 'still online on A through B');
    second.agent.close();
  }, 20_000);

  it('counts the agents of a process that shuts down as offline on the others', async () => {
    const { secret } = await b.groupWithSecret('Weg');
    const { deviceId, deviceToken } = await b.enroll(secret, 'cluster-gone');
    const { agent } = await TestAgent.hello(b.url, deviceToken);
    agents.push(agent);
    await eventually(() => online(a, deviceId), 'online on A');
    // B closes its sockets and says goodbye (a killed process is dropped after three missed
    // snapshots instead: test/e2e/cluster.test.ts)
    await b.close();
    await eventually(async () => !(await online(a, deviceId)), 'offline on A');
  }, 20_000);
});
