import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR_MS, MINUTE_MS } from '@sluimer/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from './index.js';
import { ADMIN_PASSWORD, TestAgent } from './test-support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-restart-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () =>
  startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'silent',
    webDist: join(dataDir, 'no-web'),
  });

async function asAdmin(url: string) {
  const login = await fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json() as Promise<Record<string, unknown>>;
  };
}

describe('console restart', () => {
  it('keeps what it acknowledged: after a restart the agent learns its acked seq and duplicates stay single', async () => {
    const t0 = Math.floor((Date.now() - 3 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const iv = (a: number, b: number) => ({
      start: t0 + a * MINUTE_MS,
      end: t0 + b * MINUTE_MS,
      state: 'idle' as const,
    });

    let c = await start();
    let api = await asAdmin(c.url);
    const group = await api('POST', '/api/v1/groups', { name: 'School' });
    const secret = await api('POST', `/api/v1/groups/${group.id}/enroll-secrets`, {});
    const enroll = await fetch(`${c.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        enrollSecret: secret.secret,
        installId: 'restart-device-1',
        hostname: 'pc',
        inventory: {},
      }),
    });
    const dev = (await enroll.json()) as { deviceId: number; deviceToken: string };
    const { agent } = await TestAgent.hello(c.url, dev.deviceToken);
    expect(await agent.report(7, [iv(0, 30)])).toEqual({ type: 'ack', seq: 7 });
    await c.close();
    expect((await agent.waitClosed())?.code).toBe(1001);

    c = await start();
    api = await asAdmin(c.url);
    const again = await TestAgent.hello(c.url, dev.deviceToken);
    expect(again.welcome).toMatchObject({ type: 'welcome', deviceId: dev.deviceId, ackedSeq: 7 });
    // the agent did not see the ack and resends: acked, not stored twice
    expect(await again.agent.report(7, [iv(0, 30)])).toEqual({ type: 'ack', seq: 7 });
    expect(await again.agent.report(8, [iv(30, 60)])).toEqual({ type: 'ack', seq: 8 });
    const usage = await api('GET', `/api/v1/usage?from=${t0}&to=${t0 + 2 * HOUR_MS}&groupBy=device`);
    expect((usage.rows as { idleSec: number }[])[0]!.idleSec).toBe(3600);
    again.agent.close();
    await c.close();
    // two console starts, each hashing the admin password with scrypt: slow on a busy machine
  }, 30_000);
});
