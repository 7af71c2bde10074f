import type { DesktopNotification } from '../types.js';

/** GVariant text for a string argument of `gdbus call` (quotes and backslashes escaped). */
export function gvariantString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/**
 * `org.freedesktop.Notifications.Notify(s app_name, u replaces_id, s icon, s summary, s body, as actions,
 * a{sv} hints, i timeout)` through gdbus: no libnotify needed. Urgency: 0 low, 1 normal, 2 critical.
 */
export function notifyArgs(n: DesktopNotification): string[] {
  const urgency = { low: 0, normal: 1, critical: 2 }[n.urgency ?? 'normal'];
  return [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.Notifications',
    '--object-path',
    '/org/freedesktop/Notifications',
    '--method',
    'org.freedesktop.Notifications.Notify',
    gvariantString('Sluimer'),
    'uint32 0',
    gvariantString(''),
    gvariantString(n.summary),
    gvariantString(n.body),
    '@as []',
    `{'urgency': <byte ${urgency}>}`,
    `int32 ${Math.round(n.timeoutMs ?? -1)}`,
  ];
}

/** gdbus prints `(uint32 7,)`. */
export function parseNotifyId(out: string): string | undefined {
  return /uint32\s+(\d+)/.exec(out)?.[1];
}
