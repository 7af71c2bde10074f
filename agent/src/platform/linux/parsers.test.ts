import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CMD, gsettingsSet, logindSetBrightness, POWER_SCHEMA } from './adapter.js';
import {
  methodCall,
  methodReturn,
  parseBusAddress,
  parseMessage,
  replyNumber,
  uint64Body,
} from './dbus-client.js';
import {
  parseBusctlInhibitors,
  parseDbusUint,
  parseGsettingsValue,
  parseInhibitList,
  parseLoginctlShow,
  parseUevent,
  parseXsetQ,
} from './parsers.js';
import { batteryFrom, powerSourceFrom } from './sysfs.js';
import { onCalendar, parseTimerUnits, serviceUnit, timerUnit } from './systemd-timer.js';
import {
  parseDisplay,
  parseXauthority,
  pickCookie,
  queryExtensionRequest,
  setupRequest,
} from './x11-idle.js';

const shared = (f: string) =>
  readFileSync(new URL(`../../../fixtures/captured/linux/${f}`, import.meta.url), 'utf8');
const local = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const variants = (t: string) => [t, t.replace(/\n/g, '\r\n'), t.replace(/\n/g, '  \n')];

describe('systemd-inhibit --list', () => {
  for (const text of variants(shared('linux-systemd-inhibit-list-gnome.txt')))
    it('finds the one sleep blocker on the Fedora capture; lid-switch blocks and delays are not blockers', () => {
      const r = parseInhibitList(text);
      expect(r.blockers).toEqual([
        {
          name: 'prevent-sleep',
          kind: 'process',
          blocks: ['sleep'],
          reason: "SSH: 2 active clients [(3567, 'john'), (4007, 'jane')]",
          mode: 'block',
        },
      ]);
      expect(r.inhibitors).toHaveLength(6);
      expect(r.inhibitors.filter((i) => i.mode === 'delay')).toHaveLength(4);
    });
  it('reads WHO with spaces, WHAT lists, WHY with quotes, block-weak and a trailing space in the header', () => {
    const r = parseInhibitList(local('inhibit-list-ubuntu-wide.txt'));
    expect(r.inhibitors).toHaveLength(8);
    expect(r.inhibitors[2]).toMatchObject({
      name: 'Unattended Upgrades Shutdown',
      blocks: ['shutdown'],
      mode: 'delay',
    });
    expect(r.inhibitors[4]?.blocks).toEqual([
      'handle-power-key',
      'handle-suspend-key',
      'handle-hibernate-key',
    ]);
    expect(r.blockers).toEqual([
      { name: 'Firefox', kind: 'process', blocks: ['idle'], reason: 'audio-playing', mode: 'block' },
      {
        name: 'Backup',
        kind: 'process',
        blocks: ['sleep', 'idle'],
        reason: 'Nightly backup "school-share" (42%)',
        mode: 'block',
      },
    ]);
  });
  it('survives a row wider than its columns and a header with columns in another order', () => {
    const shifted = [
      'WHO   UID USER PID  COMM  WHAT   WHY        MODE',
      'Very Long Who Name 1000 leraar 4242 vlc sleep:idle Playing a film block',
      'short 0   root 1    x     sleep  ok         delay',
    ].join('\n');
    expect(parseInhibitList(shifted).blockers).toEqual([
      {
        name: 'Very Long Who Name',
        kind: 'process',
        blocks: ['sleep', 'idle'],
        reason: 'Playing a film',
        mode: 'block',
      },
    ]);
    const row = (c: string[]) => c.map((x, i) => x.padEnd([7, 9, 15, 6, 5, 4][i]!)).join('');
    const reordered = [
      row(['WHAT', 'WHO', 'WHY', 'MODE', 'UID', 'PID']),
      row(['idle', 'Firefox', 'audio-playing', 'block', '1000', '77']),
    ].join('\r\n');
    expect(parseInhibitList(reordered).blockers).toEqual([
      { name: 'Firefox', kind: 'process', blocks: ['idle'], reason: 'audio-playing', mode: 'block' },
    ]);
  });
  it('accepts the older one-record-per-inhibitor format', () => {
    expect(parseInhibitList(local('inhibit-list-old-records.txt')).blockers).toEqual([
      {
        name: 'Totem Movie Player',
        kind: 'process',
        blocks: ['idle', 'sleep'],
        reason: 'Playing a film',
        mode: 'block',
      },
    ]);
  });
  it('accepts --json output and "No inhibitors."', () => {
    const json = JSON.stringify([
      { who: 'x', uid: 0, user: 'root', pid: 1, comm: 'x', what: 'sleep', why: 'y', mode: 'block' },
    ]);
    expect(parseInhibitList(json).blockers).toHaveLength(1);
    expect(parseInhibitList(local('inhibit-list-none.txt'))).toEqual({ blockers: [], inhibitors: [] });
  });
  it('reports every sleep or idle inhibitor as a possible blocker when the MODE column is cut off, never "none"', () => {
    const possible = (name: string, blocks: string[], reason: string) => ({
      name,
      kind: 'process',
      blocks,
      reason,
      mode: 'unknown',
      possible: true,
    });
    expect(parseInhibitList(local('inhibit-list-no-mode-column.txt')).blockers).toEqual([
      possible('NetworkManager', ['sleep'], 'NetworkManager needs to turn off networks'),
      possible('UPower', ['sleep'], 'Pause device polling'),
      possible('GNOME Shell', ['sleep'], 'GNOME needs to lock the screen'),
      possible('Firefox', ['idle'], 'audio-playing'),
      possible('Backup', ['sleep', 'idle'], 'Nightly backup "school-share" (42%)'),
    ]);
    // cut at 100 columns (a pager): WHY and MODE gone
    const cut = parseInhibitList(local('inhibit-list-cut-at-100.txt'));
    expect(cut.blockers.map((b) => [b.name, b.possible])).toEqual([
      ['NetworkManager', true],
      ['UPower', true],
      ['GNOME Shell', true],
      ['Firefox', true],
      ['Backup', true],
    ]);
    expect(cut.inhibitors).toHaveLength(8);
  });
  it('says it cannot tell (parse_failed) for text that is not a list, unreadable rows or missing rows', () => {
    const fails = (t: string) => {
      try {
        parseInhibitList(t);
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'parsed';
    };
    expect(fails('Failed to connect to bus: No such file or directory\n')).toBe('parse_failed');
    expect(fails('')).toBe('parse_failed');
    expect(fails('[{"who": "x", "mo')).toBe('parse_failed');
    // a pager showed only the first rows: the footer counts more
    const wide = local('inhibit-list-ubuntu-wide.txt').split('\n');
    expect(fails([...wide.slice(0, 4), '', '8 inhibitors listed.'].join('\n'))).toBe('parse_failed');
    expect(fails(`${wide[0]}\n%%%%\n`)).toBe('parse_failed');
    expect(() => parseBusctlInhibitors('Call failed: Access denied')).toThrow(/unknown/);
    expect(() => parseBusctlInhibitors('a(ssssuu) 2 "sleep" "x" "y" "block" 0 1')).toThrow(/unknown/);
    // an honest empty list stays empty
    expect(fails('No inhibitors.\n')).toBe('parsed');
    expect(fails('WHO UID USER PID COMM WHAT WHY MODE\n\n0 inhibitors listed.\n')).toBe('parsed');
  });
  it('reads logind ListInhibitors from busctl, with escaped quotes', () => {
    const all = parseBusctlInhibitors(local('busctl-list-inhibitors.txt'));
    expect(all).toHaveLength(3);
    expect(all[1]).toEqual({
      what: ['sleep', 'idle'],
      who: 'Video "Les 3" player',
      why: 'Playing "Les 3"',
      mode: 'block',
      uid: 1000,
      pid: 4242,
    });
  });
});

describe('small Linux outputs', () => {
  it('reads gsettings values of every shape', () => {
    expect(parseGsettingsValue(shared('linux-gsettings-get-idle-delay.txt'))).toBe(300);
    expect(parseGsettingsValue(shared('linux-gsettings-get-lock-enabled.txt'))).toBe(true);
    expect(parseGsettingsValue('1200\r\n')).toBe(1200);
    expect(parseGsettingsValue("'suspend'\n")).toBe('suspend');
  });
  it('reads D-Bus integers from gdbus, dbus-send and busctl', () => {
    expect(parseDbusUint('(uint64 123456,)\n')).toBe(123456);
    expect(parseDbusUint('   uint64 42\n')).toBe(42);
    expect(parseDbusUint('t 7\n')).toBe(7);
  });
  it('tells a session from the Manager in loginctl output and keeps big numbers as text', () => {
    const s = parseLoginctlShow(shared('linux-loginctl-show-session-deepin.txt'));
    expect(s).toEqual({
      isSession: true,
      idleHint: false,
      idleSinceHint: '0',
      lockedHint: false,
      active: false,
      type: 'x11',
    });
    expect(parseLoginctlShow('IdleHint=yes\nRebootToBootLoaderMenu=18446744073709551615\n').isSession).toBe(
      false,
    );
  });
  it('reads xset q timeouts and DPMS state', () => {
    expect(parseXsetQ(shared('linux-xset-q.txt'))).toEqual({
      screenSaverTimeoutSec: 600,
      dpms: { standbySec: 600, suspendSec: 600, offSec: 600 },
      dpmsEnabled: true,
      monitor: 'on',
    });
  });
  it('reads the live battery from a uevent, leading spaces trimmed', () => {
    const props = parseUevent(shared('linux-power-supply-bat0-uevent.txt'));
    expect(props.get('SERIAL_NUMBER')).toBe('2958');
    expect(batteryFrom(props)).toEqual({
      hasBattery: true,
      percent: 98,
      charging: true,
    });
  });
  it('decides AC/battery by supply type, not name, and cross-checks the battery status', () => {
    const sup = (name: string, type: string, props: Record<string, string>) => ({
      name,
      type,
      props: new Map(Object.entries(props)),
    });
    expect(
      powerSourceFrom([sup('ACAD', 'Mains', { ONLINE: '1' }), sup('BAT1', 'Battery', { STATUS: 'Full' })]),
    ).toBe('ac');
    // a stale adapter that never updates "online": the battery discharging wins
    expect(
      powerSourceFrom([
        sup('ADP0', 'Mains', { ONLINE: '1' }),
        sup('BAT0', 'Battery', { STATUS: 'Discharging' }),
      ]),
    ).toBe('battery');
    expect(
      powerSourceFrom([sup('ADP1', 'Mains', { ONLINE: '0' }), sup('BAT0', 'Battery', { STATUS: 'Unknown' })]),
    ).toBe('battery');
    // a wireless mouse battery does not make a desktop a laptop
    expect(
      powerSourceFrom([sup('hidpp_battery_0', 'Battery', { SCOPE: 'Device', STATUS: 'Discharging' })]),
    ).toBe('ac');
    expect(powerSourceFrom([])).toBe('ac');
  });
});

describe('Linux command construction', () => {
  it('asks Mutter for idle time on the session bus and logind for inhibitors on the system bus', () => {
    expect(CMD.mutterIdle[1]).toEqual([
      'call',
      '--session',
      '--dest',
      'org.gnome.Mutter.IdleMonitor',
      '--object-path',
      '/org/gnome/Mutter/IdleMonitor/Core',
      '--method',
      'org.gnome.Mutter.IdleMonitor.GetIdletime',
    ]);
    expect(CMD.inhibitList[1]).toContain('--no-pager');
    expect(CMD.listInhibitors[1].slice(0, 2)).toEqual(['--system', 'call']);
  });
  it('writes gsettings and logind brightness as separate arguments', () => {
    expect(gsettingsSet(POWER_SCHEMA, 'sleep-inactive-ac-timeout', '1800')).toEqual([
      'gsettings',
      ['set', 'org.gnome.settings-daemon.plugins.power', 'sleep-inactive-ac-timeout', '1800'],
    ]);
    expect(logindSetBrightness('intel_backlight', 9600)[1].slice(-4)).toEqual([
      'ssu',
      'backlight',
      'intel_backlight',
      '9600',
    ]);
  });
  it('writes a systemd timer for the scheduled action and reads it back', () => {
    const s = { action: 'sleep' as const, at: '18:30', weekdays: [0, 1, 2, 3, 4] };
    expect(onCalendar(s)).toBe('Mon,Tue,Wed,Thu,Fri *-*-* 18:30:00');
    expect(serviceUnit(s)).toContain('ExecStart=/usr/bin/systemctl suspend');
    expect(parseTimerUnits(timerUnit(s), serviceUnit(s))).toEqual(s);
    expect(
      parseTimerUnits('[Timer]\nOnCalendar=Mon..Fri *-*-* 07:00\n', 'ExecStart=/usr/bin/systemctl poweroff'),
    ).toEqual({
      action: 'shutdown',
      at: '07:00',
      weekdays: [0, 1, 2, 3, 4],
    });
  });
});

describe('D-Bus wire protocol pieces', () => {
  it('finds the unix socket in a bus address', () => {
    expect(parseBusAddress('unix:path=/run/user/1000/bus')).toBe('/run/user/1000/bus');
    expect(parseBusAddress('tcp:host=x,port=1;unix:abstract=/tmp/dbus-AbC,guid=42')).toBe('\0/tmp/dbus-AbC');
    expect(parseBusAddress('unix:path=/tmp/a%20b,guid=1')).toBe('/tmp/a b');
    expect(parseBusAddress(undefined)).toBeNull();
  });
  it('marshals a method call that parses back with its fields, padded to 8 bytes', () => {
    const buf = methodCall(
      7,
      'org.gnome.Mutter.IdleMonitor',
      '/org/gnome/Mutter/IdleMonitor/Core',
      'org.gnome.Mutter.IdleMonitor',
      'GetIdletime',
    );
    expect(buf.length % 8).toBe(0);
    const parsed = parseMessage(buf);
    expect(parsed?.size).toBe(buf.length);
    expect(parsed?.msg).toMatchObject({
      type: 1,
      serial: 7,
      path: '/org/gnome/Mutter/IdleMonitor/Core',
      member: 'GetIdletime',
    });
    expect(parseMessage(buf.subarray(0, buf.length - 1))).toBeNull();
    const reply = parseMessage(methodReturn(9, 7, ':1.5', uint64Body(123456789012)))!.msg;
    expect(reply).toMatchObject({ type: 2, replySerial: 7, signature: 't' });
    expect(replyNumber(reply)).toBe(123456789012);
  });
});

describe('X11 wire protocol pieces', () => {
  it('parses DISPLAY values', () => {
    expect(parseDisplay(':0')).toEqual({ display: 0, screen: 0, socketPath: '/tmp/.X11-unix/X0' });
    expect(parseDisplay(':12.1')).toEqual({ display: 12, screen: 1, socketPath: '/tmp/.X11-unix/X12' });
    expect(parseDisplay('localhost:10.0')).toEqual({ display: 10, screen: 0, host: 'localhost' });
    expect(parseDisplay('')).toBeNull();
  });
  it('reads an Xauthority file and picks the cookie for the display', () => {
    const field = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
    const entry = (family: number, addr: string, num: string, cookie: number) =>
      Buffer.concat([
        Buffer.from([family >> 8, family & 255]),
        field(Buffer.from(addr)),
        field(Buffer.from(num)),
        field(Buffer.from('MIT-MAGIC-COOKIE-1')),
        field(Buffer.alloc(16, cookie)),
      ]);
    const file = Buffer.concat([entry(256, 'lab-pc-07', '1', 1), entry(256, 'lab-pc-07', '0', 2)]);
    const all = parseXauthority(file);
    expect(all).toHaveLength(2);
    expect(pickCookie(all, 0, 'lab-pc-07')?.data[0]).toBe(2);
  });
  it('builds the setup and QueryExtension requests little-endian and padded', () => {
    const s = setupRequest('MIT-MAGIC-COOKIE-1', Buffer.alloc(16, 7));
    expect(s.subarray(0, 1).toString()).toBe('l');
    expect(s.readUInt16LE(2)).toBe(11);
    expect(s.length).toBe(12 + 20 + 16);
    const q = queryExtensionRequest('MIT-SCREEN-SAVER');
    expect(q[0]).toBe(98);
    expect(q.readUInt16LE(2) * 4).toBe(q.length);
  });
});
