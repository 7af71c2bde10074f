import { existsSync } from 'node:fs';
import { type CommandRunner, execFileRunner } from '../platform/runner.js';
import { type NotificationSpec, type NotifyResult, notify, type SessionUser } from './notify.js';

/**
 * The service's own way to reach the pupil when no tray is connected (a lab desktop or kiosk image
 * without the tray, or a tray that crashed): a plain session notification (notify.ts). Behind an
 * interface so the tray bridge can be tested with a fake.
 */
export interface SessionNotifier {
  /** who would see a notification now; null = nobody (no local graphical session, or none reachable) */
  target(): Promise<SessionTarget | null>;
  /** shows it in that session; resolves once handed over (or answered, for notifications with actions) */
  show(n: NotificationSpec, target: SessionTarget): Promise<NotifyResult>;
}

export type SessionTarget =
  /** the service runs inside the session itself (a user service, a development run) */
  | { kind: 'own' }
  /** a system service reaching into a logged-in user's session */
  | { kind: 'user'; user: SessionUser };

export interface SessionNotifierOptions {
  platform?: NodeJS.Platform;
  runner?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  /** default: whether this process runs as root (uid 0) */
  isRoot?: boolean;
  /** default: existsSync (a user's session bus at /run/user/<uid>/bus) */
  exists?: (path: string) => boolean;
  /** the real delivery (default notify.ts); tests of the target search can replace it */
  deliver?: typeof notify;
}

interface LoginSession {
  id: string;
  name: string;
  uid: number;
  active: boolean;
  remote: boolean;
  type: string;
  class: string;
}

/** `loginctl show-session <id> -p …` output (`Key=value` lines) → a session, or null when incomplete. */
export function parseShowSession(id: string, text: string): LoginSession | null {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const uid = Number(kv.get('User'));
  const name = kv.get('Name');
  if (!name || !Number.isInteger(uid) || uid < 0) return null;
  return {
    id,
    name,
    uid,
    active: kv.get('Active') === 'yes',
    remote: kv.get('Remote') === 'yes',
    type: kv.get('Type') ?? '',
    class: kv.get('Class') ?? '',
  };
}

/** Session ids from `loginctl list-sessions --no-legend` (first column of every line). */
export function parseSessionIds(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((id) => /^[A-Za-z0-9_-]+$/.test(id));
}

/** The pupil's session: local, active, graphical, a real user (not the greeter), with a session bus. */
export function pickSession(
  sessions: readonly LoginSession[],
  exists: (path: string) => boolean,
): LoginSession | null {
  return (
    sessions.find(
      (s) =>
        s.active &&
        !s.remote &&
        s.class === 'user' &&
        (s.type === 'x11' || s.type === 'wayland') &&
        s.uid !== 0 &&
        exists(`/run/user/${s.uid}/bus`),
    ) ?? null
  );
}

/** `stat -f '%Su %u' /dev/console` on macOS: the user at the screen ("root" = login window). */
export function parseConsoleUser(text: string): SessionUser | null {
  const [name, uidText] = text.trim().split(/\s+/);
  const uid = Number(uidText);
  if (!name || name === 'root' || name === 'loginwindow' || !Number.isInteger(uid) || uid <= 0) return null;
  return { name, uid };
}

export function createSessionNotifier(opts: SessionNotifierOptions = {}): SessionNotifier {
  const platform = opts.platform ?? process.platform;
  const runner = opts.runner ?? execFileRunner({ timeoutMs: 5_000 });
  const env = opts.env ?? process.env;
  const isRoot = opts.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  const exists = opts.exists ?? existsSync;
  const deliver = opts.deliver ?? notify;

  async function linuxTarget(): Promise<SessionTarget | null> {
    if (!isRoot) return env.DBUS_SESSION_BUS_ADDRESS ? { kind: 'own' } : null;
    const list = await runner.run('loginctl', ['list-sessions', '--no-legend', '--no-pager']);
    if (list.code !== 0) return null;
    const sessions: LoginSession[] = [];
    for (const id of parseSessionIds(list.stdout).slice(0, 20)) {
      const show = await runner.run('loginctl', [
        'show-session',
        id,
        '-p',
        'Name',
        '-p',
        'User',
        '-p',
        'Active',
        '-p',
        'Remote',
        '-p',
        'Type',
        '-p',
        'Class',
      ]);
      const s = show.code === 0 ? parseShowSession(id, show.stdout) : null;
      if (s) sessions.push(s);
    }
    const s = pickSession(sessions, exists);
    return s ? { kind: 'user', user: { name: s.name, uid: s.uid } } : null;
  }

  async function macTarget(): Promise<SessionTarget | null> {
    if (!isRoot) return { kind: 'own' };
    const r = await runner.run('stat', ['-f', '%Su %u', '/dev/console']);
    const user = r.code === 0 ? parseConsoleUser(r.stdout) : null;
    return user ? { kind: 'user', user } : null;
  }

  return {
    async target() {
      if (platform === 'linux') return linuxTarget();
      if (platform === 'darwin') return macTarget();
      if (platform === 'win32') {
        // a LocalSystem service lives in session 0, where a toast reaches nobody; only a service
        // started inside the pupil's session can show one
        const profile = (env.USERPROFILE ?? '').toLowerCase();
        const system = env.USERNAME === 'SYSTEM' || profile.includes('systemprofile');
        return system ? null : { kind: 'own' };
      }
      return null;
    },
    show(n, target) {
      return deliver(n, {
        platform,
        env,
        ...(target.kind === 'user' ? { user: target.user } : {}),
        waitMs: 60_000,
      });
    },
  };
}
