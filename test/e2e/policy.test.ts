import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EffectivePolicy } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProcess,
  type ConsoleFixture,
  createGroupWithSecret,
  enrolledAgent,
  idOf,
  type ProtocolAgent,
  startAgentProcess,
  startConsoleFixture,
  waitFor,
} from './helpers.js';

interface DeviceRow {
  id: number;
  hostname: string;
  policyStatus: string;
  effectivePolicyName?: string | null;
}
interface DeviceDetail extends DeviceRow {
  policyStatusDetail: { etag: string; ok: boolean; applied: Record<string, unknown> } | null;
}

const SETTINGS = {
  auditOnly: false,
  idleThresholdSec: 300,
  sleepAfterSec: { ac: 1800, battery: 900 },
  displayOffAfterSec: { ac: 600, battery: 300 },
};

/**
 * A policy assigned to a group reaches the connected agents in it (protocol-level agents and one
 * real agent process) at once, not the agents elsewhere, and their policy_status shows in the
 * console's device list.
 */
describe('policy push through the built console', () => {
  let c: ConsoleFixture;
  let dataDir: string;
  let real: AgentProcess | undefined;
  const sims: ProtocolAgent[] = [];
  beforeAll(async () => {
    c = await startConsoleFixture();
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-e2e-policy-'));
  });
  afterAll(async () => {
    await Promise.all(sims.map((a) => a.close()));
    await real?.kill();
    await c?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reaches the connected agents of the group and shows their policy_status in the device list', async () => {
    const school = await createGroupWithSecret(c.api, 'School met beleid');
    const room = await createGroupWithSecret(c.api, 'Lokaal 1', school.groupId);
    const other = await createGroupWithSecret(c.api, 'School zonder beleid');
    const received = new Map<ProtocolAgent, EffectivePolicy>();
    const make = async (secret: string) => {
      const { agent, deviceId } = await enrolledAgent(c.proc.url, secret, {
        onPolicy: (p, _etag, source) => {
          if (source === 'policy') received.set(agent, p);
        },
      });
      sims.push(agent);
      return { agent, deviceId };
    };
    const inRoom = await Promise.all([1, 2, 3].map(() => make(room.secret)));
    const inSchool = await make(school.secret);
    const elsewhere = await Promise.all([1, 2].map(() => make(other.secret)));
    real = await startAgentProcess({
      server: c.proc.url,
      enrollSecret: room.secret,
      dataDir,
      reportMs: 2000,
    });
    const realId = await waitFor('the real agent online', async () => {
      const list = await c.api.get<(DeviceRow & { online: boolean })[]>(
        `/api/v1/devices?groupId=${room.groupId}`,
      );
      const found = list.find((d) => !inRoom.some((s) => s.deviceId === d.id) && d.online);
      return found?.id;
    });
    const etagsElsewhere = elsewhere.map((d) => d.agent.policyEtag);

    const policyId = idOf(await c.api.post('/api/v1/policies', { name: 'Slaapstand', settings: SETTINGS }));
    await c.api.post(`/api/v1/policies/${policyId}/assign`, { groupIds: [school.groupId] });

    const targets = [...inRoom, inSchool];
    await waitFor(
      'the policy at every agent of the school',
      () => targets.every((t) => received.has(t.agent)) || undefined,
      10_000,
      20,
    );
    for (const t of targets) {
      const p = received.get(t.agent) as EffectivePolicy;
      expect(p.policyId).toBe(policyId);
      expect(p.sleepAfterSec).toEqual(SETTINGS.sleepAfterSec);
      expect(p.displayOffAfterSec).toEqual(SETTINGS.displayOffAfterSec);
      expect(p.timeZone).toBe('Europe/Amsterdam');
    }

    // the device list shows each device's policy_status: compliant, with what it applied
    const ids = [...targets.map((t) => t.deviceId), realId];
    await waitFor(
      'compliant devices in the list',
      async () => {
        const list = await c.api.get<DeviceRow[]>('/api/v1/devices');
        return ids.every((id) => list.find((d) => d.id === id)?.policyStatus === 'compliant') || undefined;
      },
      20_000,
      200,
    );
    for (const id of ids) {
      const d = await c.api.get<DeviceDetail>(`/api/v1/devices/${id}`);
      expect(d.effectivePolicyName).toBe('Slaapstand');
      expect(d.policyStatusDetail?.ok).toBe(true);
      expect(d.policyStatusDetail?.applied.sleepAfterSec).toEqual(SETTINGS.sleepAfterSec);
      expect(d.policyStatusDetail?.applied.displayOffAfterSec).toEqual(SETTINGS.displayOffAfterSec);
    }

    // agents in the other school got nothing new
    await new Promise((r) => setTimeout(r, 500));
    for (const d of elsewhere) expect(received.has(d.agent)).toBe(false);
    expect(elsewhere.map((d) => d.agent.policyEtag)).toEqual(etagsElsewhere);
    const list = await c.api.get<DeviceRow[]>('/api/v1/devices');
    for (const d of elsewhere)
      expect(list.find((x) => x.id === d.deviceId)?.effectivePolicyName).not.toBe('Slaapstand');
  });
});
