import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeConsole } from '../service/fake-console.js';
import { MAX_SEQ, Outbox } from '../service/outbox.js';
import { FileStore } from '../service/store.js';

/**
 * Security issue 9 on the agent, against the built bin and a fake console over a real WebSocket:
 * report numbers a console cannot be trusted with, SIGTERM, plain http, the enroll secret left in
 * the config file, and the modes of the data folder.
 */
const bin = fileURLToPath(new URL('../../bin/sluimer-agent.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/config/transport.js', import.meta.url)));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-sec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  log: () => { msg: string; [k: string]: unknown }[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** SIGTERM; resolves with the exit code and how long it took */
  term: () => Promise<{ code: number | null; ms: number }>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [bin, 'run', ...args], {
    // no deployment config of this machine leaks in
    env: { ...process.env, SLUIMER_CONFIG: join(dir, 'none.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stderr: () => stderr,
    log: () =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string }),
    exited,
    term: async () => {
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      return { code, ms: Date.now() - t0 };
    },
  };
}

const fast = ['--simulate', '--sample-ms', '100', '--report-ms', '1000'];

describe.skipIf(!built)('report numbers a console cannot be trusted with (built bin)', () => {
  it('ignores an absurd welcome.ackedSeq, keeps reporting with its own small numbers, and stops on SIGTERM', async () => {
    const c = new FakeConsole();
    c.ackedSeq = Number.MAX_SAFE_INTEGER; // what a console stored after a forged report
    await c.listen();
    const a = run(['--server', c.url, '--data', dir, ...fast], { SLUIMER_ENROLL_SECRET: 'geheim' });
    try {
      await c.waitFor(() => c.reports().length >= 3, 20_000);
      // a second welcome on a new socket says the same absurd number
      c.socket?.terminate();
      const before = c.reports().length;
      await c.waitFor(() => c.reports().length >= before + 2, 20_000);
      const seqs = c.reports().map((r) => r.seq);
      expect(Math.max(...seqs)).toBeLessThan(100);
      // every report stored once, in order: nothing wedged on a unique constraint
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(a.log().some((l) => l.msg.startsWith('console fault: welcome.ackedSeq'))).toBe(true);
      expect(a.log().some((l) => l.msg === 'sample failed')).toBe(false);
      const { code, ms } = await a.term();
      expect(code).toBe(0);
      expect(ms).toBeLessThan(8_000);
      expect(a.log().at(-1)?.msg).toBe('stopped');
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 60_000);

  it('repairs an outbox an older agent numbered beyond 2^53 and delivers its waiting report', async () => {
    const c = new FakeConsole();
    await c.listen();
    // the state a device was left in: nextSeq 2^53, a waiting report at 2^53, known to device 1
    const o = Outbox.open(join(dir, 'outbox.sqlite'));
    o.applyWelcome(1, MAX_SEQ - 5);
    const t = Date.now() - 120_000;
    o.enqueue({ intervals: [{ start: t, end: t + 30_000, state: 'idle' }], now: Date.now() });
    o.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'outbox.sqlite'));
    db.prepare('UPDATE reports SET seq = ?').run(2 ** 53);
    db.prepare("UPDATE meta SET v = '9007199254740992' WHERE k = 'nextSeq'").run();
    db.close();
    new FileStore(dir).write('device', { deviceId: 1, deviceToken: c.addToken(1), serverUrl: c.url });
    const a = run(['--server', c.url, '--data', dir, ...fast]);
    try {
      await c.waitFor(() => c.reports().some((r) => r.frame.intervals.some((i) => i.start === t)), 20_000);
      const first = c.reports()[0]!;
      expect(first.seq).toBe(1);
      expect(a.log().some((l) => l.msg.startsWith('report numbers beyond 2^31 - 1 found'))).toBe(true);
      await c.waitFor(() => c.reports().length >= 3, 20_000);
      expect(c.reports().every((r) => r.seq < 100)).toBe(true);
      expect((await a.term()).code).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 60_000);

  it('answers seq_out_of_range by renumbering once above the console, and never resends a refused number in a loop', async () => {
    // the console stored up to 100 (restored from a backup); this outbox numbers at 5,000,000
    const c = new FakeConsole({
      refuseReport: (seq, acked) => (seq > acked + 1_000_000 || seq > MAX_SEQ ? 'seq_out_of_range' : null),
    });
    c.ackedSeq = 100;
    await c.listen();
    const o = Outbox.open(join(dir, 'outbox.sqlite'));
    o.applyWelcome(1, 4_999_999);
    const t = Date.now() - 120_000;
    o.enqueue({ intervals: [{ start: t, end: t + 30_000, state: 'idle' }], now: Date.now() });
    o.close();
    new FileStore(dir).write('device', { deviceId: 1, deviceToken: c.addToken(1), serverUrl: c.url });
    const a = run(['--server', c.url, '--data', dir, ...fast]);
    try {
      await c.waitFor(() => c.reports().filter((r) => r.seq <= 1_000_100).length >= 3, 20_000);
      expect(c.refused).toEqual([5_000_000]);
      const stored = c.reports().filter((r) => !c.refused.includes(r.seq));
      // the refused report's content arrives under the console's next number
      expect(stored[0]).toMatchObject({ seq: 101 });
      expect(stored[0]!.frame.intervals[0]?.start).toBe(t);
      expect(a.log().filter((l) => l.msg.startsWith('console refused our report number'))).toHaveLength(1);
      expect((await a.term()).code).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 60_000);

  it('drops and counts reports a console keeps refusing instead of renumbering forever', async () => {
    const c = new FakeConsole({ refuseReport: () => 'seq_out_of_range' });
    c.ackedSeq = 100;
    await c.listen();
    const o = Outbox.open(join(dir, 'outbox.sqlite'));
    o.applyWelcome(1, 4_999_999);
    o.enqueue({ intervals: [], nudges: { sleepSoon: { shown: 1, dismissed: 0, snoozed: 0 } } });
    o.close();
    new FileStore(dir).write('device', { deviceId: 1, deviceToken: c.addToken(1), serverUrl: c.url });
    const a = run(['--server', c.url, '--data', dir, ...fast]);
    try {
      await c.waitFor(() => c.refused.length >= 5, 20_000);
      // one renumbering (5,000,000 → 101); after that the console still refuses: dropped, counted
      expect(c.refused.slice(0, 2)).toEqual([5_000_000, 101]);
      expect(a.log().filter((l) => l.msg.startsWith('console refused our report number'))).toHaveLength(1);
      expect(
        a.log().filter((l) => l.msg === 'console rejected a report; dropped and counted').length,
      ).toBeGreaterThan(2);
      // each number refused once: no report is resent under the same number
      expect(new Set(c.refused).size).toBe(c.refused.length);
      expect((await a.term()).code).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 60_000);
});

describe.skipIf(!built)('transport and the enroll secret (built bin)', () => {
  it('refuses plain http to another machine unless allowed, with a message that says why', async () => {
    const refused = run(['--server', 'http://192.0.2.10:8080', '--data', dir, '--simulate'], {
      SLUIMER_ENROLL_SECRET: 'geheim',
    });
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toContain('Plain http:// to 192.0.2.10:8080 refused');
    expect(refused.stderr()).toContain('--allow-insecure-http');

    const allowed = run(['--server', 'http://192.0.2.10:8080', '--data', dir, '--simulate'], {
      SLUIMER_ENROLL_SECRET: 'geheim',
      SLUIMER_ALLOW_INSECURE_HTTP: '1',
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no warning')), 15_000);
        const check = setInterval(() => {
          if (allowed.log().some((l) => l.msg.startsWith('ONVEILIG'))) {
            clearTimeout(t);
            clearInterval(check);
            resolve();
          }
        }, 50);
      });
      expect((await allowed.term()).code).toBe(0);
    } finally {
      allowed.child.kill('SIGKILL');
    }
  }, 40_000);

  it('removes the enroll secret from its config file after enrolling, and keeps its data folder owner-only', async () => {
    const c = new FakeConsole();
    await c.listen();
    const cfg = join(dir, 'agent.json');
    writeFileSync(cfg, JSON.stringify({ server: c.url, enrollSecret: 'geheim' }), { mode: 0o600 });
    const data = join(dir, 'data');
    // left by an installer with a loose umask: the agent tightens what is already there too
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(
      join(data, 'install.json'),
      JSON.stringify({ installId: 'a1b2c3', createdAt: '2026-01-01' }),
      {
        mode: 0o644,
      },
    );
    const a = run(['--data', data, '--ipc', join(dir, 'ipc', 'agent.sock'), ...fast], {
      SLUIMER_CONFIG: cfg,
    });
    try {
      await c.waitFor(() => c.reports().length >= 1, 20_000);
      await c.waitFor(() => a.log().some((l) => l.msg.startsWith('enroll secret removed')), 5_000);
      const left = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
      expect(left).toEqual({ server: c.url });
      expect(statSync(cfg).mode & 0o777).toBe(0o600);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      expect(statSync(join(data, 'tray')).mode & 0o777).toBe(0o700);
      const files = readdirSync(data).filter((f) => f !== 'tray');
      expect(files).toEqual(
        expect.arrayContaining(['device.json', 'install.json', 'outbox.sqlite', 'agent.lock']),
      );
      for (const f of files)
        expect({ f, mode: statSync(join(data, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
      expect((await a.term()).code).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 40_000);

  it('says it cannot remove an enroll secret that came from the environment', async () => {
    const c = new FakeConsole();
    await c.listen();
    const a = run(['--server', c.url, '--data', dir, ...fast], { SLUIMER_ENROLL_SECRET: 'geheim' });
    try {
      await c.waitFor(() => a.log().some((l) => l.msg.includes('cannot be removed by the agent')), 20_000);
      expect((await a.term()).code).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      await c.close();
    }
  }, 40_000);
});
