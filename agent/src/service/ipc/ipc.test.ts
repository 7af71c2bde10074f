import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectIpc, type IpcClient } from './client.js';
import { encode, type TrayState } from './protocol.js';
import { type IpcServer, startIpcServer } from './server.js';

const state = (over: Partial<TrayState> = {}): TrayState => ({
  type: 'state',
  console: 'connected',
  mode: 'enforcing',
  noun: 'laptop',
  policyText: { nl: 'Deze laptop gaat na 15 minuten zonder gebruik in slaapstand.', en: 'This laptop …' },
  today: { onMs: 3_600_000, idleOnMs: 600_000 },
  snooze: { allowed: true, minutes: 60, until: null },
  whyUrl: 'https://school.example/sluimer',
  weeks: [],
  ...over,
});

async function until<T>(fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw socket speaking the line protocol, to test what a misbehaving tray gets. */
async function raw(file: string) {
  const s = net.connect(file);
  const lines: string[] = [];
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  let closed = false;
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  return { s, lines, isClosed: () => closed, json: () => lines.map((l) => JSON.parse(l)) };
}

describe('local IPC between service and tray', () => {
  let dir: string;
  let file: string;
  const servers: IpcServer[] = [];
  const clients: IpcClient[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slm-ipc-'));
    file = path.join(dir, 'run', 'agent.sock');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const serve = async (opts: Partial<Parameters<typeof startIpcServer>[0]> = {}) => {
    const s = await startIpcServer({ path: file, getState: () => state(), ...opts });
    servers.push(s);
    return s;
  };
  const tray = (opts: Parameters<typeof connectIpc>[0] = {}) => {
    const c = connectIpc({ path: file, backoff: { initialMs: 20, maxMs: 100 }, ...opts });
    clients.push(c);
    return c;
  };

  it('gives a tray that starts after the service the state at once, on a socket only its own user may open', async () => {
    await serve();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const states: TrayState[] = [];
    const c = tray({ onState: (s) => states.push(s) });
    await until(() => states.length > 0);
    expect(c.connected()).toBe(true);
    expect(states[0]?.policyText.nl).toContain('slaapstand');
  });

  it('connects a tray that started before the service once the service appears', async () => {
    const conn: boolean[] = [];
    const c = tray({ onConnection: (v) => conn.push(v) });
    await new Promise((r) => setTimeout(r, 150));
    expect(c.connected()).toBe(false);
    await serve();
    await until(() => c.connected());
    expect(conn).toEqual([true]);
  });

  it('survives a service restart: reconnects, re-sends session signals and delivers queued outcomes', async () => {
    const sessions: unknown[] = [];
    const outcomes: unknown[] = [];
    const first = await serve({ onSession: (s) => sessions.push(s) });
    const conn: boolean[] = [];
    const c = tray({ onConnection: (v) => conn.push(v) });
    await until(() => c.connected());
    c.reportSession(1234, true);
    await until(() => sessions.length > 0);
    expect(first.signals()).toEqual({ idleMs: 1234, presenting: true, trays: 1 });

    await first.close();
    servers.splice(servers.indexOf(first), 1);
    await until(() => !c.connected());
    c.reportOutcome({ nudgeId: 'sleepSoon-1', kind: 'sleepSoon', outcome: 'dismissed' });

    const second = await serve({ onOutcome: (o) => outcomes.push(o) });
    await until(() => c.connected());
    await until(() => second.signals().idleMs === 1234);
    await until(() => outcomes.length > 0);
    expect(outcomes).toEqual([
      { type: 'outcome', nudgeId: 'sleepSoon-1', kind: 'sleepSoon', outcome: 'dismissed' },
    ]);
    expect(conn).toEqual([true, false, true]);
  });

  it('pushes nudges and state changes to every tray and takes snooze requests', async () => {
    let snoozes = 0;
    const s = await serve({ onSnooze: () => snoozes++ });
    const got: unknown[] = [];
    const a = tray({ onNudge: (n) => got.push(n) });
    const b = tray({ onNudge: (n) => got.push(n) });
    await until(() => a.connected() && b.connected() && s.trayCount() === 2);
    expect(
      s.sendNudge({
        id: 'n1',
        content: { kind: 'sleepSoon', noun: 'laptop', minutes: 2 },
        snoozeMinutes: 60,
      }),
    ).toBe(2);
    await until(() => got.length === 2);
    let latest: TrayState | undefined;
    const c = tray({ onState: (st) => (latest = st) });
    await until(() => latest);
    s.broadcastState(state({ console: 'connecting' }));
    await until(() => latest?.console === 'connecting');
    c.requestSnooze();
    await until(() => snoozes === 1);
  });

  it('combines several sessions: the least idle counts, any presentation counts, a locked one does not', async () => {
    const s = await serve();
    const a = tray();
    const b = tray();
    await until(() => a.connected() && b.connected());
    a.reportSession(60_000, false);
    b.reportSession(5_000, false, true);
    await until(() => s.signals().idleMs === 60_000);
    b.reportSession(5_000, true);
    await until(() => s.signals().idleMs === 5_000);
    expect(s.signals()).toEqual({ idleMs: 5_000, presenting: true, trays: 2 });
    b.close();
    await until(() => s.signals().trays === 1);
    expect(s.signals()).toEqual({ idleMs: 60_000, presenting: false, trays: 1 });
  });

  it('answers bad lines with an error, requires hello, refuses other protocol versions and closes on huge lines', async () => {
    let sessions = 0;
    await serve({ onSession: () => sessions++ });
    const r = await raw(file);
    r.s.write('not json\n');
    r.s.write(encode({ type: 'session', idleMs: 5, presenting: false }));
    r.s.write('{"type":"session","idleMs":-1,"presenting":false}\n');
    await until(() => r.lines.length === 3);
    expect(r.json().map((m) => m.code)).toEqual(['bad_json', 'hello_required', 'bad_frame']);
    expect(sessions).toBe(0);

    const v2 = await raw(file);
    v2.s.write('{"type":"hello","protocol":2}\n');
    await until(() => v2.isClosed());
    expect(v2.json()[0].code).toBe('unsupported_protocol');

    const big = await raw(file);
    big.s.write(`{"type":"hello","protocol":1,"x":"${'a'.repeat(70_000)}`);
    await until(() => big.isClosed());
    expect(big.json()[0].code).toBe('frame_too_large');
  });

  it('replaces a stale socket left by a crashed service, but never a live one or a regular file', async () => {
    const first = await serve();
    await expect(startIpcServer({ path: file, getState: () => state() })).rejects.toThrow(
      /already listening/,
    );
    await first.close();
    servers.length = 0;
    // a stale socket file: a service killed with SIGKILL leaves its socket behind
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(file)}, () => console.log('up'))`,
    ]);
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await stat(file)).isSocket()).toBe(true);
    await serve();
    expect((await stat(file)).isSocket()).toBe(true);

    const plain = path.join(dir, 'plain');
    await writeFile(plain, 'x');
    await expect(startIpcServer({ path: plain, getState: () => state() })).rejects.toThrow(/not a socket/);
  });
});
