import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store.js';
import { startTrayBridge } from './bridge.js';
import { connectIpc } from './client.js';
import { encode, type NudgeMessage, type TrayState } from './protocol.js';
import { type IpcServer, startIpcServer } from './server.js';

/**
 * The local socket against local users (docs/security.md "The agent's local socket"): a pupil who is
 * not the session user cannot open it, and the one who is cannot flood the privileged service.
 */
const state: TrayState = {
  type: 'state',
  console: 'connected',
  mode: 'enforcing',
  noun: 'laptop',
  policyText: { nl: 'x', en: 'x' },
  today: null,
  snooze: { allowed: false, minutes: 60, until: null },
  whyUrl: null,
  weeks: [],
};

async function until<T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A tray-like client in another process, as user `uid`: prints the first line it gets, or the error code. */
const CLIENT = `
const s = require('net').connect(process.argv[1]);
s.on('connect', () => s.write(JSON.stringify({ type: 'hello', protocol: 1 }) + '\\n'));
s.on('data', (d) => { process.stdout.write(String(d).split('\\n')[0]); process.exit(0); });
s.on('error', (e) => { process.stdout.write('ERR ' + e.code); process.exit(0); });
setTimeout(() => { process.stdout.write('TIMEOUT'); process.exit(0); }, 5000);
`;
function clientAs(uid: number, socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', CLIENT, socketPath],
      { timeout: 10_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

const NOBODY = 65534;
const DAEMON = 1;
const asRoot = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');

/** A raw connection that collects lines. */
async function raw(file: string) {
  const s = net.connect(file);
  const lines: { type: string; code?: string }[] = [];
  let buf = '';
  let closed = false;
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  return { s, lines, isClosed: () => closed };
}

let dir: string;
let file: string;
const servers: IpcServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slm-ipc-peers-'));
  // other users may walk to the socket's directory; the directory itself is what keeps them out
  await chmod(dir, 0o755);
  file = path.join(dir, 'run', 'agent.sock');
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!asRoot)(
  'the socket belongs to the session user alone (as root, clients via setpriv)',
  () => {
    it('lets the session user in, refuses every other local user with EACCES, and follows a user switch', async () => {
      let owner: number | null = NOBODY;
      const server = await startIpcServer({
        path: file,
        getState: () => state,
        owner: async () => owner,
        ownerCheckMs: 50,
      });
      servers.push(server);
      const d = await stat(path.dirname(file));
      const s = await stat(file);
      expect([d.uid, d.mode & 0o777, s.uid, s.mode & 0o777]).toEqual([NOBODY, 0o700, NOBODY, 0o600]);

      expect(JSON.parse(await clientAs(NOBODY, file)).type).toBe('state');
      expect(await clientAs(DAEMON, file)).toBe('ERR EACCES');

      // a tray of the old user is dropped when another user takes the screen
      const root = await raw(file);
      root.s.write(encode({ type: 'hello', protocol: 1 }));
      await until(() => server.trayCount() === 1);
      owner = DAEMON;
      await until(() => server.owner() === DAEMON);
      await until(() => root.isClosed());
      expect(await clientAs(NOBODY, file)).toBe('ERR EACCES');
      expect(JSON.parse(await clientAs(DAEMON, file)).type).toBe('state');

      // nobody at the screen (login window): root only
      owner = null;
      await until(() => server.owner() === null);
      expect(await clientAs(DAEMON, file)).toBe('ERR EACCES');
      expect((await stat(path.dirname(file))).uid).toBe(0);
    }, 30_000);

    it('without a session owner the socket is the service user’s alone', async () => {
      servers.push(await startIpcServer({ path: file, getState: () => state }));
      expect(await clientAs(NOBODY, file)).toBe('ERR EACCES');
    }, 15_000);
  },
);

describe('bounds against a flooding local client', () => {
  it('refuses a socket directory others can write to (like /tmp)', async () => {
    await expect(
      startIpcServer({ path: path.join(os.tmpdir(), `slm-${process.pid}.sock`), getState: () => state }),
    ).rejects.toThrow(/shared/);
  });

  it('never takes over a folder that holds other files (a misconfigured --ipc /run/agent.sock)', async () => {
    const shared = path.join(dir, 'etc');
    await mkdir(shared);
    await writeFile(path.join(shared, 'passwd'), 'x');
    await expect(
      startIpcServer({
        path: path.join(shared, 'agent.sock'),
        getState: () => state,
        owner: async () => null,
      }),
    ).rejects.toThrow(/holds other files \(passwd\)/);
    expect((await stat(shared)).mode & 0o777).not.toBe(0o700);
  });

  it('closes a connection whose line grows past the limit, and frees what it held', async () => {
    const server = await startIpcServer({
      path: file,
      getState: () => state,
      limits: { maxLineBytes: 1024 },
    });
    servers.push(server);
    const r = await raw(file);
    r.s.write(`{"type":"hello","protocol":1,"x":"${'a'.repeat(2000)}`);
    await until(() => r.isClosed());
    expect(r.lines.map((l) => l.code)).toEqual(['frame_too_large']);
    // a whole over-long line in one write is refused the same way
    const r2 = await raw(file);
    r2.s.write(`{"type":"hello","protocol":1,"x":"${'a'.repeat(2000)}"}\n`);
    await until(() => r2.isClosed());
    expect(r2.lines.map((l) => l.code)).toEqual(['frame_too_large']);
    expect(server.trayCount()).toBe(0);
  });

  it('refuses connections beyond the limit and closes one that never says hello', async () => {
    const server = await startIpcServer({
      path: file,
      getState: () => state,
      limits: { maxConnections: 2, helloTimeoutMs: 300 },
    });
    servers.push(server);
    const a = await raw(file);
    const b = await raw(file);
    a.s.write(encode({ type: 'hello', protocol: 1 }));
    await until(() => server.trayCount() === 1);
    const c = await raw(file);
    await until(() => c.isClosed());
    expect(c.lines.map((l) => l.code)).toEqual(['too_many_connections']);
    // b never said hello: its place is freed
    await until(() => b.isClosed());
    expect(a.isClosed()).toBe(false);
    const d = await raw(file);
    d.s.write(encode({ type: 'hello', protocol: 1 }));
    await until(() => server.trayCount() === 2);
  });

  it('drops messages over the per-connection rate and closes a client that keeps flooding', async () => {
    let sessions = 0;
    const server = await startIpcServer({
      path: file,
      getState: () => state,
      onSession: () => sessions++,
      limits: { burst: 10, perSecond: 5, maxDropped: 50 },
    });
    servers.push(server);
    const r = await raw(file);
    r.s.write(encode({ type: 'hello', protocol: 1 }));
    await until(() => r.lines.length === 1);
    const flood = Array.from({ length: 30 }, () => encode({ type: 'session', idleMs: 0, presenting: false }));
    r.s.write(flood.join(''));
    await until(() => r.lines.some((l) => l.code === 'rate_limited'));
    expect(sessions).toBeLessThanOrEqual(10);
    expect(r.isClosed()).toBe(false);
    r.s.write(
      Array.from({ length: 60 }, () => encode({ type: 'session', idleMs: 0, presenting: false })).join(''),
    );
    await until(() => r.isClosed());
    expect(sessions).toBeLessThanOrEqual(12);
  });

  it('counts only outcomes of nudges the service sent, each once', async () => {
    const now = Date.parse('2026-11-24T10:00:00+01:00');
    const bridge = await startTrayBridge({
      agent: {
        events: new EventEmitter(),
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: { current: () => ({ policy: { sleepAfterSec: { ac: 600 } }, etag: 'e' }) },
      },
      platform: {
        powerSource: async () => 'ac',
        readSettings: async () => ({ sleepAfterSec: {}, displayOffAfterSec: {}, brightnessPct: {} }),
      },
      clock: { now: () => now, monotonic: () => performance.now() },
      profile: { deviceClass: 'laptop' },
      ipcPath: file,
      store: new MemoryStore(),
      tickMs: 0,
    });
    const nudges: NudgeMessage[] = [];
    const client = connectIpc({ path: file, onNudge: (n) => nudges.push(n) });
    try {
      await until(() => client.connected());
      client.reportOutcome({ nudgeId: 'sleepSoon-made-up', kind: 'sleepSoon', outcome: 'dismissed' });
      client.reportSession(9 * 60_000, false);
      await until(() => bridge.signals().idleMs === 9 * 60_000);
      await bridge.tick();
      const n = await until(() => nudges[0]);
      for (let k = 0; k < 5; k++)
        client.reportOutcome({ nudgeId: n.id, kind: 'sleepSoon', outcome: 'shown' });
      client.reportOutcome({ nudgeId: n.id, kind: 'leftOn', outcome: 'dismissed' });
      client.reportOutcome({ nudgeId: n.id, kind: 'sleepSoon', outcome: 'dismissed' });
      await new Promise((r) => setTimeout(r, 200));
      expect(bridge.counters.take()).toEqual({ sleepSoon: { shown: 1, dismissed: 1, snoozed: 0 } });
    } finally {
      client.close();
      await bridge.close();
    }
  });
});

describe('the socket owner follows logins, not a timer', () => {
  it('asks again when the watched session directory changes, and not every ownerCheckMs', async () => {
    const sessions = path.join(dir, 'sessions');
    await mkdir(sessions);
    let asks = 0;
    servers.push(
      await startIpcServer({
        path: file,
        getState: () => state,
        owner: async () => {
          asks++;
          return null;
        },
        ownerCheckMs: 20,
        ownerWatchDir: sessions,
      }),
    );
    const first = asks;
    await new Promise((r) => setTimeout(r, 300));
    expect(asks).toBe(first);
    // logind writes a session file at a login
    await writeFile(path.join(sessions, '3'), 'UID=1000\nACTIVE=1\n');
    await until(() => asks > first, 3_000);
  });

  it('asks once where there is no session directory (no logind)', async () => {
    let asks = 0;
    servers.push(
      await startIpcServer({
        path: file,
        getState: () => state,
        owner: async () => {
          asks++;
          return null;
        },
        ownerCheckMs: 20,
        ownerWatchDir: path.join(dir, 'no-such-dir'),
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(asks).toBe(1);
  });
});
