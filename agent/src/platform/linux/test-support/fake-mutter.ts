/**
 * A stand-in for Mutter's IdleMonitor on a test session bus: owns org.gnome.Mutter.IdleMonitor and
 * answers GetIdletime with the given function, through the same minimal D-Bus client.
 */
export async function startFakeMutter(
  address: string,
  idleMs: () => number,
  powerSaveMode: () => number = () => 0,
): Promise<{
  calls: number;
  /** watches added (AddIdleWatch: the interval; AddUserActiveWatch: 'active') and not removed */
  watches: Map<number, number | 'active'>;
  /** fires the watches of that kind as Mutter does (WatchFired(id)); user-active ones are one-shot */
  fire: (kind: 'idle' | 'active') => Promise<void>;
  stop: () => void;
}> {
  const { DbusConnection, body, uint64Body, variantInt32Body } = await import('../dbus-client.js');
  const conn = new DbusConnection(address);
  const path = '/org/gnome/Mutter/IdleMonitor/Core';
  const iface = 'org.gnome.Mutter.IdleMonitor';
  let nextWatch = 1;
  const watches = new Map<number, number | 'active'>();
  const state = {
    calls: 0,
    watches,
    fire: async (kind: 'idle' | 'active') => {
      for (const [id, w] of [...watches]) {
        if ((kind === 'active') !== (w === 'active')) continue;
        if (w === 'active') watches.delete(id);
        await conn.emit(path, iface, 'WatchFired', body('u', [id]));
      }
    },
    stop: () => conn.close(),
  };
  conn.onCall = (m) => {
    if (m.member === 'GetIdletime' && m.path === path) {
      state.calls += 1;
      return uint64Body(idleMs());
    }
    if (m.member === 'AddIdleWatch' && m.path === path) {
      watches.set(nextWatch, Number(m.body.readBigUInt64LE(0)));
      return body('u', [nextWatch++]);
    }
    if (m.member === 'AddUserActiveWatch' && m.path === path) {
      watches.set(nextWatch, 'active');
      return body('u', [nextWatch++]);
    }
    if (m.member === 'RemoveWatch' && m.path === path) {
      watches.delete(m.body.readUInt32LE(0));
      return { signature: '', bytes: Buffer.alloc(0) };
    }
    if (m.member === 'Get' && m.path === '/org/gnome/Mutter/DisplayConfig')
      return variantInt32Body(powerSaveMode());
    return undefined;
  };
  const { ownBusName } = await import('./own-bus-name.js');
  for (const name of ['org.gnome.Mutter.IdleMonitor', 'org.gnome.Mutter.DisplayConfig'])
    await ownBusName(conn, name);
  conn.ref();
  return state;
}
