import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Blocker, ErrorCode, type Inventory, SluimerError } from '@sluimer/shared';
import { checkTarget } from '../../core/bounds.js';
import { type CommandResult, type CommandRunner, execFileRunner } from '../runner.js';
import type {
  ApplyOutcome,
  BatteryInfo,
  Capability,
  IdleTransition,
  Known,
  PlatformAdapter,
  PowerEvent,
  PowerSettings,
  PowerSourceKind,
  SettingsTarget,
} from '../types.js';
import { body, DbusConnection, replyNumber, replyVariantInt, uint64Body } from './dbus-client.js';
import { readBody } from './dbus-codec.js';
import {
  type Inhibitor,
  inhibitorsFromRows,
  inhibitorToBlocker,
  mayBlockSleep,
  parseBusctlInhibitors,
  parseDbusUint,
  parseGsettingsValue,
  parseInhibitors,
  parseKeyValues,
  parseLoginctlShow,
  parseXprintidle,
} from './parsers.js';
import {
  batteryFrom,
  percentOf,
  powerSourceFrom,
  rawFor,
  readBacklights,
  readSupplies,
  systemBatteries,
  writeBrightness,
} from './sysfs.js';
import { parseTimerUnits, serviceUnit, timerUnit, UNIT } from './systemd-timer.js';
import { X11IdleConnection } from './x11-idle.js';

export const POWER_SCHEMA = 'org.gnome.settings-daemon.plugins.power';
export const SESSION_SCHEMA = 'org.gnome.desktop.session';

/** Command lines, exported so tests can assert exactly what is run. */
export const CMD = {
  mutterIdle: [
    'gdbus',
    [
      'call',
      '--session',
      '--dest',
      'org.gnome.Mutter.IdleMonitor',
      '--object-path',
      '/org/gnome/Mutter/IdleMonitor/Core',
      '--method',
      'org.gnome.Mutter.IdleMonitor.GetIdletime',
    ],
  ],
  mutterPowerSave: [
    'gdbus',
    [
      'call',
      '--session',
      '--dest',
      'org.gnome.Mutter.DisplayConfig',
      '--object-path',
      '/org/gnome/Mutter/DisplayConfig',
      '--method',
      'org.freedesktop.DBus.Properties.Get',
      'org.gnome.Mutter.DisplayConfig',
      'PowerSaveMode',
    ],
  ],
  listInhibitors: [
    'busctl',
    [
      '--system',
      'call',
      'org.freedesktop.login1',
      '/org/freedesktop/login1',
      'org.freedesktop.login1.Manager',
      'ListInhibitors',
    ],
  ],
  inhibitList: ['systemd-inhibit', ['--list', '--no-pager']],
  gnomeInhibitors: [
    'gdbus',
    [
      'call',
      '--session',
      '--dest',
      'org.gnome.SessionManager',
      '--object-path',
      '/org/gnome/SessionManager',
      '--method',
      'org.gnome.SessionManager.GetInhibitors',
    ],
  ],
  suspend: ['systemctl', ['suspend']],
  /** without a session id loginctl prints the Manager's properties (all sessions together) */
  logindIdle: ['loginctl', ['show-session', '-p', 'IdleHint', '-p', 'IdleSinceHint']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export const gsettingsGet = (schema: string, key: string): [string, string[]] => [
  'gsettings',
  ['get', schema, key],
];
export const gsettingsSet = (schema: string, key: string, value: string): [string, string[]] => [
  'gsettings',
  ['set', schema, key, value],
];
export const gsettingsWritable = (schema: string, key: string): [string, string[]] => [
  'gsettings',
  ['writable', schema, key],
];
export const logindSetBrightness = (device: string, raw: number): [string, string[]] => [
  'busctl',
  [
    'call',
    'org.freedesktop.login1',
    '/org/freedesktop/login1/session/auto',
    'org.freedesktop.login1.Session',
    'SetBrightness',
    'ssu',
    'backlight',
    device,
    String(raw),
  ],
];

export interface LinuxAdapterOptions {
  runner?: CommandRunner;
  /** environment of child processes: DISPLAY, DBUS_SESSION_BUS_ADDRESS, GSETTINGS_BACKEND, … */
  env?: NodeJS.ProcessEnv;
  /** `/sys/class/power_supply` (injectable for tests) */
  powerSupplyDir?: string;
  /** `/sys/class/backlight` (injectable for tests) */
  backlightDir?: string;
  /** where the scheduled-action units go (`/etc/systemd/system`) */
  unitDir?: string;
  /** `/etc/os-release` */
  osRelease?: string;
  /** `/run/systemd/system`: exists only when systemd is PID 1 */
  systemdRunDir?: string;
  /** uid of the process (root may write sysfs, units, timers) */
  uid?: number;
  /** re-try Mutter after this long when it was not on the bus */
  mutterRetryMs?: number;
  /**
   * re-try a blocker source (logind's inhibitor list, GNOME's session inhibitors) after this long when
   * it could not be read (default 5 min): the agent asks at every report while the device is idle,
   * and each try starts processes
   */
  blockersRetryMs?: number;
  /** system bus for logind signals (PrepareForSleep) and UPower's power-source changes */
  systemBusAddress?: string;
  /**
   * how often sysfs is read for a power-source switch where UPower is not on the system bus and a
   * battery exists (default 15 s); with UPower its signal is the event and nothing is polled
   */
  powerPollMs?: number;
}

type IdleSource = 'mutter' | 'x11' | 'xprintidle' | 'logind' | 'none';

/** one of GNOME's session inhibitors; flags null when they could not be read */
interface GnomeInhibitor {
  appId: string;
  reason: string;
  flags: number | null;
}

export class LinuxAdapter implements PlatformAdapter {
  readonly os = 'linux' as const;
  /**
   * GNOME keeps sleep timeouts per source (sleep-inactive-ac/-battery) and switches between them
   * itself, but has one display-off delay (idle-delay) for both, and a brightness cap is a one-off
   * write to the panel: those two are applied again after every switch.
   */
  readonly sourceBound = ['displayOffAfterSec', 'brightnessPct'] as const;
  /** GNOME's idle-delay: one display-off delay for both sources; the core says which value */
  readonly oneValue = ['displayOffAfterSec'] as const;
  private readonly runner: CommandRunner;
  private readonly env: NodeJS.ProcessEnv;
  private readonly o: Required<Omit<LinuxAdapterOptions, 'runner' | 'env'>>;
  private x11: X11IdleConnection | null = null;
  private dbus: DbusConnection | null = null;
  /** the system bus, kept open for logind's inhibitor list (asked at every idle report) */
  private systemDbus: DbusConnection | null = null;
  private dbusBroken = false;
  private mutterDownUntil = 0;
  /** logind's inhibitor list could not be read: the same answer until then, no process started */
  private logindBlockersDown: { until: number; error: SluimerError } | null = null;
  /** GNOME's SessionManager was not reachable: left out until then */
  private gnomeBlockersDown: { until: number; error: string } | null = null;
  private inventoryCache: Promise<Inventory> | null = null;
  /** where the last idle reading came from (doctor, benchmarks) */
  lastIdleSource: IdleSource = 'none';
  lastIdleError = '';

  constructor(options: LinuxAdapterOptions = {}) {
    this.env = options.env ?? process.env;
    this.runner = options.runner ?? execFileRunner({ env: this.env });
    this.o = {
      powerSupplyDir: options.powerSupplyDir ?? '/sys/class/power_supply',
      backlightDir: options.backlightDir ?? '/sys/class/backlight',
      unitDir: options.unitDir ?? '/etc/systemd/system',
      osRelease: options.osRelease ?? '/etc/os-release',
      systemdRunDir: options.systemdRunDir ?? '/run/systemd/system',
      uid: options.uid ?? process.getuid?.() ?? -1,
      mutterRetryMs: options.mutterRetryMs ?? 5 * 60_000,
      blockersRetryMs: options.blockersRetryMs ?? 5 * 60_000,
      powerPollMs: options.powerPollMs ?? 15_000,
      systemBusAddress:
        options.systemBusAddress ??
        process.env.DBUS_SYSTEM_BUS_ADDRESS ??
        'unix:path=/run/dbus/system_bus_socket',
    };
  }

  private run(cmd: readonly [string, readonly string[]]): Promise<CommandResult> {
    return this.runner.run(cmd[0], cmd[1], { env: this.env });
  }

  // ---- idle ----

  /**
   * GNOME: Mutter IdleMonitor (X11 and Wayland). Otherwise X11 MIT-SCREEN-SAVER over one persistent
   * connection (no process per sample); `xprintidle` only when that connection cannot be made.
   */
  async idleMs(): Promise<Known<number>> {
    const errors: string[] = [];
    if (!this.env.DBUS_SESSION_BUS_ADDRESS) errors.push('no session bus (Mutter IdleMonitor)');
    else if (Date.now() < this.mutterDownUntil) errors.push('Mutter IdleMonitor was not on the bus');
    if (this.env.DBUS_SESSION_BUS_ADDRESS && Date.now() >= this.mutterDownUntil) {
      const v = await this.mutterIdle().catch((e: Error) => {
        errors.push(`Mutter IdleMonitor: ${e.message.split('\n')[0]}`);
        return null;
      });
      if (v !== null) {
        this.lastIdleSource = 'mutter';
        return v;
      }
      this.mutterDownUntil = Date.now() + this.o.mutterRetryMs;
    }
    if (this.env.DISPLAY) {
      try {
        this.x11 ??= new X11IdleConnection(this.env.DISPLAY, this.env.XAUTHORITY);
        const v = await this.x11.idleMs();
        this.lastIdleSource = 'x11';
        return v;
      } catch (e) {
        this.x11?.close();
        this.x11 = null;
        errors.push(`X11 MIT-SCREEN-SAVER: ${(e as Error).message}`);
      }
      const r = await this.runner.run('xprintidle', [], { env: this.env });
      const v = r.code === 0 ? parseXprintidle(r.stdout) : null;
      if (v !== null) {
        this.lastIdleSource = 'xprintidle';
        return v;
      }
      errors.push(r.notFound ? 'xprintidle not installed' : `xprintidle: ${r.stderr.trim()}`);
    } else errors.push('DISPLAY not set');
    // a system service outside the session: logind's IdleHint, only as good as the desktop reporting it
    const hint = await this.logindIdle();
    if (typeof hint === 'number') {
      this.lastIdleSource = 'logind';
      return hint;
    }
    errors.push(hint.why);
    this.lastIdleSource = 'none';
    this.lastIdleError = errors.join('; ');
    return 'unknown';
  }

  /** Mutter DisplayConfig PowerSaveMode (0 on, 1 standby, 2 suspend, 3 off) over the same connection. */
  private async mutterPowerSaveMode(): Promise<number | null> {
    if (this.dbusBroken) {
      const r = await this.run(CMD.mutterPowerSave);
      const m = r.code === 0 ? /(-?\d+)/.exec(r.stdout) : null;
      return m ? Number(m[1]) : null;
    }
    this.dbus ??= new DbusConnection(this.env.DBUS_SESSION_BUS_ADDRESS);
    const reply = await this.dbus.call(
      'org.gnome.Mutter.DisplayConfig',
      '/org/gnome/Mutter/DisplayConfig',
      'org.freedesktop.DBus.Properties',
      'Get',
      body('ss', ['org.gnome.Mutter.DisplayConfig', 'PowerSaveMode']),
    );
    return replyVariantInt(reply);
  }

  /** Mutter over the persistent D-Bus connection; `gdbus` (a process per call) only if that fails to connect. */
  private async mutterIdle(): Promise<number> {
    if (this.dbusBroken) {
      const r = await this.run(CMD.mutterIdle);
      const v = r.code === 0 ? parseDbusUint(r.stdout) : null;
      if (v === null) throw new Error((r.stderr || r.stdout).trim() || 'gdbus gave no answer');
      return v;
    }
    this.dbus ??= new DbusConnection(this.env.DBUS_SESSION_BUS_ADDRESS);
    try {
      const reply = await this.dbus.call(
        'org.gnome.Mutter.IdleMonitor',
        '/org/gnome/Mutter/IdleMonitor/Core',
        'org.gnome.Mutter.IdleMonitor',
        'GetIdletime',
      );
      const v = replyNumber(reply);
      if (v === null) throw new Error(`unexpected reply signature ${reply.signature}`);
      return v;
    } catch (e) {
      const msg = (e as Error).message;
      // a D-Bus error reply means the bus works; anything else (auth, address) → use gdbus from now on
      if (!/^org\.freedesktop\.DBus\.Error|^[A-Za-z]+\.[A-Za-z.]+Error|unexpected reply/.test(msg)) {
        this.dbus.close();
        this.dbus = null;
        this.dbusBroken = true;
        return this.mutterIdle();
      }
      throw e;
    }
  }

  /**
   * Idle transitions as events: Mutter's IdleMonitor watches where GNOME runs (X11 and Wayland), else
   * the X server's SYNC IDLETIME alarms over the persistent X11 connection. Null where neither is
   * reachable (xprintidle or logind only): the service then polls.
   */
  async watchIdle(thresholdMs: number, listener: (t: IdleTransition) => void): Promise<(() => void) | null> {
    if (this.env.DBUS_SESSION_BUS_ADDRESS && !this.dbusBroken && Date.now() >= this.mutterDownUntil) {
      const stop = await this.watchMutter(thresholdMs, listener).catch(() => null);
      if (stop) return stop;
    }
    if (this.env.DISPLAY) {
      try {
        this.x11 ??= new X11IdleConnection(this.env.DISPLAY, this.env.XAUTHORITY);
        const x11 = this.x11;
        await x11.watchIdle(thresholdMs, listener);
        return () => x11.unwatchIdle();
      } catch {
        // no SYNC/IDLETIME (or no X): polled instead
      }
    }
    return null;
  }

  /** org.gnome.Mutter.IdleMonitor: AddIdleWatch(threshold) + AddUserActiveWatch (one-shot, re-added). */
  private async watchMutter(
    thresholdMs: number,
    listener: (t: IdleTransition) => void,
  ): Promise<(() => void) | null> {
    this.dbus ??= new DbusConnection(this.env.DBUS_SESSION_BUS_ADDRESS);
    const bus = this.dbus;
    const dest = 'org.gnome.Mutter.IdleMonitor';
    const path = '/org/gnome/Mutter/IdleMonitor/Core';
    const iface = 'org.gnome.Mutter.IdleMonitor';
    await bus.addMatch(`type='signal',interface='${iface}',member='WatchFired',path='${path}'`);
    const idleWatch = replyNumber(
      await bus.call(dest, path, iface, 'AddIdleWatch', uint64Body(Math.max(1_000, thresholdMs))),
    );
    if (idleWatch === null) return null;
    let activeWatch: number | null = null;
    let stopped = false;
    const armActive = async () => {
      activeWatch = replyNumber(await bus.call(dest, path, iface, 'AddUserActiveWatch'));
    };
    bus.onSignal = (m) => {
      if (stopped || m.member !== 'WatchFired' || m.body.length < 4) return;
      const id = m.body.readUInt32LE(0);
      if (id === idleWatch) {
        listener('idle');
        void armActive().catch(() => undefined);
      } else if (id === activeWatch) {
        activeWatch = null;
        listener('active');
      }
    };
    return () => {
      stopped = true;
      bus.onSignal = null;
      for (const id of [idleWatch, activeWatch])
        if (id !== null)
          void bus.call(dest, path, iface, 'RemoveWatch', body('u', [id])).catch(() => undefined);
    };
  }

  /** Manager IdleHint + IdleSinceHint (µs since epoch, 0 = never set → unknown). */
  private async logindIdle(): Promise<number | { why: string }> {
    const r = await this.run(CMD.logindIdle);
    if (r.code !== 0)
      return {
        why: `logind: ${r.notFound ? 'loginctl not installed' : (r.stderr.trim().split('\n').pop() ?? 'failed')}`,
      };
    const s = parseLoginctlShow(r.stdout);
    if (s.idleHint === undefined || !s.idleSinceHint || s.idleSinceHint === '0')
      return { why: 'logind IdleHint never set by this desktop' };
    if (!s.idleHint) return 0;
    const sinceMs = Number(BigInt(s.idleSinceHint) / 1000n);
    return Math.max(0, Date.now() - sinceMs);
  }

  // ---- power ----

  async powerSource(): Promise<Known<PowerSourceKind>> {
    return powerSourceFrom(await readSupplies(this.o.powerSupplyDir));
  }

  async battery(): Promise<BatteryInfo | null> {
    const [bat] = systemBatteries(await readSupplies(this.o.powerSupplyDir));
    return bat ? batteryFrom(bat.props) : null;
  }

  async displayState(): Promise<Known<'on' | 'off'>> {
    if (this.env.DBUS_SESSION_BUS_ADDRESS && Date.now() >= this.mutterDownUntil) {
      const mode = await this.mutterPowerSaveMode().catch(() => null);
      if (mode !== null) return mode === 0 ? 'on' : 'off';
    }
    if (this.env.DISPLAY) {
      try {
        this.x11 ??= new X11IdleConnection(this.env.DISPLAY, this.env.XAUTHORITY);
        const d = await this.x11.dpmsLevel();
        if (d?.enabled) return d.level === 0 ? 'on' : 'off';
      } catch {
        // fall through to sysfs
      }
    }
    const [bl] = await readBacklights(this.o.backlightDir);
    if (bl?.blPower !== undefined) return bl.blPower === 0 ? 'on' : 'off';
    return 'unknown';
  }

  // ---- settings ----

  private async gget(schema: string, key: string): Promise<number | boolean | string | null> {
    const r = await this.run(gsettingsGet(schema, key));
    if (r.notFound) throw new SluimerError(ErrorCode.Unsupported, 'gsettings is not installed');
    if (r.code !== 0) return null;
    return parseGsettingsValue(r.stdout);
  }

  private async gnomeTimeouts(): Promise<{
    sleepAc: number | null | undefined;
    sleepBat: number | null | undefined;
    idleDelay: number | null | undefined;
  }> {
    const sleep = async (src: 'ac' | 'battery') => {
      const t = await this.gget(POWER_SCHEMA, `sleep-inactive-${src}-timeout`);
      if (typeof t !== 'number') return undefined;
      const type = await this.gget(POWER_SCHEMA, `sleep-inactive-${src}-type`);
      return t === 0 || type === 'nothing' ? null : t;
    };
    const delay = await this.gget(SESSION_SCHEMA, 'idle-delay');
    return {
      sleepAc: await sleep('ac'),
      sleepBat: await sleep('battery'),
      idleDelay: typeof delay === 'number' ? (delay === 0 ? null : delay) : undefined,
    };
  }

  async readSettings(): Promise<PowerSettings> {
    let t: Awaited<ReturnType<LinuxAdapter['gnomeTimeouts']>> = {
      sleepAc: undefined,
      sleepBat: undefined,
      idleDelay: undefined,
    };
    try {
      t = await this.gnomeTimeouts();
    } catch {
      // no gsettings: timeouts stay unknown (undefined)
    }
    const settings: PowerSettings = {
      sleepAfterSec: {},
      displayOffAfterSec: {},
      brightnessPct: {},
    };
    if (t.sleepAc !== undefined) settings.sleepAfterSec.ac = t.sleepAc;
    if (t.sleepBat !== undefined) settings.sleepAfterSec.battery = t.sleepBat;
    // GNOME has one blank-screen delay for both power sources
    if (t.idleDelay !== undefined) settings.displayOffAfterSec = { ac: t.idleDelay, battery: t.idleDelay };
    const [bl] = await readBacklights(this.o.backlightDir);
    if (bl) {
      const src = await this.powerSource();
      if (src !== 'unknown') settings.brightnessPct[src] = percentOf(bl);
    }
    settings.schedule = await this.readSchedule();
    return settings;
  }

  private async readSchedule(): Promise<PowerSettings['schedule']> {
    try {
      const timer = await readFile(join(this.o.unitDir, `${UNIT}.timer`), 'utf8');
      const service = await readFile(join(this.o.unitDir, `${UNIT}.service`), 'utf8');
      const parsed = parseTimerUnits(timer, service);
      if (!parsed) return null;
      // it only "holds" when systemd runs the timer
      const r = await this.runner.run('systemctl', ['is-active', `${UNIT}.timer`], { env: this.env });
      return r.code === 0 && r.stdout.trim() === 'active' ? parsed : null;
    } catch {
      return null;
    }
  }

  // ---- blockers ----

  /**
   * logind's inhibitors (over the adapter's own system-bus connection, else busctl, else
   * `systemd-inhibit --list`) plus GNOME's session inhibitors. When logind's list cannot be read or
   * understood the blockers are unknown and this throws: a partial list would read as "nothing else
   * blocks".
   */
  async blockers(): Promise<Blocker[]> {
    // an unreadable list stays unknown for a while: asked at every idle report, three processes a
    // minute found the same missing bus again (issue 14's wake-ups)
    const down = this.logindBlockersDown;
    if (down && Date.now() < down.until) throw down.error;
    this.logindBlockersDown = null;
    const problems: string[] = [];
    let system: Inhibitor[] | null = null;
    try {
      system = await this.logindInhibitors();
    } catch (e) {
      problems.push(`logind ListInhibitors over D-Bus: ${(e as Error).message}`);
    }
    if (system === null) {
      const bus = await this.run(CMD.listInhibitors);
      if (bus.code === 0) {
        try {
          system = parseBusctlInhibitors(bus.stdout);
        } catch (e) {
          problems.push((e as Error).message);
        }
      } else problems.push(`busctl: ${(bus.stderr || bus.stdout).trim() || 'busctl missing'}`);
    }
    if (system === null) {
      const list = await this.run(CMD.inhibitList);
      if (list.code === 0) {
        try {
          system = parseInhibitors(list.stdout);
        } catch (e) {
          problems.push((e as Error).message);
        }
      } else problems.push(`systemd-inhibit: ${(list.stderr || list.stdout).trim() || 'not installed'}`);
    }
    const gnome = await this.gnomeInhibitors();
    if (gnome.error) problems.push(gnome.error);
    if (system === null) {
      const error = new SluimerError(
        ErrorCode.Unsupported,
        `logind's inhibitors not readable, the blockers are unknown: ${problems.join('; ')}`,
      );
      this.logindBlockersDown = { until: Date.now() + this.o.blockersRetryMs, error };
      throw error;
    }
    const out: Blocker[] = [];
    for (const i of system) {
      if (!mayBlockSleep(i) || i.pid === process.pid) continue;
      const { mode: _mode, ...b } = inhibitorToBlocker(i);
      out.push(b);
    }
    return [...out, ...(gnome.blockers ?? [])];
  }

  /** logind's ListInhibitors over the system bus: no process per idle report */
  private async logindInhibitors(): Promise<Inhibitor[]> {
    this.systemDbus ??= new DbusConnection(this.o.systemBusAddress);
    try {
      const reply = await this.systemDbus.call(
        'org.freedesktop.login1',
        '/org/freedesktop/login1',
        'org.freedesktop.login1.Manager',
        'ListInhibitors',
      );
      if (reply.signature !== 'a(ssssuu)')
        throw new Error(`unexpected reply signature ${reply.signature ?? '(none)'}`);
      return inhibitorsFromRows(readBody('a(ssssuu)', reply.body)[0]);
    } catch (e) {
      // a new connection at the next try (logind or the bus may have restarted)
      this.systemDbus?.close();
      this.systemDbus = null;
      throw e;
    }
  }

  /** GNOME session inhibitors (browsers, video players): flags 4 = suspend, 8 = idle. */
  private async gnomeInhibitors(): Promise<{ blockers: Blocker[] | null; error?: string }> {
    if (!this.env.DBUS_SESSION_BUS_ADDRESS) return { blockers: null, error: 'no session bus' };
    const down = this.gnomeBlockersDown;
    if (down && Date.now() < down.until) return { blockers: null, error: down.error };
    this.gnomeBlockersDown = null;
    let found: GnomeInhibitor[];
    try {
      found = this.dbusBroken ? await this.gnomeInhibitorsByGdbus() : await this.gnomeInhibitorsOverBus();
    } catch (e) {
      // not GNOME (or no SessionManager yet): asked again later, not at every idle report
      const error = `GNOME SessionManager: ${(e as Error).message.trim().split('\n')[0] ?? ''}`;
      this.gnomeBlockersDown = { until: Date.now() + this.o.blockersRetryMs, error };
      return { blockers: null, error };
    }
    const out: Blocker[] = [];
    for (const { appId, reason, flags } of found) {
      // flags unreadable: it may inhibit suspend or idle, so it is a possible blocker, not none
      const blocks =
        flags === null
          ? ['sleep', 'idle']
          : [...(flags & 4 ? ['sleep'] : []), ...(flags & 8 ? ['idle'] : [])];
      if (blocks.length === 0) continue;
      const b: Blocker = { name: (appId || 'unknown app').slice(0, 200), kind: 'process', blocks };
      if (reason) b.reason = reason.slice(0, 500);
      if (flags === null) b.possible = true;
      out.push(b);
    }
    return { blockers: out };
  }

  /** GNOME's inhibitors over the adapter's session-bus connection (no gdbus processes) */
  private async gnomeInhibitorsOverBus(): Promise<GnomeInhibitor[]> {
    this.dbus ??= new DbusConnection(this.env.DBUS_SESSION_BUS_ADDRESS);
    const bus = this.dbus;
    const dest = 'org.gnome.SessionManager';
    let list: Awaited<ReturnType<DbusConnection['call']>>;
    try {
      list = await bus.call(dest, '/org/gnome/SessionManager', dest, 'GetInhibitors');
    } catch (e) {
      const msg = (e as Error).message;
      // no D-Bus error reply: the connection itself failed, so gdbus from now on (as for Mutter)
      if (!/^org\.freedesktop\.DBus\.Error|^[A-Za-z]+\.[A-Za-z.]+Error/.test(msg)) {
        bus.close();
        this.dbus = null;
        this.dbusBroken = true;
        return this.gnomeInhibitorsByGdbus();
      }
      throw e;
    }
    if (list.signature !== 'ao') throw new Error(`unexpected reply signature ${list.signature ?? '(none)'}`);
    const paths = readBody('ao', list.body)[0] as string[];
    const out: GnomeInhibitor[] = [];
    for (const path of paths.slice(0, 50)) {
      const get = async (method: string, signature: 's' | 'u') => {
        const r = await bus.call(dest, path, `${dest}.Inhibitor`, method).catch(() => null);
        return r?.signature === signature ? readBody(signature, r.body)[0] : null;
      };
      const appId = await get('GetAppId', 's');
      const reason = await get('GetReason', 's');
      const flags = await get('GetFlags', 'u');
      out.push({
        appId: typeof appId === 'string' ? appId : '',
        reason: typeof reason === 'string' ? reason : '',
        flags: typeof flags === 'number' ? flags : null,
      });
    }
    return out;
  }

  /** the same through `gdbus` processes, where the adapter's own connection cannot be made */
  private async gnomeInhibitorsByGdbus(): Promise<GnomeInhibitor[]> {
    const r = await this.run(CMD.gnomeInhibitors);
    if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] ?? 'gdbus failed');
    const paths = [...r.stdout.matchAll(/'(\/org\/gnome\/SessionManager\/Inhibitor\d+)'/g)].map((m) => m[1]!);
    const out: GnomeInhibitor[] = [];
    for (const path of paths.slice(0, 50)) {
      const call = async (method: string) => {
        const x = await this.runner.run(
          'gdbus',
          [
            'call',
            '--session',
            '--dest',
            'org.gnome.SessionManager',
            '--object-path',
            path,
            '--method',
            `org.gnome.SessionManager.Inhibitor.${method}`,
          ],
          { env: this.env },
        );
        return x.code === 0 ? x.stdout.trim() : '';
      };
      const appId = /\('(.*)',\)/.exec(await call('GetAppId'))?.[1] ?? '';
      const reason = /\('(.*)',\)/.exec(await call('GetReason'))?.[1] ?? '';
      out.push({ appId, reason, flags: parseDbusUint(await call('GetFlags')) });
    }
    return out;
  }

  // ---- inventory ----

  inventory(): Promise<Inventory> {
    this.inventoryCache ??= (async () => {
      const inv: Inventory = { os: 'linux' };
      const read = async (f: string) => {
        try {
          return (await readFile(f, 'utf8')).trim();
        } catch {
          return '';
        }
      };
      const osr = parseKeyValues(await read(this.o.osRelease));
      const pretty = osr.get('PRETTY_NAME');
      if (pretty) inv.osVersion = pretty.slice(0, 100);
      // chassis, maker and model (DMI) come from systeminformation (service/hardware-reader.ts)
      // present or not; capacities and cycles come from systeminformation (service/hardware-reader.ts)
      inv.battery = { hasBattery: (await this.battery()) !== null };
      const bls = await readBacklights(this.o.backlightDir);
      if (bls.length > 0) inv.displays = [{ internal: true }];
      return inv;
    })();
    return this.inventoryCache;
  }

  // ---- enforce ----

  async apply(target: SettingsTarget, mode: 'policy' | 'restore'): Promise<ApplyOutcome> {
    const { allowed, errors } = checkTarget(target, mode);
    const setKey = async (schema: string, key: string, value: number | string, setting: string) => {
      const w = await this.run(gsettingsWritable(schema, key));
      if (w.notFound) {
        errors.push({ setting, code: ErrorCode.Unsupported, message: 'gsettings is not installed' });
        return;
      }
      if (w.code === 0 && w.stdout.trim() === 'false') {
        errors.push({
          setting,
          code: ErrorCode.OverriddenByPolicy,
          message: `${schema} ${key} is locked by the dconf system database (/etc/dconf/db/*/locks); change it there as root`,
        });
        return;
      }
      const r = await this.run(gsettingsSet(schema, key, String(value)));
      if (r.code !== 0)
        errors.push({
          setting,
          code: ErrorCode.CommandFailed,
          message: `gsettings set ${schema} ${key} failed: ${r.stderr.trim().slice(0, 200)}`,
        });
    };
    for (const s of ['ac', 'battery'] as const) {
      const v = allowed.sleepAfterSec?.[s];
      if (v === undefined) continue;
      await setKey(POWER_SCHEMA, `sleep-inactive-${s}-timeout`, v ?? 0, `sleepAfterSec.${s}`);
      if (v !== null && mode === 'policy') {
        const type = await this.gget(POWER_SCHEMA, `sleep-inactive-${s}-type`).catch(() => null);
        if (type === 'nothing')
          await setKey(POWER_SCHEMA, `sleep-inactive-${s}-type`, 'suspend', `sleepAfterSec.${s}`);
      }
    }
    const disp = allowed.displayOffAfterSec;
    if (disp) {
      // GNOME keeps one delay for both sources: written when the target gives one value for both
      // (the core's choice, `oneValue`), refused when it gives two
      if ('ac' in disp && 'battery' in disp && disp.ac === disp.battery)
        await setKey(SESSION_SCHEMA, 'idle-delay', disp.ac ?? 0, 'displayOffAfterSec');
      else
        errors.push({
          setting: 'displayOffAfterSec',
          code: ErrorCode.Unsupported,
          message: `GNOME has one display-off delay (idle-delay) for both power sources: got ac ${disp.ac ?? 'never'}, battery ${disp.battery ?? 'never'}; not written`,
        });
    }
    const cap = allowed.brightnessPct;
    if (cap) await this.checkBacklight(errors);
    if (allowed.schedule !== undefined) await this.applySchedule(allowed.schedule, errors);

    const applied = await this.readSettings();
    for (const key of ['sleepAfterSec', 'displayOffAfterSec'] as const) {
      for (const s of ['ac', 'battery'] as const) {
        const want = allowed[key]?.[s];
        if (want === undefined) continue;
        if (errors.some((e) => e.setting.startsWith(key))) continue;
        const got = applied[key][s];
        if (got === want) continue;
        errors.push({
          setting: `${key}.${s}`,
          code: ErrorCode.OverriddenByPolicy,
          message: `read back ${got ?? 'never'} after writing ${want ?? 'never'}`,
        });
      }
    }
    return { applied, errors };
  }

  /** A brightness cap needs a panel; the value it should show is the core's (`setPanelPct`). */
  private async checkBacklight(errors: ApplyOutcome['errors']): Promise<void> {
    const [bl] = await readBacklights(this.o.backlightDir);
    if (bl) return;
    errors.push({
      setting: 'brightnessPct',
      code: ErrorCode.Unsupported,
      message: 'no backlight in /sys/class/backlight (desktop monitor): brightness cap not applicable',
    });
  }

  async panelPct(): Promise<number | null> {
    const [bl] = await readBacklights(this.o.backlightDir);
    return bl ? percentOf(bl) : null;
  }

  /** sysfs where writable (root or a udev rule), else logind's SetBrightness for the session. */
  async setPanelPct(pct: number): Promise<void> {
    const [bl] = await readBacklights(this.o.backlightDir);
    if (!bl)
      throw new SluimerError(ErrorCode.Unsupported, 'no backlight in /sys/class/backlight (desktop monitor)');
    const raw = rawFor(bl, pct);
    try {
      await writeBrightness(this.o.backlightDir, bl.name, raw);
      return;
    } catch {
      // not root and no udev rule: ask logind for the session instead
    }
    const r = await this.run(logindSetBrightness(bl.name, raw));
    if (r.code !== 0)
      throw new SluimerError(
        ErrorCode.NeedsAdmin,
        `cannot write ${bl.name}: sysfs needs root and logind SetBrightness failed (${r.stderr.trim().slice(0, 150)})`,
      );
  }

  private async applySchedule(s: SettingsTarget['schedule'], errors: ApplyOutcome['errors']): Promise<void> {
    const hasSystemd = await access(this.o.systemdRunDir).then(
      () => true,
      () => false,
    );
    if (!hasSystemd) {
      // without systemd there is no timer of ours to remove: "no schedule" already holds
      if (s === null || s === undefined) return;
      errors.push({
        setting: 'schedule',
        code: ErrorCode.Unsupported,
        message: 'systemd is not running (no /run/systemd/system): no timers',
      });
      return;
    }
    try {
      if (s === null || s === undefined) {
        await this.runner.run('systemctl', ['disable', '--now', `${UNIT}.timer`], { env: this.env });
        return;
      }
      await mkdir(this.o.unitDir, { recursive: true });
      await writeFile(join(this.o.unitDir, `${UNIT}.service`), serviceUnit(s));
      await writeFile(join(this.o.unitDir, `${UNIT}.timer`), timerUnit(s));
    } catch (e) {
      errors.push({
        setting: 'schedule',
        code: ErrorCode.NeedsAdmin,
        message: `cannot write units in ${this.o.unitDir}: ${(e as Error).message}`,
      });
      return;
    }
    const reload = await this.runner.run('systemctl', ['daemon-reload'], { env: this.env });
    const enable = await this.runner.run('systemctl', ['enable', '--now', `${UNIT}.timer`], {
      env: this.env,
    });
    if (reload.code !== 0 || enable.code !== 0)
      errors.push({
        setting: 'schedule',
        code: ErrorCode.NeedsAdmin,
        message: `systemctl could not start ${UNIT}.timer: ${(enable.stderr || reload.stderr).trim().slice(0, 200)}`,
      });
  }

  async sleepNow(): Promise<void> {
    const r = await this.run(CMD.suspend);
    if (r.code !== 0)
      throw new SluimerError(
        ErrorCode.CommandFailed,
        `systemctl suspend failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`,
      );
  }

  // ---- doctor ----

  async capabilities(): Promise<Capability[]> {
    const caps: Capability[] = [];
    const idle = await this.idleMs();
    caps.push(
      idle === 'unknown'
        ? { id: 'idle-time', status: 'unsupported', detail: this.lastIdleError || 'no idle source' }
        : {
            id: 'idle-time',
            status: 'readable',
            detail: {
              mutter: 'Mutter IdleMonitor over one persistent session-bus connection',
              x11: 'X11 MIT-SCREEN-SAVER over one persistent connection',
              xprintidle: 'xprintidle (one process per sample)',
              logind: 'logind IdleHint/IdleSinceHint (coarse: only what the desktop reports)',
              none: '',
            }[this.lastIdleSource],
          },
    );
    const supplies = await readSupplies(this.o.powerSupplyDir);
    caps.push({
      id: 'power-source',
      status: 'readable',
      detail: supplies.length
        ? `${this.o.powerSupplyDir}: ${supplies.map((s) => `${s.name}(${s.type})`).join(', ')}`
        : `${this.o.powerSupplyDir} is empty: no battery, treated as mains`,
    });
    const bat = systemBatteries(supplies);
    caps.push({
      id: 'battery',
      status: bat.length ? 'readable' : 'unsupported',
      detail: bat.length ? `${bat[0]!.name}/uevent` : 'no system battery',
    });
    const disp = await this.displayState();
    caps.push({
      id: 'display-state',
      status: disp === 'unknown' ? 'unsupported' : 'readable',
      detail:
        disp === 'unknown'
          ? 'no Mutter DisplayConfig, no X11 DPMS, no backlight bl_power'
          : `now ${disp} (Mutter PowerSaveMode / X11 DPMS / bl_power)`,
    });
    for (const [id, schema, key] of [
      ['sleep-timeout', POWER_SCHEMA, 'sleep-inactive-ac-timeout'],
      ['display-timeout', SESSION_SCHEMA, 'idle-delay'],
    ] as const) {
      const g = await this.run(gsettingsGet(schema, key));
      if (g.notFound || g.code !== 0) {
        caps.push({
          id,
          status: 'unsupported',
          detail: g.notFound
            ? 'gsettings not installed'
            : `gsettings get ${schema} ${key}: ${g.stderr.trim().split('\n')[0]}`,
        });
        continue;
      }
      const w = await this.run(gsettingsWritable(schema, key));
      const writable = w.code === 0 && w.stdout.trim() === 'true';
      const persistent =
        this.env.GSETTINGS_BACKEND !== 'memory' && Boolean(this.env.DBUS_SESSION_BUS_ADDRESS);
      caps.push({
        id,
        status: writable && persistent ? 'enforceable' : writable ? 'readable' : 'needs-admin',
        detail: !writable
          ? `${schema} ${key} is locked (dconf system database): root must change it`
          : persistent
            ? `gsettings ${schema} ${key} in the user's dconf (seconds)`
            : 'no session bus: gsettings would only write to memory',
      });
    }
    const bls = await readBacklights(this.o.backlightDir);
    if (!bls.length)
      caps.push({
        id: 'brightness',
        status: 'unsupported',
        detail: `no device in ${this.o.backlightDir} (desktop monitor)`,
      });
    else {
      const bl = bls[0]!;
      const canWrite = await access(join(this.o.backlightDir, bl.name, 'brightness'), constants.W_OK).then(
        () => true,
        () => false,
      );
      caps.push({
        id: 'brightness',
        status: canWrite ? 'enforceable' : 'needs-admin',
        detail: canWrite
          ? `${bl.name} (${bl.type}) via sysfs, now ${percentOf(bl)} %`
          : `${bl.name} (${bl.type}): sysfs needs root; logind SetBrightness from inside the session`,
      });
    }
    try {
      await this.blockers();
      caps.push({
        id: 'blockers',
        status: 'readable',
        detail: 'logind inhibitors + GNOME session inhibitors',
      });
    } catch (e) {
      caps.push({ id: 'blockers', status: 'unsupported', detail: (e as Error).message.slice(0, 300) });
    }
    const hasSystemd = await access(this.o.systemdRunDir).then(
      () => true,
      () => false,
    );
    caps.push({
      id: 'schedule',
      status: !hasSystemd ? 'unsupported' : this.o.uid === 0 ? 'enforceable' : 'needs-admin',
      detail: !hasSystemd
        ? 'systemd is not PID 1 here: no timers'
        : `systemd timer ${UNIT}.timer in ${this.o.unitDir}`,
    });
    const can = await this.runner.run(
      'busctl',
      [
        '--system',
        'call',
        'org.freedesktop.login1',
        '/org/freedesktop/login1',
        'org.freedesktop.login1.Manager',
        'CanSuspend',
      ],
      { env: this.env },
    );
    const answer = /"(\w[\w-]*)"/.exec(can.stdout)?.[1];
    caps.push({
      id: 'sleep-now',
      status:
        can.code !== 0
          ? 'unsupported'
          : answer === 'yes'
            ? 'enforceable'
            : answer === 'challenge'
              ? 'needs-admin'
              : 'unsupported',
      detail:
        can.code !== 0
          ? `logind not reachable: ${(can.stderr || '').trim().split('\n')[0]}`
          : `logind CanSuspend = ${answer}`,
    });
    return caps;
  }

  onEvent(listener: (event: PowerEvent) => void): () => void {
    // power-source changes: sysfs is read when UPower says something changed (at once). Without
    // UPower on the system bus it is polled every `powerPollMs`, and only when there is a battery: a
    // device without one cannot switch, so it is never woken for this.
    let last: Known<PowerSourceKind> | null = null;
    let reading: Promise<void> | null = null;
    let stopped = false;
    const tick = (): Promise<void> => {
      reading ??= (async () => {
        const now = await this.powerSource().catch(() => 'unknown' as const);
        if (last !== null && now !== last && now !== 'unknown' && !stopped)
          listener({ type: 'power-source', source: now, at: Date.now() });
        last = now;
      })().finally(() => {
        reading = null;
      });
      return reading;
    };
    let poll: NodeJS.Timeout | null = null;
    let upower = false;
    const decidePolling = async () => {
      const batteries = systemBatteries(await readSupplies(this.o.powerSupplyDir).catch(() => []));
      if (stopped || upower || poll || batteries.length === 0) return;
      poll = setInterval(() => void tick(), this.o.powerPollMs);
      poll.unref();
    };
    void tick().then(decidePolling);
    // suspend/resume from logind's PrepareForSleep(b) on the system bus, where there is one; the core
    // also sees a sleep as the wall clock jumping ahead of the monotonic clock
    let bus: DbusConnection | null = new DbusConnection(this.o.systemBusAddress);
    bus.onSignal = (m) => {
      if (m.member === 'PropertiesChanged' && m.path?.startsWith('/org/freedesktop/UPower')) {
        // OnBattery or a line-power device changed; sysfs is the truth that is read, once now and once
        // a second later (a battery's status can follow its adapter's `online` a moment late)
        void tick().then(() => setTimeout(() => void tick(), 1_000).unref());
        return;
      }
      if (m.member !== 'PrepareForSleep' || m.signature !== 'b' || m.body.length < 4) return;
      listener({ type: m.body.readUInt32LE(0) === 1 ? 'suspend' : 'resume', at: Date.now() });
    };
    bus
      .addMatch("type='signal',interface='org.freedesktop.login1.Manager',member='PrepareForSleep'")
      .then(() =>
        bus?.addMatch(
          "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/freedesktop/UPower'",
        ),
      )
      .then(() =>
        bus?.call(
          'org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus',
          'NameHasOwner',
          body('s', ['org.freedesktop.UPower']),
        ),
      )
      .then((reply) => {
        // UPower runs: its signal is the event, the poll is not needed
        if (reply && reply.body.length >= 4 && reply.body.readUInt32LE(0) === 1) {
          upower = true;
          if (poll) clearInterval(poll);
          poll = null;
        }
      })
      .catch(() => {
        bus?.close();
        bus = null;
      });
    return () => {
      stopped = true;
      if (poll) clearInterval(poll);
      bus?.close();
      bus = null;
    };
  }

  async close(): Promise<void> {
    this.dbus?.close();
    this.dbus = null;
    this.systemDbus?.close();
    this.systemDbus = null;
    this.x11?.close();
    this.x11 = null;
  }
}
