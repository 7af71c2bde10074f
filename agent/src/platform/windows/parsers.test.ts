import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseActiveScheme, parseSchemeList, summarizePowercfgQuery } from './powercfg-query.js';
import { parsePowercfgRequests } from './powercfg-requests.js';
import { parseTaskXml, schtasksCreateArgs } from './schtasks.js';
import { parsePolicyRegQuery, parseWindowsPowerJson, parseWmiMonitorBrightness } from './wmi.js';

const shared = (f: string) =>
  readFileSync(new URL(`../../../fixtures/captured/windows/${f}`, import.meta.url), 'utf8');
const local = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
/** every Windows capture is fed as published (LF) and as Windows prints it (CRLF) */
const variants = (text: string) =>
  [
    ['LF', text],
    ['CRLF', text.replace(/\n/g, '\r\n')],
    ['CRLF + trailing spaces', text.replace(/\n/g, '   \r\n')],
  ] as const;

describe('powercfg /q', () => {
  for (const [label, text] of variants(shared('windows-powercfg-q-custom-scheme.txt'))) {
    it(`reads sleep, display-off and brightness by GUID from the English dump (${label})`, () => {
      expect(summarizePowercfgQuery(text)).toEqual({
        sleepAfterSec: { ac: 0, battery: 0 },
        displayOffAfterSec: { ac: 0, battery: 600 },
        brightnessPct: { ac: 100, battery: 100 },
      });
    });
  }
  for (const [label, text] of variants(local('powercfg-q-dutch-full.txt'))) {
    it(`reads a localised Dutch dump with no English label at all (${label})`, () => {
      expect(summarizePowercfgQuery(text)).toEqual({
        sleepAfterSec: { ac: 3600, battery: 900 },
        displayOffAfterSec: { ac: 900, battery: 300 },
        brightnessPct: { ac: 90, battery: 70 },
      });
    });
  }
  it('gives null for a setting the dump does not contain (desktop without plan brightness)', () => {
    expect(summarizePowercfgQuery(local('powercfg-q-desktop-single.txt').replace(/\n/g, '\r\n'))).toEqual({
      sleepAfterSec: null,
      displayOffAfterSec: { ac: 1800, battery: 1800 },
      brightnessPct: null,
    });
  });
  it('does not mistake min/max/increment for the AC/DC values, even with upper-case hex', () => {
    const text = shared('windows-powercfg-q-custom-scheme.txt').replace(/0x00000258/, '0X00000258');
    expect(summarizePowercfgQuery(text).displayOffAfterSec).toEqual({ ac: 0, battery: 600 });
  });
  it('takes the active scheme GUID and ignores the localised name', () => {
    expect(
      parseActiveScheme('GUID van energieschema: 381b4222-f694-41f0-9685-ff5bb260df2e  (Gebalanceerd)\r\n'),
    ).toBe('381b4222-f694-41f0-9685-ff5bb260df2e');
    const list = parseSchemeList(shared('windows-powercfg-list.txt').replace(/\n/g, '\r\n'));
    expect(list).toHaveLength(3);
    expect(list.filter((s) => s.active).map((s) => s.guid)).toEqual(['381b4222-f694-41f0-9685-ff5bb260df2e']);
  });
});

describe('powercfg /requests', () => {
  for (const [label, text] of variants(shared('windows-powercfg-requests-usoworker.txt'))) {
    it(`finds the USO worker in EXECUTION (${label})`, () => {
      expect(parsePowercfgRequests(text)).toEqual({
        blockers: [
          { name: 'MoUsoCoreWorker.exe', kind: 'process', blocks: ['execution'], reason: 'USO Worker' },
        ],
      });
    });
  }
  for (const [label, text] of variants(local('powercfg-requests-multi.txt'))) {
    it(`merges one caller over several sections and reads drivers, services and reason-less entries (${label})`, () => {
      expect(parsePowercfgRequests(text).blockers).toEqual([
        { name: 'chrome.exe', kind: 'process', blocks: ['display', 'system'], reason: 'Video Wake Lock' },
        {
          name: 'Realtek High Definition Audio(SST)',
          kind: 'driver',
          blocks: ['system'],
          reason: 'An audio stream is currently in use.',
        },
        { name: 'Teams.exe', kind: 'process', blocks: ['execution'] },
        { name: 'wuauserv', kind: 'service', blocks: ['execution'], reason: 'Windows Update' },
      ]);
    });
  }
  for (const [label, text] of variants(local('powercfg-requests-dutch.txt'))) {
    it(`assigns translated sections by position (${label})`, () => {
      expect(parsePowercfgRequests(text).blockers).toEqual([
        { name: 'vlc.exe', kind: 'process', blocks: ['system'], reason: 'Afspelen van video' },
        { name: 'LockApp.exe', kind: 'process', blocks: ['activelockscreen'] },
      ]);
    });
  }
  it('finds translated upper-case headers even when the blank lines between sections are missing', () => {
    const text =
      'BEELDSCHERM:\r\nGeen.\r\nSYSTEEM:\r\n[PROCESS] \\Device\\HarddiskVolume2\\a\\vlc.exe\r\nAfspelen\r\nAFWEZIGHEIDSMODUS:\r\nGeen.\r\nUITVOERING:\r\n[DRIVER] Realtek Audio (HDAUDIO\\FUNC_01&VEN_10EC)\r\nAudio in gebruik\r\n';
    expect(parsePowercfgRequests(text).blockers).toEqual([
      { name: 'vlc.exe', kind: 'process', blocks: ['system'], reason: 'Afspelen' },
      { name: 'Realtek Audio', kind: 'driver', blocks: ['execution'], reason: 'Audio in gebruik' },
    ]);
  });
  it('returns no blockers when every section is empty', () => {
    const text = [
      'DISPLAY:',
      'None.',
      '',
      'SYSTEM:',
      'None.',
      '',
      'AWAYMODE:',
      'None.',
      '',
      'EXECUTION:',
      'None.',
      '',
      'PERFBOOST:',
      'None.',
      '',
      'ACTIVELOCKSCREEN:',
      'None.',
      '',
    ].join('\r\n');
    expect(parsePowercfgRequests(text).blockers).toEqual([]);
  });
  for (const [label, text] of variants(local('powercfg-requests-wrapped-80.txt'))) {
    it(`joins lines a console hard-wrapped at 80 columns: driver names and real reasons (${label})`, () => {
      expect(parsePowercfgRequests(text).blockers).toEqual([
        {
          name: 'Realtek High Definition Audio',
          kind: 'driver',
          blocks: ['system'],
          reason: 'An audio stream is currently in use.',
        },
        { name: 'msedge.exe', kind: 'process', blocks: ['system'], reason: 'Video Wake Lock' },
        {
          name: 'Intel(R) Smart Sound Technology for USB Audio',
          kind: 'driver',
          blocks: ['execution'],
          reason:
            'Legacy Kernel Caller: the audio endpoint keeps the system awake while a USB headset streams to Teams',
        },
      ]);
    });
  }
  it('joins a hardware id still in open parentheses even when the capture is not console-wide', () => {
    const text =
      'SYSTEEM:\r\n[DRIVER] Realtek Audio (HDAUDIO\\FUNC_01&VEN_10EC&DEV_\r\n0236)\r\nAudio in gebruik\r\n';
    expect(parsePowercfgRequests(text).blockers).toEqual([
      { name: 'Realtek Audio', kind: 'driver', blocks: ['display'], reason: 'Audio in gebruik' },
    ]);
  });
  it('says it cannot tell (parse_failed) when the output has no sections, never "no blockers"', () => {
    for (const text of [
      '',
      'U moet beheerder zijn om deze opdracht uit te voeren.\r\n',
      '[PROCESS] \\Device\\HarddiskVolume3\\x\\backup.exe\r\n',
    ])
      expect(() => parsePowercfgRequests(text)).toThrow(/blockers are unknown/);
  });
  it('uses the English header as a cross-check when a section is missing', () => {
    const text =
      'DISPLAY:\nNone.\n\nEXECUTION:\n[PROCESS] \\Device\\HarddiskVolume3\\x\\backup.exe\nBackup\n';
    expect(parsePowercfgRequests(text).blockers).toEqual([
      { name: 'backup.exe', kind: 'process', blocks: ['execution'], reason: 'Backup' },
    ]);
  });
});

describe('WMI, registry and Task Scheduler outputs', () => {
  for (const [label, text] of variants(shared('windows-ciminstance-wmimonitorbrightness.txt'))) {
    it(`reads WmiMonitorBrightness in list format (${label})`, () => {
      expect(parseWmiMonitorBrightness(text)).toEqual([
        {
          instanceName: 'DISPLAYLEN40B24&3062e51&0&UID67568640_0',
          currentPct: 100,
          levels: 101,
          active: true,
        },
      ]);
    });
  }
  it('reads WmiMonitorBrightness as JSON, one object or an array', () => {
    expect(
      parseWmiMonitorBrightness('{"InstanceName":"A","CurrentBrightness":40,"Levels":101,"Active":true}'),
    ).toHaveLength(1);
    expect(
      parseWmiMonitorBrightness('[{"CurrentBrightness":40},{"CurrentBrightness":70}]').map(
        (m) => m.currentPct,
      ),
    ).toEqual([40, 70]);
  });
  it('reads a Group Policy lock from reg query', () => {
    expect(parsePolicyRegQuery(local('reg-query-policy.txt').replace(/\n/g, '\r\n'))).toEqual({
      ac: 0,
      dc: 900,
    });
  });
  it('reads battery JSON and treats no Win32_Battery as no battery', () => {
    expect(parseWindowsPowerJson('{"HasBattery":false}')).toEqual({ hasBattery: false });
    expect(
      parseWindowsPowerJson('{"HasBattery":true,"BatteryStatus":2,"EstimatedChargeRemaining":87}'),
    ).toEqual({ hasBattery: true, batteryStatus: 2, percent: 87 });
    // empty or foreign output (the query failed quietly) cannot say "no battery"
    expect(() => parseWindowsPowerJson('')).toThrow(/unknown/);
    expect(() => parseWindowsPowerJson('{"BatteryStatus":2}')).toThrow(/unknown/);
  });
  it('builds the SYSTEM task and reads it back from its XML', () => {
    const args = schtasksCreateArgs({ action: 'shutdown', at: '18:30', weekdays: [4, 0, 1, 2, 3] });
    expect(args.slice(0, 12)).toEqual([
      '/Create',
      '/F',
      '/TN',
      'Sluimer\\PowerAction',
      '/SC',
      'WEEKLY',
      '/D',
      'MON,TUE,WED,THU,FRI',
      '/ST',
      '18:30',
      '/RU',
      'SYSTEM',
    ]);
    expect(parseTaskXml(local('schtasks-query.xml'))).toEqual({
      action: 'shutdown',
      at: '18:30',
      weekdays: [0, 1, 2, 3, 4],
    });
    const sleep = schtasksCreateArgs({ action: 'sleep', at: '19:00', weekdays: [5] });
    expect(sleep.at(-1)).toContain('SetSuspendState');
    expect(sleep.at(-1)).not.toContain('rundll32');
  });
});
