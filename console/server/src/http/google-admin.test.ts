import { HOUR_MS, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
beforeAll(async () => {
  t = await startTestConsole();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/groups/:id/google-admin', () => {
  it('gives the Admin settings of the group policy and flags Chromebooks that do not sleep', async () => {
    const { groupId, secret } = await t.groupWithSecret('Chromebooks 5B');
    const token = t.adminToken;
    const policy = await t.api('POST', '/api/v1/policies', {
      token,
      body: {
        name: 'Slaap na 15 min',
        settings: { auditOnly: false, sleepAfterSec: { ac: 900, battery: 600 } },
      },
    });
    await t.api('POST', `/api/v1/policies/${policy.body.id}/assign`, {
      token,
      body: { groupIds: [groupId] },
    });

    const awake = await t.enroll(secret, 'cros-awake-0001', { os: 'chromeos' });
    const sleeps = await t.enroll(secret, 'cros-sleeps-001', { os: 'chromeos' });
    const laptop = await t.enroll(secret, 'win-laptop-0001', { os: 'windows', chassisType: 'Notebook' });
    const base = Math.floor((Date.now() - 2 * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const at = (min: number) => base + min * MINUTE_MS;
    // two idle stretches of an hour without sleep on one, idle then asleep on the other
    const a = await TestAgent.hello(t.url, awake.deviceToken);
    await a.agent.report(1, [
      { start: at(0), end: at(60), state: 'idle' },
      { start: at(60), end: at(70), state: 'active' },
      { start: at(70), end: at(130), state: 'idle' },
    ]);
    const s = await TestAgent.hello(t.url, sleeps.deviceToken);
    await s.agent.report(1, [
      { start: at(0), end: at(10), state: 'idle' },
      { start: at(10), end: at(130), state: 'asleep' },
    ]);

    const r = await t.api('GET', `/api/v1/groups/${groupId}/google-admin`, { token });
    expect(r.status).toBe(200);
    expect(r.body.policyName).toBe('Slaap na 15 min');
    const fields = Object.fromEntries(
      (r.body.settings as { field: string; value: string }[]).map((f) => [f.field, f.value]),
    );
    expect(fields['Idle settings: Idle time (minutes)']).toBe('10');
    expect(fields['Idle settings: Action on idle']).toBe('Sleep');
    const byId = new Map(
      (r.body.chromebooks as { deviceId: number; notInForce: boolean }[]).map((c) => [c.deviceId, c]),
    );
    expect(byId.get(awake.deviceId)?.notInForce).toBe(true);
    expect(byId.get(sleeps.deviceId)?.notInForce).toBe(false);
    expect(byId.has(laptop.deviceId)).toBe(false);
    a.agent.close();
    s.agent.close();
  });

  it('answers 404 for a group that does not exist', async () => {
    const r = await t.api('GET', '/api/v1/groups/999999/google-admin', { token: t.adminToken });
    expect(r.status).toBe(404);
  });
});
