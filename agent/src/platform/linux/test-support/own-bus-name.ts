import { body, type DbusConnection } from '../dbus-client.js';

/** Takes a well-known name on a test bus for a stand-in service (DBUS_NAME_FLAG_DO_NOT_QUEUE). */
export async function ownBusName(conn: DbusConnection, name: string): Promise<void> {
  const r = await conn.call(
    'org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus',
    'RequestName',
    body('su', [name, 4]),
  );
  if (r.body.readUInt32LE(0) !== 1) throw new Error(`could not own ${name}`);
}
