import { expect, it } from 'vitest';
import { describeWithPostgres } from '../../console/server/src/store/testing/postgres-server.js';
import {
  type ConsoleFixture,
  createGroupWithSecret,
  enrolledAgent,
  expectedTotals,
  historyWindow,
  ms,
  scriptedTimeline,
  streamReports,
  successorOf,
  usageByDevice,
  useConsoles,
  waitFor,
} from './helpers.js';

/**
 * Two built console processes on one private PostgreSQL database, as a large deployment runs them
 * behind a load balancer: a policy set through one reaches agents on the other, and when one is
 * killed with SIGKILL mid-stream its agents go on at the other with nothing lost or counted twice.
 */

const span = historyWindow(2);
const { qFrom, qTo } = span;
const timelineOf = (i: number) => scriptedTimeline(i, { key: 'cluster', prefix: 'CL' }, span, 1);

describeWithPostgres('two console processes on one PostgreSQL', () => {
  // presence lists every 300 ms: a killed process is noticed within a second
  const consoles = useConsoles({ count: 2, postgres: true, env: { SLUIMER_PRESENCE_INTERVAL_MS: '300' } });

  it('applies a policy set through process A on an agent connected to process B', async () => {
    const [a, b] = consoles as [ConsoleFixture, ConsoleFixture];
    const { groupId, secret } = await createGroupWithSecret(a.api, 'Push');
    const policies: unknown[] = [];
    const d = await enrolledAgent(b.proc.url, secret, { onPolicy: (p) => policies.push(p) });
    await waitFor(
      'online on A',
      async () => (await a.api.get<{ online: boolean }>(`/api/v1/devices/${d.deviceId}`)).online || undefined,
    );
    const policy = await a.api.post<{ id: number }>('/api/v1/policies', {
      name: 'Energiezuinig',
      settings: { auditOnly: false, sleepAfterSec: { ac: 900, battery: 300 } },
    });
    await a.api.post(`/api/v1/policies/${policy.id}/assign`, { groupIds: [groupId] });
    await waitFor('the pushed policy at the agent', () => policies.length >= 2 || undefined);
    expect(policies.at(-1)).toMatchObject({ sleepAfterSec: { ac: 900, battery: 300 } });
    // the agent's policy_status went to B; A shows the device compliant
    await waitFor('compliant, seen through A', async () =>
      (await a.api.get<{ policyStatus: string }>(`/api/v1/devices/${d.deviceId}`)).policyStatus ===
      'compliant'
        ? true
        : undefined,
    );
    await d.agent.close();
  }, 60_000);

  it('loses nothing and counts nothing twice when process A is killed mid-stream and its agents move to B', async () => {
    const [a, b] = consoles as [ConsoleFixture, ConsoleFixture];
    const { groupId, secret } = await createGroupWithSecret(b.api, 'Kill');
    const devices = await Promise.all(
      [1, 2, 3, 4].map(async (i) => ({
        ...(await enrolledAgent(a.proc.url, secret, { reconnect: false })),
        ...timelineOf(i),
      })),
    );
    // B sees A's agents online
    await waitFor('A’s agents online on B', async () => {
      for (const d of devices)
        if (!(await b.api.get<{ online: boolean }>(`/api/v1/devices/${d.deviceId}`)).online) return undefined;
      return true;
    });
    const stream = streamReports(devices);
    await waitFor('some acks before the kill', () => stream.acked() > 20 || undefined, 20_000, 2);
    await a.proc.kill();
    expect(stream.acked()).toBeLessThan(stream.total);

    // A's devices drop out of B's presence once A's lists stop (3 × 300 ms)
    await waitFor('A’s agents offline on B', async () => {
      for (const d of devices)
        if ((await b.api.get<{ online: boolean }>(`/api/v1/devices/${d.deviceId}`)).online) return undefined;
      return true;
    });

    // the stream goes on meanwhile: what A did not ack waits in the agents, unsent
    await stream.sent;
    // each agent reconnects — the load balancer now sends it to B — with everything still unacked
    const moved = await Promise.all(
      devices.map(async (d) => {
        d.agent.kill();
        const again = successorOf(d.agent, b.proc.url);
        await again.connect();
        return again;
      }),
    );
    await stream.allAcked();
    const usage = await usageByDevice(b.api, qFrom, qTo, groupId);
    for (const d of devices) {
      expect(ms(usage.get(d.deviceId))).toEqual(ms(expectedTotals(d.intervals)));
      const detail = await b.api.get<{ maxSeq: number; online: boolean }>(`/api/v1/devices/${d.deviceId}`);
      expect(detail).toMatchObject({ maxSeq: d.batches.length, online: true });
    }
    await Promise.all(moved.map((m) => m.close()));
  }, 120_000);
});
