import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOverlap } from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceStateRecord } from '../service/device-state.js';
import { FakeConsole } from '../service/fake-console.js';
import { Outbox } from '../service/outbox.js';
import { FileStore, lockDataDir } from '../service/store.js';
import { command as restore } from './restore.js';

const bin = fileURLToPath(new URL('../../bin/sluimer-agent.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/run.js', import.meta.url)));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built)('sluimer-agent run (built bin)', () => {
  it('enrolls, reports, and on SIGTERM closes the open interval durably and exits 0', async () => {
    const c = new FakeConsole();
    await c.listen();
    try {
      const child = spawn(
        process.execPath,
        [
          bin,
          'run',
          '--server',
          c.url,
          '--data',
          dir,
          '--simulate',
          '--sample-ms',
          '100',
          '--report-ms',
          '1000',
        ],
        { env: { ...process.env, SLUIMER_ENROLL_SECRET: 'geheim' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await c.waitFor(() => c.reports().length >= 1, 15_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toContain('enrolled');
      expect(lines[lines.length - 1]!.msg).toBe('stopped');
      const got = c.reports().flatMap((r) => r.frame.intervals);
      expect(findOverlap(got)).toBeNull();
      // whatever the console did not ack yet is in the outbox, with the open interval closed
      const o = Outbox.open(join(dir, 'outbox.sqlite'));
      expect(new DeviceStateRecord(o.database).load<{ open: unknown }>()?.open).toBeNull();
      o.close();
      expect(new FileStore(dir).read<{ deviceId: number }>('device')?.deviceId).toBe(1);
    } finally {
      await c.close();
    }
  }, 30_000);

  it('exits 1 with a clear message when the enroll secret is refused', async () => {
    const c = new FakeConsole();
    await c.listen();
    try {
      const child = spawn(
        process.execPath,
        [bin, 'run', '--server', c.url, '--enroll-secret', 'fout', '--data', dir, '--simulate'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((r) => child.on('exit', (x) => r(x)));
      expect(code).toBe(1);
      expect(stderr).toMatch(/enroll secret/);
    } finally {
      await c.close();
    }
  }, 30_000);
});

describe('sluimer-agent restore', () => {
  it('writes the saved originals back in restore mode and forgets them', async () => {
    const store = new FileStore(dir);
    store.write('originals', {
      savedAt: Date.UTC(2026, 2, 10),
      settings: {
        sleepAfterSec: { ac: null, battery: 1200 },
        displayOffAfterSec: { ac: 900, battery: 120 },
        brightnessPct: { ac: 100, battery: 90 },
        schedule: null,
      },
    });
    const log: string[] = [];
    const orig = console.log;
    console.log = (m: string) => log.push(m);
    try {
      expect(await restore(['--data', dir, '--simulate', '--json'])).toBe(0);
    } finally {
      console.log = orig;
    }
    const out = JSON.parse(log.join('\n')) as { restored: boolean; applied: { sleepAfterSec: unknown } };
    expect(out.restored).toBe(true);
    expect(out.applied.sleepAfterSec).toEqual({ ac: null, battery: 1200 });
    expect(store.read('originals')).toBeNull();
  });

  it('refuses while a service holds the data dir', async () => {
    const held = lockDataDir(dir);
    const err: string[] = [];
    const orig = console.error;
    console.error = (m: string) => err.push(m);
    try {
      expect(await restore(['--data', dir, '--simulate'])).toBe(1);
    } finally {
      console.error = orig;
      held.release();
    }
    expect(err.join('\n')).toMatch(/stop the service first/);
  });

  it('says there is nothing to restore when nothing was saved', async () => {
    const log: string[] = [];
    const orig = console.log;
    console.log = (m: string) => log.push(m);
    try {
      expect(await restore(['--data', dir, '--json'])).toBe(0);
    } finally {
      console.log = orig;
    }
    expect(JSON.parse(log[0]!)).toMatchObject({ restored: false });
  });
});
