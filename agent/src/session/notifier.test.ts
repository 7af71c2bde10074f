import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from '../platform/runner.js';
import {
  createSessionNotifier,
  parseConsoleUser,
  parseSessionIds,
  parseShowSession,
  pickSession,
} from './notifier.js';
import { macNotifyCommand, type NotifyOptions } from './notify.js';

const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', code: 0 });

/** loginctl as on a lab desktop: the greeter (gdm), a pupil on the screen, and an ssh login */
function loginctl(calls: string[][]): CommandRunner {
  const sessions: Record<string, string> = {
    c1: 'Name=gdm\nUser=120\nActive=no\nRemote=no\nType=wayland\nClass=greeter\n',
    '3': 'Name=leerling\nUser=1001\nActive=yes\nRemote=no\nType=x11\nClass=user\n',
    '7': 'Name=beheer\nUser=1002\nActive=yes\nRemote=yes\nType=tty\nClass=user\n',
  };
  return {
    async run(file, args) {
      calls.push([file, ...args]);
      if (args[0] === 'list-sessions') {
        return ok(
          '     c1  120 gdm      seat0 tty1\n      3 1001 leerling seat0 tty2\n      7 1002 beheer        pts/0\n',
        );
      }
      const text = sessions[args[1] ?? ''];
      return text ? ok(text) : { stdout: '', stderr: 'no such session', code: 1 };
    },
  };
}

describe('session notifier: whom the service can reach without a tray', () => {
  it('parses loginctl output', () => {
    expect(parseSessionIds('  c1 120 gdm seat0 tty1\n  3 1001 leerling seat0 tty2\n\n')).toEqual(['c1', '3']);
    expect(
      parseShowSession('3', 'Name=leerling\nUser=1001\nActive=yes\nRemote=no\nType=wayland\nClass=user'),
    ).toEqual({
      id: '3',
      name: 'leerling',
      uid: 1001,
      active: true,
      remote: false,
      type: 'wayland',
      class: 'user',
    });
    expect(parseShowSession('9', 'Active=yes\n')).toBeNull();
  });

  it('as root on Linux: the active local graphical user session with a bus, never the greeter or ssh', async () => {
    const calls: string[][] = [];
    const n = createSessionNotifier({
      platform: 'linux',
      isRoot: true,
      runner: loginctl(calls),
      exists: (p) => p === '/run/user/1001/bus',
    });
    expect(await n.target()).toEqual({ kind: 'user', user: { name: 'leerling', uid: 1001 } });
    expect(calls[0]).toEqual(['loginctl', 'list-sessions', '--no-legend', '--no-pager']);
    // without the user's bus (logged out meanwhile) there is nobody to tell
    const none = createSessionNotifier({
      platform: 'linux',
      isRoot: true,
      runner: loginctl([]),
      exists: () => false,
    });
    expect(await none.target()).toBeNull();
    expect(
      pickSession(
        [{ id: '1', name: 'root', uid: 0, active: true, remote: false, type: 'x11', class: 'user' }],
        () => true,
      ),
    ).toBeNull();
  });

  it('in the session itself (not root): its own bus, or nothing without one', async () => {
    const own = createSessionNotifier({
      platform: 'linux',
      isRoot: false,
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' },
    });
    expect(await own.target()).toEqual({ kind: 'own' });
    expect(await createSessionNotifier({ platform: 'linux', isRoot: false, env: {} }).target()).toBeNull();
  });

  it('macOS: the console user from the LaunchDaemon, nobody at the login window', async () => {
    expect(parseConsoleUser('leerling 501\n')).toEqual({ name: 'leerling', uid: 501 });
    expect(parseConsoleUser('root 0\n')).toBeNull();
    const n = createSessionNotifier({
      platform: 'darwin',
      isRoot: true,
      runner: { run: async () => ok('leerling 501\n') },
    });
    expect(await n.target()).toEqual({ kind: 'user', user: { name: 'leerling', uid: 501 } });
    const c = macNotifyCommand({ title: 'T', body: 'B' }, { name: 'leerling', uid: 501 });
    expect(c.cmd).toBe('launchctl');
    expect(c.args.slice(0, 6)).toEqual(['asuser', '501', 'sudo', '-u', 'leerling', 'osascript']);
    expect(c.args.slice(-2)).toEqual(['T', 'B']);
  });

  it('Windows: nobody from a LocalSystem service (session 0), the own session otherwise', async () => {
    const system = createSessionNotifier({
      platform: 'win32',
      env: { USERNAME: 'SYSTEM', USERPROFILE: 'C:\\Windows\\system32\\config\\systemprofile' },
    });
    expect(await system.target()).toBeNull();
    const user = createSessionNotifier({
      platform: 'win32',
      env: { USERNAME: 'leerling', USERPROFILE: 'C:\\Users\\leerling' },
    });
    expect(await user.target()).toEqual({ kind: 'own' });
  });

  it('hands the notification to notify() with the session user', async () => {
    const seen: NotifyOptions[] = [];
    const n = createSessionNotifier({
      platform: 'linux',
      env: { PATH: '/usr/bin' },
      deliver: async (_spec, options) => {
        seen.push(options ?? {});
        return { outcome: 'shown' };
      },
    });
    expect(
      await n.show({ title: 'T', body: 'B' }, { kind: 'user', user: { name: 'leerling', uid: 1001 } }),
    ).toEqual({
      outcome: 'shown',
    });
    expect(seen[0]).toMatchObject({ platform: 'linux', user: { name: 'leerling', uid: 1001 } });
    await n.show({ title: 'T', body: 'B' }, { kind: 'own' });
    expect(seen[1]?.user).toBeUndefined();
  });
});
