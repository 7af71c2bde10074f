import { HOUR_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';

let t: TestConsole;
beforeAll(async () => {
  t = await startTestConsole();
});
afterAll(async () => {
  await t.close();
});

const hourAgo = (n: number) => Math.floor((Date.now() - n * HOUR_MS) / HOUR_MS) * HOUR_MS;

describe('devices', () => {
  it('lists devices with class, group, online state and policy status, and shows detail with inventory', async () => {
    const { groupId, secret } = await t.groupWithSecret('OBS De Wilg');
    const dev = await t.enroll(secret, 'list-device-0001', {
      chassisType: 'Mini PC',
      battery: { hasBattery: false },
    });
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken, { agentVersion: '1.2.3' });
    const list = await t.api('GET', `/api/v1/devices?groupId=${groupId}`, { token: t.adminToken });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({
      id: dev.deviceId,
      groupId,
      groupName: 'OBS De Wilg',
      deviceClass: 'desktop',
      online: true,
      // connected, nothing reported yet: awake as far as the console knows
      state: 'online',
      agentVersion: '1.2.3',
      policyStatus: 'none',
      effectivePolicyId: null,
    });
    const detail = await t.api('GET', `/api/v1/devices/${dev.deviceId}`, { token: t.adminToken });
    expect(detail.body.inventory).toEqual({ chassisType: 'Mini PC', battery: { hasBattery: false } });
    expect(detail.body.effectivePolicy).toMatchObject({ auditOnly: true, timeZone: 'Europe/Amsterdam' });
    agent.close();
    await agent.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const after = await t.api('GET', `/api/v1/devices/${dev.deviceId}`, { token: t.adminToken });
    expect(after.body.online).toBe(false);
    const listed = await t.api('GET', `/api/v1/devices?groupId=${groupId}`, { token: t.adminToken });
    expect(listed.body[0]).toMatchObject({ online: false, state: 'offline' });
    expect(after.body.lastSeen).toBeGreaterThan(Date.now() - 60_000);
  });

  it('applies a class override and monitors to intervals stored from then on', async () => {
    const { groupId, secret } = await t.groupWithSecret();
    const dev = await t.enroll(secret, 'override-device-1', {
      chassisType: 'Notebook',
      battery: { hasBattery: true },
    });
    const patch = await t.api('PATCH', `/api/v1/devices/${dev.deviceId}`, {
      token: t.adminToken,
      body: { deviceClass: 'desktop', monitors: ['27', '27'], name: 'Beamer-pc' },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({
      deviceClass: 'desktop',
      classOverride: 'desktop',
      detectedClass: 'laptop',
      name: 'Beamer-pc',
    });
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
    const h = hourAgo(3);
    expect(await agent.report(1, [{ start: h, end: h + HOUR_MS, state: 'idle' }])).toEqual({
      type: 'ack',
      seq: 1,
    });
    agent.close();
    const u = await t.api(
      'GET',
      `/api/v1/usage?from=${h}&to=${h + HOUR_MS}&groupBy=device&groupId=${groupId}`,
      {
        token: t.adminToken,
      },
    );
    // desktop 20 W + two 27" monitors at 20 W, idle with the display on
    expect(u.body.rows[0].energyKwh).toBeCloseTo(0.06, 12);
    expect(u.body.rows[0].label).toBe('Beamer-pc');
  });

  it('pushes an exclusion and a move to another group to the connected agent at once', async () => {
    const { secret } = await t.groupWithSecret('School A');
    const other = await t.api('POST', '/api/v1/groups', {
      token: t.adminToken,
      body: { name: 'School B', timeZone: 'Europe/Brussels' },
    });
    const dev = await t.enroll(secret, 'exclusion-device-1');
    const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
    await t.api('PATCH', `/api/v1/devices/${dev.deviceId}`, {
      token: t.adminToken,
      body: { excludedReason: 'presentatie-pc in de aula' },
    });
    expect(await agent.next()).toMatchObject({
      type: 'policy',
      policy: { excludedReason: 'presentatie-pc in de aula' },
    });
    await t.api('PATCH', `/api/v1/devices/${dev.deviceId}`, {
      token: t.adminToken,
      body: { groupId: other.body.id, excludedReason: null },
    });
    const moved = await agent.next();
    expect(moved).toMatchObject({ type: 'policy', policy: { timeZone: 'Europe/Brussels' } });
    if (moved.type === 'policy') expect(moved.policy.excludedReason).toBeUndefined();
    const bad = await t.api('PATCH', `/api/v1/devices/${dev.deviceId}`, {
      token: t.adminToken,
      body: { groupId: 999999 },
    });
    expect(bad.status).toBe(400);
    agent.close();
  });

  it('keeps settings within bounds', async () => {
    const low = await t.api('PUT', '/api/v1/settings', {
      token: t.adminToken,
      body: { rawRetentionDays: 7 },
    });
    expect(low.status).toBe(400);
    expect(low.body.error.code).toBe('validation_failed');
    const unknown = await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { colour: 'blue' } });
    expect(unknown.status).toBe(400);
    const ok = await t.api('PUT', '/api/v1/settings', {
      token: t.adminToken,
      body: { rawRetentionDays: 30, classWatts: { desktop: { idle_display_on: 25 } } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ priceEurPerKwh: 0.25, gridKgPerKwh: 0.27, rawRetentionDays: 30 });
    expect((await t.api('GET', '/api/v1/settings', { token: t.adminToken })).body.classWatts).toEqual({
      desktop: { idle_display_on: 25 },
    });
    await t.api('PUT', '/api/v1/settings', { token: t.adminToken, body: { rawRetentionDays: 90 } });
  });
});
