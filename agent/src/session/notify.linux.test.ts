import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderNudge } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrayBridge } from '../service/ipc/bridge.js';
import { createSessionNotifier } from './notifier.js';
import { notify } from './notify.js';

/**
 * A real notification daemon: our own Xvfb, our own D-Bus session bus and dunst on it. dunst runs a
 * capture script for every notification from "Sluimer", so the test sees what was delivered.
 * Needs the Debian packages dbus dbus-x11 dunst libnotify-bin xvfb (.ci/apt-packages.txt).
 */
const NEEDED = ['Xvfb', 'dbus-daemon', 'dunst', 'dunstctl', 'notify-send'];

function which(bin: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${bin}`], (err) => resolve(!err)));
}

const missing: string[] = [];
for (const bin of NEEDED) if (!(await which(bin))) missing.push(bin);
if (missing.length && process.env.CI === 'true') {
  throw new Error(
    `notification test needs ${missing.join(', ')}; install dbus dbus-x11 dunst libnotify-bin xvfb (.ci/apt-packages.txt)`,
  );
}
const linux = process.platform === 'linux' && missing.length === 0;

function firstLine(child: ChildProcess, stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) {
        stream.off('data', onData);
        resolve(buf.slice(0, i).trim());
      }
    };
    stream.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited early (${code})`)));
  });
}

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!linux)(
  'Linux notifications through D-Bus to a real notification daemon',
  { timeout: 40_000 },
  () => {
    let dir: string;
    const procs: ChildProcess[] = [];
    let env: NodeJS.ProcessEnv;
    let captureFile: string;

    const captured = async () => {
      try {
        return (await readFile(captureFile, 'utf8')).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    const dunstctl = (...args: string[]) =>
      new Promise<void>((resolve, reject) =>
        execFile('dunstctl', args, { env }, (err) => (err ? reject(err) : resolve())),
      );

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'slm-notify-'));
      captureFile = path.join(dir, 'captured.txt');

      const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '800x600x24', '-nolisten', 'tcp'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      procs.push(xvfb);
      const display = `:${await firstLine(xvfb, xvfb.stdout!)}`;

      const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      procs.push(bus);
      const address = await firstLine(bus, bus.stdout!);
      env = { PATH: process.env.PATH, HOME: dir, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address };

      const script = path.join(dir, 'capture.sh');
      await writeFile(
        script,
        `#!/bin/sh\nprintf '%s|%s|%s\\n' "$DUNST_APP_NAME" "$DUNST_SUMMARY" "$DUNST_BODY" >> '${captureFile}'\n`,
      );
      await chmod(script, 0o755);
      const rc = path.join(dir, 'dunstrc');
      await writeFile(
        rc,
        [
          '[global]',
          '    timeout = 0',
          '',
          '[capture]',
          '    appname = Sluimer',
          `    script = ${script}`,
          '',
        ].join('\n'),
      );
      const dunst = spawn('dunst', ['-config', rc], { env, stdio: 'ignore' });
      procs.push(dunst);
      // dunst owns org.freedesktop.Notifications once dunstctl gets an answer
      await until(async () => {
        try {
          await dunstctl('is-paused');
          return true;
        } catch {
          return false;
        }
      });
    }, 30_000);

    afterAll(async () => {
      for (const p of procs.reverse()) p.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    });

    it('delivers a Dutch nudge with its exact text', async () => {
      const text = renderNudge({ kind: 'leftOn', noun: 'laptop', hours: 16, kwh: 0.05, eur: 0.01 }, 'nl');
      const result = await notify(text, { env });
      expect(result).toEqual({ outcome: 'shown' });
      const lines = await until(async () => {
        const l = await captured();
        return l.length >= 1 && l;
      });
      expect(lines[0]).toBe(`Sluimer|${text.title}|${text.body}`);
      expect(lines[0]).toContain('€ 0,01');
    });

    it('the service without a tray: a due sleep-soon nudge reaches the session through the notifier', async () => {
      await dunstctl('close-all');
      const before = (await captured()).length;
      const bridge = await startTrayBridge({
        agent: {
          events: new EventEmitter(),
          status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
          policy: { current: () => ({ policy: { sleepAfterSec: { ac: 900 } }, etag: 'e' }) },
        },
        platform: {
          powerSource: async () => 'ac',
          readSettings: async () => ({ sleepAfterSec: {}, displayOffAfterSec: {}, brightnessPct: {} }),
        },
        clock: { now: () => Date.parse('2026-11-24T10:00:00+01:00'), monotonic: () => 0 },
        profile: { deviceClass: 'desktop' },
        ipcPath: path.join(dir, 'agent.sock'),
        tickMs: 0,
        // as a service running inside the session (the private bus in env); as root it would find
        // the session through logind and runuser, which this test cannot do
        notifier: createSessionNotifier({ platform: 'linux', isRoot: false, env }),
        ownIdleMs: async () => 14 * 60_000,
      });
      try {
        const d = await bridge.tick();
        expect(d?.nudge?.content).toEqual({ kind: 'sleepSoon', noun: 'computer', minutes: 1 });
        const lines = await until(async () => {
          const l = await captured();
          return l.length > before && l;
        });
        const text = renderNudge({ kind: 'sleepSoon', noun: 'computer', minutes: 1 }, 'nl');
        expect(lines[before]).toBe(`Sluimer|${text.title}|${text.body}`);
        expect(await until(async () => bridge.counters.take())).toEqual({
          sleepSoon: { shown: 1, dismissed: 0, snoozed: 0 },
        });
      } finally {
        await bridge.close();
      }
    });

    it('reports a notification closed without an action as closed, and a chosen action by its key', async () => {
      await dunstctl('close-all');
      const before = (await captured()).length;
      const closing = notify(
        {
          title: 'Bijna slaapstand',
          body: 'Deze laptop gaat over 2 minuten in slaapstand.',
          actions: [{ key: 'snooze', label: '1 uur uitstellen' }],
        },
        { env, waitMs: 15_000 },
      );
      await until(async () => (await captured()).length > before);
      await dunstctl('close');
      expect(await closing).toEqual({ outcome: 'closed' });

      const count = (await captured()).length;
      const acting = notify(
        {
          title: 'Bijna slaapstand',
          body: 'Nog 2 minuten.',
          actions: [{ key: 'snooze', label: '1 uur uitstellen' }],
        },
        { env, waitMs: 15_000 },
      );
      await until(async () => (await captured()).length > count);
      await dunstctl('action', '0');
      expect(await acting).toEqual({ outcome: 'action', action: 'snooze' });
    }, 40_000);
  },
);
