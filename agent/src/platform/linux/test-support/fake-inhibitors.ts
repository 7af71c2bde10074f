import { DbusConnection } from '../dbus-client.js';
import { writeBody } from '../dbus-codec.js';
import { ownBusName } from './own-bus-name.js';

/** logind's ListInhibitors row: what, who, why, mode, uid, pid */
export type InhibitorRow = [string, string, string, string, number, number];

/** A stand-in logind on a test bus playing the system bus: answers ListInhibitors with `rows()`. */
export async function startFakeLogind(
  address: string,
  rows: () => InhibitorRow[],
): Promise<{ calls: number; stop: () => void }> {
  const conn = new DbusConnection(address);
  const state = { calls: 0, stop: () => conn.close() };
  conn.onCall = (m) => {
    if (m.member !== 'ListInhibitors' || m.path !== '/org/freedesktop/login1') return undefined;
    state.calls++;
    return { signature: 'a(ssssuu)', bytes: writeBody('a(ssssuu)', [rows()]) };
  };
  await ownBusName(conn, 'org.freedesktop.login1');
  conn.ref();
  return state;
}

/** A stand-in GNOME SessionManager on a test session bus with these inhibitors (flags 4 suspend, 8 idle). */
export async function startFakeGnomeSession(
  address: string,
  inhibitors: { appId: string; reason: string; flags: number }[],
): Promise<{ stop: () => void }> {
  const conn = new DbusConnection(address);
  const paths = inhibitors.map((_, i) => `/org/gnome/SessionManager/Inhibitor${i + 1}`);
  conn.onCall = (m) => {
    if (m.member === 'GetInhibitors' && m.path === '/org/gnome/SessionManager')
      return { signature: 'ao', bytes: writeBody('ao', [paths]) };
    const i = paths.indexOf(m.path ?? '');
    const inhibitor = inhibitors[i];
    if (!inhibitor) return undefined;
    if (m.member === 'GetAppId') return { signature: 's', bytes: writeBody('s', [inhibitor.appId]) };
    if (m.member === 'GetReason') return { signature: 's', bytes: writeBody('s', [inhibitor.reason]) };
    if (m.member === 'GetFlags') return { signature: 'u', bytes: writeBody('u', [inhibitor.flags]) };
    return undefined;
  };
  await ownBusName(conn, 'org.gnome.SessionManager');
  conn.ref();
  return { stop: () => conn.close() };
}
