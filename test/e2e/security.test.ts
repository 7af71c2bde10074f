import { AGENT_WS_PATH, DAY_MS, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ConsoleClient,
  type ConsoleFixture,
  createGroupWithSecret,
  enrollDevice,
  enrolledAgent,
  ms,
  ReportRejected,
  startConsoleFixture,
  usageByDevice,
} from './helpers.js';

/** What the console answers to a WebSocket upgrade: the HTTP status when refused, 101 when accepted. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(AGENT_WS_PATH, url);
    u.protocol = 'ws:';
    const ws = new WebSocket(u, { headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

async function status(url: string, method: string, path: string, body?: unknown, cookie?: string) {
  const res = await fetch(new URL(path, url), {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(cookie ? { cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  return { status: res.status, code: json?.error?.code };
}

describe('authentication and roles on the built console', () => {
  let c: ConsoleFixture;
  let secret: string;
  beforeAll(async () => {
    c = await startConsoleFixture();
    ({ secret } = await createGroupWithSecret(c.api, 'Auth'));
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('refuses an agent upgrade without a valid device token with HTTP 401 and no socket', async () => {
    expect(await upgradeStatus(c.proc.url, {})).toBe(401);
    expect(await upgradeStatus(c.proc.url, { authorization: 'Bearer sdt_not-a-real-token' })).toBe(401);
    expect(await upgradeStatus(c.proc.url, { authorization: 'Basic YWRtaW46eA==' })).toBe(401);
  });

  it('gives a re-enrolled device the same id and a new token; the old token stops working', async () => {
    const input = { enrollSecret: secret, installId: 'e2e-reenroll-0001', hostname: 'REENROLL' };
    const first = await enrollDevice(c.proc.url, input);
    expect(await upgradeStatus(c.proc.url, { authorization: `Bearer ${first.deviceToken}` })).toBe(101);
    const second = await enrollDevice(c.proc.url, input);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.deviceToken).not.toBe(first.deviceToken);
    expect(await upgradeStatus(c.proc.url, { authorization: `Bearer ${first.deviceToken}` })).toBe(401);
    expect(await upgradeStatus(c.proc.url, { authorization: `Bearer ${second.deviceToken}` })).toBe(101);
  });

  it('refuses enrollment with a wrong secret with 401 and a JSON error', async () => {
    const r = await status(c.proc.url, 'POST', '/api/v1/enroll', {
      enrollSecret: 'wrong-secret',
      installId: 'e2e-wrong-secret-1',
      hostname: 'X',
      inventory: {},
    });
    expect(r).toEqual({ status: 401, code: 'bad_enroll_secret' });
  });

  it('answers API calls without a session or token with 401', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/devices'],
      ['GET', '/api/v1/groups'],
      ['GET', '/api/v1/usage?from=0&to=1&groupBy=day'],
      ['POST', '/api/v1/policies', { name: 'x', settings: {} }],
      ['POST', '/api/v1/groups', { name: 'x' }],
      ['GET', '/api/v1/users'],
    ] as const) {
      expect(await status(c.proc.url, method, path, body), `${method} ${path}`).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    }
    const bearer = await fetch(new URL('/api/v1/devices', c.proc.url), {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(bearer.status).toBe(401);
  });

  it('answers calls outside a role with 403: viewer reads reports only, it may not manage users', async () => {
    await c.api.post('/api/v1/users', {
      username: 'kijker',
      password: 'kijker-wachtwoord-1',
      role: 'viewer',
    });
    await c.api.post('/api/v1/users', { username: 'ict', password: 'ict-wachtwoord-12', role: 'it' });
    const viewer = new ConsoleClient(c.proc.url);
    await viewer.login('kijker', 'kijker-wachtwoord-1');
    const it_ = new ConsoleClient(c.proc.url);
    await it_.login('ict', 'ict-wachtwoord-12');
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
      );
    const now = Date.now();
    expect(await code(viewer.get(`/api/v1/usage?from=${now - DAY_MS}&to=${now}&groupBy=day`))).toBe(200);
    expect(await code(viewer.get('/api/v1/devices'))).toBe('403 forbidden');
    expect(await code(viewer.post('/api/v1/policies', { name: 'x', settings: {} }))).toBe('403 forbidden');
    expect(await code(viewer.post('/api/v1/groups', { name: 'x' }))).toBe('403 forbidden');
    expect(await code(viewer.get('/api/v1/users'))).toBe('403 forbidden');
    expect(await code(it_.get('/api/v1/devices'))).toBe(200);
    expect(await code(it_.get('/api/v1/users'))).toBe('403 forbidden');
    expect(
      await code(
        it_.post('/api/v1/users', { username: 'nog1', password: 'nog-een-wachtwoord', role: 'admin' }),
      ),
    ).toBe('403 forbidden');
  });
});

describe('malformed agent frames on the built console', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await startConsoleFixture();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('answers each bad frame kind with its error code, keeps the socket and changes nothing', async () => {
    const { groupId, secret } = await createGroupWithSecret(c.api, 'Bad frames');
    const { agent, deviceId } = await enrolledAgent(c.proc.url, secret);
    const base = Math.floor((Date.now() - 6 * HOUR_MS) / 1000) * 1000;
    const iv = (a: number, b: number, state: Interval['state'] = 'active'): Interval => ({
      start: base + a * MINUTE_MS,
      end: base + b * MINUTE_MS,
      state,
      display: 'on',
      power: 'ac',
    });
    await agent.report([iv(0, 10), iv(10, 30, 'idle')]);
    await agent.report([iv(30, 40)]);
    const qFrom = base - DAY_MS;
    const qTo = Date.now() + HOUR_MS;
    const before = ms((await usageByDevice(c.api, qFrom, qTo, groupId)).get(deviceId));
    expect(before?.activeSec).toBe(20 * 60 * 1000);

    const nextError = () => agent.nextFrame((f) => f.type === 'error', 5000);
    const expectError = async (send: () => void, code: string) => {
      const err = nextError();
      send();
      const f = (await err) as { code: string; message: string };
      expect(f.code, f.message).toBe(code);
      expect(f.message.length).toBeGreaterThan(5);
    };
    const expectRejected = async (frame: unknown, code: string) => {
      const p = agent.sendReport(3, JSON.stringify(frame));
      await expect(p).rejects.toBeInstanceOf(ReportRejected);
      await p.catch((e: ReportRejected) => {
        expect(e.code, e.message).toBe(code);
        expect(e.seq).toBe(3);
      });
    };

    await expectError(() => agent.sendRaw('{"type":"report", not json'), 'bad_json');
    await expectError(() => agent.sendRaw(Buffer.from([1, 2, 3])), 'binary_frame');
    await expectError(() => agent.sendRaw(JSON.stringify({ type: 'sing', seq: 3 })), 'unknown_type');
    await expectError(() => agent.sendRaw(JSON.stringify({ kind: 'report' })), 'bad_frame');
    await expectError(() => agent.sendRaw(JSON.stringify({ type: 'policy_status', ok: 'yes' })), 'bad_frame');
    await expectError(
      () => agent.sendRaw(JSON.stringify({ type: 'hello', protocol: 1, agentVersion: 'x' })),
      'bad_frame',
    );
    await expectError(
      () => agent.sendRaw(JSON.stringify({ type: 'report', seq: 0, intervals: [iv(40, 41)] })),
      'bad_seq',
    );
    await expectRejected(
      { type: 'report', seq: 3, intervals: [iv(40, 50)], pad: 'x'.repeat(300_000) },
      'frame_too_large',
    );
    await expectRejected(
      { type: 'report', seq: 3, intervals: Array.from({ length: 1001 }, (_, k) => iv(100 + k, 101 + k)) },
      'too_many_intervals',
    );
    await expectRejected(
      { type: 'report', seq: 3, intervals: [{ ...iv(40, 50), end: base }] },
      'bad_interval',
    );
    await expectRejected(
      { type: 'report', seq: 3, intervals: [{ ...iv(40, 50), state: 'dozing' }] },
      'bad_interval',
    );
    await expectRejected({ type: 'report', seq: 3, intervals: [iv(40, 50), iv(35, 45)] }, 'interval_overlap');
    await expectRejected({ type: 'report', seq: 3, intervals: [iv(25, 45)] }, 'interval_overlap');
    const future = Date.now() + HOUR_MS;
    await expectRejected(
      { type: 'report', seq: 3, intervals: [{ start: future, end: future + MINUTE_MS, state: 'idle' }] },
      'interval_in_future',
    );
    const old = Date.now() - 120 * DAY_MS;
    await expectRejected(
      { type: 'report', seq: 3, intervals: [{ start: old, end: old + MINUTE_MS, state: 'off' }] },
      'interval_too_old',
    );

    // nothing changed: same totals, same stored seq, and seq 3 is still free for a valid report
    expect(ms((await usageByDevice(c.api, qFrom, qTo, groupId)).get(deviceId))).toEqual(before);
    expect((await c.api.get<{ maxSeq: number }>(`/api/v1/devices/${deviceId}`)).maxSeq).toBe(2);
    expect(agent.connected).toBe(true);
    const ok = await agent.sendReport(3, JSON.stringify({ type: 'report', seq: 3, intervals: [iv(40, 45)] }));
    expect(ok.seq).toBe(3);
    expect(ms((await usageByDevice(c.api, qFrom, qTo, groupId)).get(deviceId))?.activeSec).toBe(
      25 * 60 * 1000,
    );
    await agent.close();
  });

  it('requires hello as the first frame', async () => {
    const { secret } = await createGroupWithSecret(c.api, 'No hello');
    const { deviceToken } = await enrolledAgent(c.proc.url, secret, { connect: false });
    const u = new URL(AGENT_WS_PATH, c.proc.url);
    u.protocol = 'ws:';
    const ws = new WebSocket(u, { headers: { authorization: `Bearer ${deviceToken}` } });
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const frame = new Promise<{ type: string; code: string }>((r) =>
      ws.once('message', (d) => r(JSON.parse(String(d)))),
    );
    ws.send(JSON.stringify({ type: 'report', seq: 1, intervals: [] }));
    expect(await frame).toMatchObject({ type: 'error', code: 'hello_required' });
    ws.close();
  });

  it('closes the socket on a frame above the hard limit, and the device can connect again', async () => {
    const { secret } = await createGroupWithSecret(c.api, 'Huge');
    const { agent } = await enrolledAgent(c.proc.url, secret, { reconnect: false });
    const ws = agent.ws as WebSocket;
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    agent.sendRaw(JSON.stringify({ type: 'report', seq: 1, intervals: [], pad: 'x'.repeat(1_100_000) }));
    expect(await closed).toBe(1009);
    const welcome = await agent.connect();
    expect(welcome.ackedSeq).toBe(0);
    await agent.close();
  });
});
