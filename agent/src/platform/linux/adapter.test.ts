import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fakeRunner } from '../fake-runner.js';
import { LinuxAdapter, POWER_SCHEMA } from './adapter.js';

// Adapter logic that needs no session: fake command answers, real files in temp dirs.

describe('Linux adapter without a session', () => {
  it('falls back to logind IdleHint from a system service, and says unknown when it was never set', async () => {
    const since = BigInt(Date.now() - 90_000) * 1000n;
    const runner = fakeRunner((f, a) =>
      f === 'loginctl' && a[0] === 'show-session'
        ? { stdout: `IdleHint=yes\nIdleSinceHint=${since}\n` }
        : undefined,
    );
    const a = new LinuxAdapter({ runner, env: {} });
    const v = (await a.idleMs()) as number;
    expect(v).toBeGreaterThanOrEqual(89_000);
    expect(v).toBeLessThan(100_000);
    expect(a.lastIdleSource).toBe('logind');
    const never = new LinuxAdapter({
      runner: fakeRunner((f) =>
        f === 'loginctl' ? { stdout: 'IdleHint=no\nIdleSinceHint=0\n' } : undefined,
      ),
      env: {},
    });
    expect(await never.idleMs()).toBe('unknown');
    expect(never.lastIdleError).toMatch(/no session bus.*DISPLAY not set.*IdleHint never set/);
  });

  it('merges logind block inhibitors and GNOME session inhibitors into blockers', async () => {
    const runner = fakeRunner((f, a) => {
      const s = a.join(' ');
      if (f === 'busctl' && s.includes('ListInhibitors'))
        return {
          stdout:
            'a(ssssuu) 2 "sleep" "NetworkManager" "turn off networks" "delay" 0 812 "sleep:idle" "Backup" "Nightly backup" "block" 0 7001\n',
        };
      if (f === 'gdbus' && s.includes('GetInhibitors'))
        return { stdout: "([objectpath '/org/gnome/SessionManager/Inhibitor12'],)\n" };
      if (f === 'gdbus' && s.includes('GetAppId')) return { stdout: "('firefox',)\n" };
      if (f === 'gdbus' && s.includes('GetReason')) return { stdout: "('Playing video',)\n" };
      if (f === 'gdbus' && s.includes('GetFlags')) return { stdout: '(uint32 8,)\n' };
      return undefined;
    });
    // no bus to connect to: the helpers' answers are what is read
    const a = new LinuxAdapter({
      runner,
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      systemBusAddress: 'unix:path=/nonexistent',
    });
    expect(await a.blockers()).toEqual([
      { name: 'Backup', kind: 'process', blocks: ['sleep', 'idle'], reason: 'Nightly backup' },
      { name: 'firefox', kind: 'process', blocks: ['idle'], reason: 'Playing video' },
    ]);
  });

  it('does not start the blocker helpers again at every report while logind and GNOME are unreachable', async () => {
    let logind = false;
    const runner = fakeRunner((f, a) => {
      const s = a.join(' ');
      if (f === 'busctl' && s.includes('ListInhibitors'))
        return logind
          ? { stdout: 'a(ssssuu) 1 "sleep" "Backup" "Nightly backup" "block" 0 7001\n' }
          : { code: 1, stderr: 'Failed to connect to bus: No such file or directory' };
      if (f === 'systemd-inhibit')
        return { code: 1, stderr: 'Failed to connect to bus: No such file or directory' };
      if (f === 'gdbus')
        return {
          code: 1,
          stderr: 'Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: not provided',
        };
      return undefined;
    });
    const a = new LinuxAdapter({
      runner,
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      systemBusAddress: 'unix:path=/nonexistent',
      blockersRetryMs: 60_000,
    });
    await expect(a.blockers()).rejects.toThrow(/logind's inhibitors not readable.*GNOME SessionManager/);
    expect(runner.calls.map((c) => c.file)).toEqual(['busctl', 'systemd-inhibit', 'gdbus']);
    // the next reports within the retry period: the same "unknown", no process
    await expect(a.blockers()).rejects.toThrow(/logind's inhibitors not readable/);
    await expect(a.blockers()).rejects.toThrow(/logind's inhibitors not readable/);
    expect(runner.calls).toHaveLength(3);
    // after the retry period logind is asked again (and GNOME, still absent, once more)
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ['Date'] });
    try {
      logind = true;
      expect(await a.blockers()).toEqual([
        { name: 'Backup', kind: 'process', blocks: ['sleep'], reason: 'Nightly backup' },
      ]);
      expect(runner.calls.map((c) => c.file).slice(3)).toEqual(['busctl', 'gdbus']);
      // logind readable now: asked at every report; GNOME not again within its retry period
      await a.blockers();
      expect(runner.calls.map((c) => c.file).slice(5)).toEqual(['busctl']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a dconf-locked key as overridden and does not try to write it', async () => {
    const runner = fakeRunner((f, a) => {
      if (f !== 'gsettings') return undefined;
      if (a[0] === 'writable') return { stdout: 'false\n' };
      if (a[0] === 'get' && a[2]?.endsWith('-timeout')) return { stdout: 'uint32 0\n' };
      if (a[0] === 'get' && a[2]?.endsWith('-type')) return { stdout: "'suspend'\n" };
      if (a[0] === 'get') return { stdout: 'uint32 300\n' };
      return { code: 1, stderr: 'unexpected' };
    });
    const a = new LinuxAdapter({
      runner,
      env: {},
      powerSupplyDir: '/nonexistent',
      backlightDir: '/nonexistent',
    });
    const out = await a.apply({ sleepAfterSec: { ac: 1800 } }, 'policy');
    expect(out.errors).toEqual([
      expect.objectContaining({ setting: 'sleepAfterSec.ac', code: 'overridden_by_policy' }),
    ]);
    expect(runner.calls.some((c) => c.args[0] === 'set')).toBe(false);
    expect(out.applied.sleepAfterSec.ac).toBeNull();
  });

  it('writes the schedule as a systemd timer, enables it and reads it back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluimer-units-'));
    await mkdir(join(root, 'run-systemd'));
    let active = false;
    const runner = fakeRunner((f, a) => {
      if (f !== 'systemctl') return undefined;
      if (a[0] === 'enable') active = true;
      if (a[0] === 'is-active') return active ? { stdout: 'active\n' } : { code: 3, stdout: 'inactive\n' };
      return { stdout: '' };
    });
    const a = new LinuxAdapter({
      runner,
      env: {},
      unitDir: join(root, 'units'),
      systemdRunDir: join(root, 'run-systemd'),
      powerSupplyDir: '/nonexistent',
      backlightDir: '/nonexistent',
    });
    const s = { action: 'shutdown' as const, at: '18:00', weekdays: [0, 1, 2, 3, 4] };
    const out = await a.apply({ schedule: s }, 'policy');
    expect(out.applied.schedule).toEqual(s);
    expect(await readFile(join(root, 'units', 'sluimer-power-action.timer'), 'utf8')).toContain(
      'OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 18:00:00',
    );
    expect(runner.calls.map((c) => c.args.join(' '))).toEqual(
      expect.arrayContaining(['daemon-reload', 'enable --now sluimer-power-action.timer']),
    );
    await rm(root, { recursive: true, force: true });
  });

  it('says "unsupported" for schedules where systemd is not running', async () => {
    const a = new LinuxAdapter({
      runner: fakeRunner(() => undefined),
      env: {},
      systemdRunDir: '/nonexistent/systemd',
      powerSupplyDir: '/nonexistent',
      backlightDir: '/nonexistent',
    });
    const out = await a.apply({ schedule: { action: 'sleep', at: '19:00', weekdays: [0] } }, 'policy');
    expect(out.errors).toEqual([expect.objectContaining({ setting: 'schedule', code: 'unsupported' })]);
  });

  it('suspends with systemctl suspend (honouring inhibitors) and reports a refusal', async () => {
    const runner = fakeRunner((f) =>
      f === 'systemctl' ? { code: 1, stderr: 'Operation inhibited by "Backup"' } : undefined,
    );
    await expect(new LinuxAdapter({ runner, env: {} }).sleepNow()).rejects.toThrow(/inhibited by "Backup"/);
    expect(runner.calls).toEqual([{ file: 'systemctl', args: ['suspend'], env: {} }]);
    expect(POWER_SCHEMA).toBe('org.gnome.settings-daemon.plugins.power');
  });
});
