import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adapterContract } from '../contract/suite.js';
import { fakeRunner } from '../fake-runner.js';
import type { CommandRunner } from '../runner.js';
import { CMD, MacosAdapter, pmsetSetArgs } from './adapter.js';
import {
  parseHidIdleTimeMs,
  parsePmsetAssertions,
  parsePmsetBatt,
  parsePmsetSched,
  parsePmsetSections,
  pmsetRepeatArgs,
  summarizePmsetCustom,
} from './pmset.js';

const shared = (f: string) =>
  readFileSync(new URL(`../../../fixtures/captured/macos/${f}`, import.meta.url), 'utf8');
const local = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const crlf = (t: string) => t.replace(/\n/g, '\r\n');

describe('pmset -g custom', () => {
  it('reads minutes as seconds per power source, 0 = never, keys in any order', () => {
    for (const text of [
      shared('macos-pmset-g-custom-macbook.txt'),
      crlf(shared('macos-pmset-g-custom-macbook.txt')),
    ])
      expect(summarizePmsetCustom(text)).toEqual({
        sleepAfterSec: { ac: 0, battery: 60 },
        displayOffAfterSec: { ac: 1800, battery: 120 },
      });
  });
  it('handles a desktop (AC only), lost indentation and trailing spaces', () => {
    expect(summarizePmsetCustom(local('pmset-custom-desktop-noindent.txt'))).toEqual({
      sleepAfterSec: { ac: 1200, battery: null },
      displayOffAfterSec: { ac: 900, battery: null },
    });
  });
  it('does not trust indentation of headers either', () => {
    const text =
      '  Battery Power:\n   sleep 5\n   displaysleep 2\n  AC Power:\n   sleep 0\n   displaysleep 10\n';
    expect(summarizePmsetCustom(text)).toEqual({
      sleepAfterSec: { ac: 0, battery: 300 },
      displayOffAfterSec: { ac: 600, battery: 120 },
    });
  });
  it('reads live `pmset -g` with annotations and keys that contain spaces', () => {
    const s = parsePmsetSections(local('pmset-g-live.txt'));
    const inUse = s.get('Currently in use')!;
    expect(inUse.get('sleep')).toEqual({
      value: '0',
      note: 'sleep prevented by coreaudiod, powerd, Google Chrome Helper (Renderer)',
    });
    expect(inUse.get('Sleep On Power Button')?.value).toBe('1');
    expect(inUse.get('hibernatefile')?.value).toBe('/var/vm/sleepimage');
    expect(s.get('System-wide power settings')?.get('SleepDisabled')?.value).toBe('0');
  });
});

describe('pmset -g assertions', () => {
  it('finds caffeinate and leaves out powerd and UserIsActive', () => {
    for (const text of [
      shared('macos-pmset-g-assertions-2025.txt'),
      crlf(shared('macos-pmset-g-assertions-2025.txt')),
    ])
      expect(parsePmsetAssertions(text)).toEqual({
        blockers: [
          { name: 'caffeinate', kind: 'process', blocks: ['system'], reason: 'caffeinate command-line tool' },
        ],
      });
  });
  it('handles names with parentheses, missing durations, hours over 24, legacy types and audio attribution', () => {
    expect(parsePmsetAssertions(local('pmset-assertions-audio-display.txt')).blockers).toEqual([
      {
        name: 'Google Chrome Helper (Renderer)',
        kind: 'process',
        blocks: ['system'],
        reason: 'com.apple.audio.BuiltInSpeakerDevice.context.preventuseridlesleep',
      },
      {
        name: 'Google Chrome Helper (Renderer)',
        kind: 'process',
        blocks: ['display', 'system'],
        reason: 'Video Wake Lock',
      },
      { name: 'zoom.us', kind: 'process', blocks: ['display'], reason: 'zoom.us is in a meeting' },
    ]);
  });
  it('keeps coreaudiod as the holder when the PID it acts for is unknown', () => {
    const text =
      'Listed by owning process:\n   pid 412(coreaudiod): [0x01] 00:01:00 PreventUserIdleSystemSleep named: "audio"\n\tCreated for PID: 999.\n';
    expect(parsePmsetAssertions(text).blockers[0]?.name).toBe('coreaudiod');
    expect(parsePmsetAssertions(text, new Map([[999, 'Music']])).blockers[0]?.name).toBe('Music');
  });
  it('says it cannot tell (parse_failed) when the per-process list is missing, never "no blockers"', () => {
    const cut = shared('macos-pmset-g-assertions-2025.txt').split('Listed by owning process:')[0]!;
    expect(() => parsePmsetAssertions(cut)).toThrow(/blockers are unknown/);
    expect(() => parsePmsetAssertions('pmset: not permitted\n')).toThrow(/blockers are unknown/);
    expect(
      parsePmsetAssertions('Assertion status system-wide:\nListed by owning process:\n').blockers,
    ).toEqual([]);
  });
});

describe('pmset batt, sched and ioreg', () => {
  it('reads the power source and battery line', () => {
    expect(parsePmsetBatt(local('pmset-batt.txt'))).toEqual({
      source: 'battery',
      hasBattery: true,
      percent: 76,
      charging: false,
    });
    expect(parsePmsetBatt("Now drawing from 'AC Power'\n")).toEqual({ source: 'ac', hasBattery: false });
  });
  it('reads repeating events, also with the time on its own line', () => {
    expect(parsePmsetSched(shared('macos-pmset-g-sched-repeating.txt'))).toEqual([
      { type: 'wakepoweron', at: '06:00', weekdays: [0, 1, 2, 3, 4, 5, 6] },
    ]);
    expect(parsePmsetSched(local('pmset-sched-newer.txt'))).toEqual([
      { type: 'wakepoweron', at: '07:30', weekdays: [0, 1, 2, 3, 4] },
      { type: 'shutdown', at: '18:15', weekdays: [0, 1, 2, 3, 4] },
    ]);
  });
  it('converts HIDIdleTime nanoseconds to milliseconds without losing precision', () => {
    expect(parseHidIdleTimeMs(local('ioreg-hididletime.txt'))).toBe(18446);
    expect(parseHidIdleTimeMs('"HIDIdleTime" = 9223372036854775807')).toBe(9223372036854);
  });
  it('builds pmset write commands in minutes, per source', () => {
    expect(pmsetSetArgs('ac', { sleep: 1800, displaysleep: 600 })).toEqual([
      '-c',
      'sleep',
      '30',
      'displaysleep',
      '10',
    ]);
    expect(pmsetSetArgs('battery', { sleep: null })).toEqual(['-b', 'sleep', '0']);
    expect(pmsetSetArgs('battery', { displaysleep: 90 })).toEqual(['-b', 'displaysleep', '2']);
    expect(pmsetRepeatArgs({ action: 'shutdown', at: '18:00', weekdays: [4, 0, 1, 2, 3] })).toEqual([
      'repeat',
      'shutdown',
      'MTWRF',
      '18:00:00',
    ]);
  });
});

/** A stand-in Mac (pmset keeps state, root), to run the adapter contract without a Mac. */
function fakeMac() {
  const custom = { ac: { sleep: 0, displaysleep: 30 }, battery: { sleep: 1, displaysleep: 2 } };
  let idleSince = Date.now();
  let repeat = '';
  let source: 'ac' | 'battery' = 'ac';
  const runner = fakeRunner((file, args) => {
    const a = args.join(' ');
    if (file === 'ioreg' && a === CMD.idle[1].join(' '))
      return { stdout: `    | |   "HIDIdleTime" = ${BigInt(Date.now() - idleSince) * 1_000_000n}\n` };
    if (file === 'pmset' && a === '-g custom')
      return {
        stdout: `Battery Power:\n displaysleep         ${custom.battery.displaysleep}\n sleep                ${custom.battery.sleep}\nAC Power:\n displaysleep         ${custom.ac.displaysleep}\n sleep                ${custom.ac.sleep}\n`,
      };
    if (file === 'pmset' && (args[0] === '-c' || args[0] === '-b')) {
      const t = args[0] === '-c' ? custom.ac : custom.battery;
      for (let i = 1; i + 1 < args.length; i += 2)
        t[args[i] as 'sleep' | 'displaysleep'] = Number(args[i + 1]);
      return { stdout: '' };
    }
    if (file === 'pmset' && a === '-g batt')
      return {
        stdout:
          source === 'ac'
            ? "Now drawing from 'AC Power'\n -InternalBattery-0 (id=1)\t100%; charged; 0:00 remaining present: true\n"
            : "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=1)\t99%; discharging; 7:12 remaining present: true\n",
      };
    if (file === 'pmset' && a === '-g assertions')
      return { stdout: shared('macos-pmset-g-assertions-2025.txt') };
    if (file === 'pmset' && a === '-g sched')
      return { stdout: repeat ? `Repeating power events:\n  ${repeat}\n` : '' };
    if (file === 'pmset' && args[0] === 'repeat') {
      repeat = args[1] === 'cancel' ? '' : `${args[1]} at ${args[3]} weekdays only`;
      return { stdout: '' };
    }
    if (file === 'pmset' && a === '-g powerstate IODisplayWrangler')
      return { stdout: 'IODisplayWrangler     4   4\n' };
    if (file === 'sw_vers') return { stdout: '15.1\n' };
    return undefined;
  });
  return {
    runner,
    poke: () => (idleSince = Date.now()),
    setSource: (s: 'ac' | 'battery') => {
      source = s;
    },
  };
}

adapterContract('macos (fake MacBook, root)', async () => {
  const mac = fakeMac();
  return {
    adapter: new MacosAdapter({ runner: mac.runner, uid: 0 }),
    env: {
      poke: async () => void mac.poke(),
      enforcesTimeouts: true,
      hasBacklight: false,
      blockersReadable: true,
      commandLog: () => mac.runner.calls,
      switchPowerSource: async (s) => mac.setSource(s),
    },
  };
});

describe('macOS adapter', () => {
  it('writes pmset only as root and reports needs_admin otherwise', async () => {
    const mac = fakeMac();
    const out = await new MacosAdapter({ runner: mac.runner, uid: 501 }).apply(
      { sleepAfterSec: { ac: 1800 } },
      'policy',
    );
    expect(out.errors.map((e) => e.code)).toEqual(['needs_admin']);
    expect(mac.runner.calls.some((c) => c.file === 'pmset' && c.args[0] === '-c')).toBe(false);
  });
  it('schedules a repeating shutdown and reads it back from pmset -g sched', async () => {
    const mac = fakeMac();
    const out = await new MacosAdapter({ runner: mac.runner, uid: 0 }).apply(
      { schedule: { action: 'shutdown', at: '18:00', weekdays: [0, 1, 2, 3, 4] } },
      'policy',
    );
    expect(out.errors).toEqual([]);
    expect(out.applied.schedule).toEqual({ action: 'shutdown', at: '18:00', weekdays: [0, 1, 2, 3, 4] });
  });
  it('reads the schedule as unknown, not "none", when pmset -g sched fails', async () => {
    const mac = fakeMac();
    const failing: CommandRunner = {
      run: (file, args, o) =>
        file === 'pmset' && args.join(' ') === '-g sched'
          ? Promise.resolve({ code: 1, stdout: '', stderr: 'pmset: error\n' })
          : mac.runner.run(file, args, o),
    };
    expect((await new MacosAdapter({ runner: failing, uid: 0 }).readSettings()).schedule).toBeUndefined();
    expect((await new MacosAdapter({ runner: mac.runner, uid: 0 }).readSettings()).schedule).toBeNull();
  });
  it('reads the live battery from pmset only; capacities are left to systeminformation', async () => {
    const mac = fakeMac();
    const a = new MacosAdapter({ runner: mac.runner });
    expect(await a.battery()).toEqual({ hasBattery: true, percent: 100, charging: false });
    expect(await a.inventory()).toEqual({
      os: 'macos',
      osVersion: 'macOS 15.1',
      battery: { hasBattery: true },
    });
    expect(mac.runner.calls.some((c) => c.args.includes('AppleSmartBattery'))).toBe(false);
    expect(mac.runner.calls.some((c) => c.file === 'sysctl')).toBe(false);
  });
});
