import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProcess,
  type ConsoleFixture,
  createGroupWithSecret,
  expectedTotals,
  ms,
  startAgentProcess,
  startConsoleFixture,
  usageByDevice,
  waitFor,
} from './helpers.js';

interface DeviceDetail {
  id: number;
  maxSeq: number;
  online: boolean;
  recentIntervals: { start: number; end: number; state: 'active' | 'idle' | 'asleep' | 'off' }[];
}

/**
 * The real agent process (`sluimer-agent run --simulate`) against the real console process: it is
 * killed with SIGKILL while a report is unacknowledged (the console is frozen with SIGSTOP, so no
 * ack can come) and started again on the same data directory. Nothing may be lost or counted twice.
 */
describe('the real agent process, killed before its ack and restarted', () => {
  let c: ConsoleFixture;
  let dataDir: string;
  const agents: AgentProcess[] = [];
  beforeAll(async () => {
    c = await startConsoleFixture();
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-e2e-agent-'));
  });
  afterAll(async () => {
    for (const a of agents) await a.kill();
    if (c?.proc.child.signalCode === 'SIGSTOP') c.proc.child.kill('SIGCONT');
    await c?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every interval exactly once across a SIGKILL before the ack and a restart', async () => {
    const { groupId, secret } = await createGroupWithSecret(c.api, 'Agent process');
    const run = async () => {
      const a = await startAgentProcess({ server: c.proc.url, enrollSecret: secret, dataDir });
      agents.push(a);
      return a;
    };
    const first = await run();
    const device = await waitFor(
      'the agent to enroll and report',
      async () => {
        const list = await c.api.get<{ id: number }[]>(`/api/v1/devices?groupId=${groupId}`);
        if (list.length !== 1) return undefined;
        const d = await c.api.get<DeviceDetail>(`/api/v1/devices/${list[0]?.id}`);
        return d.maxSeq >= 3 ? d : undefined;
      },
      30_000,
      200,
    );
    // freeze the console: the agent's next reports reach the socket but cannot be acked
    c.proc.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500));
    await first.kill();
    c.proc.child.kill('SIGCONT');
    const frozenSeq = (await c.api.get<DeviceDetail>(`/api/v1/devices/${device.id}`)).maxSeq;

    const second = await run();
    await waitFor(
      'reports after the restart',
      async () =>
        (await c.api.get<DeviceDetail>(`/api/v1/devices/${device.id}`)).maxSeq >= frozenSeq + 3 || undefined,
      30_000,
      200,
    );
    expect(await second.stop()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));

    const detail = await c.api.get<DeviceDetail>(`/api/v1/devices/${device.id}`);
    const ivs = [...detail.recentIntervals].sort((a, b) => a.start - b.start);
    // touching intervals of the same state are joined when stored, so few rows can hold the whole run:
    // more than three one-second reports, before and after the kill
    expect(ivs.length).toBeGreaterThan(0);
    expect((ivs[ivs.length - 1]?.end ?? 0) - (ivs[0]?.start ?? 0)).toBeGreaterThan(3000);
    expect(ivs.length).toBeLessThan(100); // all of them, not just the most recent 100
    // no loss: one unbroken timeline from the first interval to the last, across the kill
    for (let k = 1; k < ivs.length; k++) {
      expect(ivs[k]?.start, `interval ${k} starts where ${k - 1} ended`).toBe(ivs[k - 1]?.end);
    }
    // no double count: usage equals the stored timeline exactly
    const from = (ivs[0]?.start ?? 0) - DAY_MS;
    const usage = await usageByDevice(c.api, from, Date.now() + HOUR_MS, groupId);
    expect(ms(usage.get(device.id))).toEqual(ms(expectedTotals(ivs)));
    expect(first.output()).not.toMatch(/"level":"error"/);
  });
});
