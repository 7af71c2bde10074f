import { spawn } from 'node:child_process';

/**
 * Headless native notifications, for a session without the Electron tray (a lab desktop running
 * only the service, or the service acting inside the user's session, docs/platforms-support.md):
 * - Linux: `notify-send` (libnotify) to the session's notification daemon over D-Bus; with actions
 *   it waits and prints the chosen action, so outcomes (dismissed/snoozed) come back.
 * - Windows: a toast through PowerShell and Windows.UI.Notifications, under the tray's
 *   AppUserModelID (the Start-menu shortcut carries it, otherwise Windows drops the toast).
 * - macOS: `osascript` `display notification` (texts passed as arguments, never spliced into script).
 * Command construction is pure and tested on every OS; delivery is tested on Linux against dunst.
 */

export const APP_NAME = 'Sluimer';
/** must match `appId` in electron-builder.yml and the Start-menu shortcut */
export const APP_USER_MODEL_ID = 'nl.sluimer.tray';

export interface NotificationSpec {
  title: string;
  body: string;
  /** buttons; the key comes back as the outcome */
  actions?: { key: string; label: string }[];
  timeoutMs?: number;
  icon?: string;
}

export interface CommandSpec {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** From a system service, run inside a user's session: Linux runuser + their bus, macOS launchctl asuser. */
export interface SessionUser {
  name: string;
  uid: number;
}

export function linuxNotifyCommand(n: NotificationSpec, user?: SessionUser): CommandSpec {
  const args = [`--app-name=${APP_NAME}`, '--urgency=normal'];
  if (n.timeoutMs !== undefined) args.push(`--expire-time=${Math.round(n.timeoutMs)}`);
  if (n.icon) args.push(`--icon=${n.icon}`);
  for (const a of n.actions ?? []) args.push(`--action=${a.key}=${a.label}`);
  if (n.actions?.length) args.push('--wait');
  // `--` so a title starting with "-" is never read as an option
  args.push('--', n.title, n.body);
  if (!user) return { cmd: 'notify-send', args };
  return {
    cmd: 'runuser',
    args: [
      '-u',
      user.name,
      '--',
      'env',
      `DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/${user.uid}/bus`,
      'notify-send',
      ...args,
    ],
  };
}

const xmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
/** single-quoted PowerShell string literal */
const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function toastXml(n: NotificationSpec): string {
  const actions = n.actions?.length
    ? `<actions>${n.actions
        .map((a) => `<action content="${xmlEscape(a.label)}" arguments="${xmlEscape(a.key)}"/>`)
        .join('')}</actions>`
    : '';
  return (
    '<toast><visual><binding template="ToastGeneric">' +
    `<text>${xmlEscape(n.title)}</text><text>${xmlEscape(n.body)}</text>` +
    `</binding></visual>${actions}</toast>`
  );
}

export function windowsToastScript(n: NotificationSpec, appId = APP_USER_MODEL_ID): string {
  return [
    '$ErrorActionPreference = "Stop"',
    '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null',
    '[Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime] | Out-Null',
    '$xml = New-Object Windows.Data.Xml.Dom.XmlDocument',
    `$xml.LoadXml(${psQuote(toastXml(n))})`,
    '$toast = [Windows.UI.Notifications.ToastNotification]::new($xml)',
    `[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier(${psQuote(appId)}).Show($toast)`,
  ].join('\n');
}

export function windowsNotifyCommand(n: NotificationSpec, appId = APP_USER_MODEL_ID): CommandSpec {
  // -EncodedCommand takes UTF-16LE base64: no quoting problems with any text
  const encoded = Buffer.from(windowsToastScript(n, appId), 'utf16le').toString('base64');
  return {
    cmd: 'powershell.exe',
    args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded],
  };
}

export function macNotifyCommand(n: NotificationSpec, user?: SessionUser): CommandSpec {
  const args = [
    '-e',
    'on run argv',
    '-e',
    'display notification (item 2 of argv) with title (item 1 of argv)',
    '-e',
    'end run',
    '--',
    n.title,
    n.body,
  ];
  if (!user) return { cmd: 'osascript', args };
  // from the LaunchDaemon (root): into the console user's GUI session, as that user
  return {
    cmd: 'launchctl',
    args: ['asuser', String(user.uid), 'sudo', '-u', user.name, 'osascript', ...args],
  };
}

export function notifyCommand(
  n: NotificationSpec,
  platform: NodeJS.Platform = process.platform,
  user?: SessionUser,
): CommandSpec {
  if (platform === 'win32') return windowsNotifyCommand(n);
  if (platform === 'darwin') return macNotifyCommand(n, user);
  return linuxNotifyCommand(n, user);
}

export type NotifyResult =
  /** the pupil picked an action (its key) */
  | { outcome: 'action'; action: string }
  /** closed without an action (or expired) */
  | { outcome: 'closed' }
  /** handed to the OS; no way to hear back (no actions, or Windows/macOS) */
  | { outcome: 'shown' };

export interface NotifyOptions {
  platform?: NodeJS.Platform;
  user?: SessionUser;
  env?: NodeJS.ProcessEnv;
  /** give up waiting for an answer after this (the notification stays) */
  waitMs?: number;
}

/** Shows a notification; with actions on Linux it resolves when the pupil answers or closes it. */
export function notify(n: NotificationSpec, options: NotifyOptions = {}): Promise<NotifyResult> {
  const platform = options.platform ?? process.platform;
  const spec = notifyCommand(n, platform, options.user);
  const waits = platform === 'linux' && (n.actions?.length ?? 0) > 0;
  return new Promise((resolve, reject) => {
    const child = spawn(spec.cmd, spec.args, {
      env: { ...(options.env ?? process.env), ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = options.waitMs
      ? setTimeout(() => {
          child.kill();
        }, options.waitMs)
      : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${spec.cmd} could not be started: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal) return resolve({ outcome: 'shown' });
      if (code !== 0) return reject(new Error(`${spec.cmd} failed (exit ${code}): ${err.trim()}`));
      if (!waits) return resolve({ outcome: 'shown' });
      const action = out.trim();
      resolve(action ? { outcome: 'action', action } : { outcome: 'closed' });
    });
  });
}
