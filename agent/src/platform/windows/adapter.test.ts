import { describe, expect, it } from 'vitest';
import { PolicyEnforcer } from '../../service/policy.js';
import { MemoryStore } from '../../service/store.js';
import { adapterContract } from '../contract/suite.js';
import type { CommandRunner } from '../runner.js';
import { systemClock } from '../types.js';
import { powercfgQueryArgs, powercfgSetArgs, WindowsAdapter } from './adapter.js';
import { fakeWindows } from './fake-windows.js';
import { GUID } from './guids.js';
import { IDLE_SCRIPT, POWERSHELL, parseIdleOutput, powershellArgs, scriptOf } from './powershell.js';

// The Windows adapter against a stateful stand-in for a Dutch Windows laptop (no Windows in CI):
// proves the commands it builds, the units it converts and what it reports back.
adapterContract('windows (fake Dutch Windows 11 laptop, elevated)', async () => {
  const win = fakeWindows({ elevated: true });
  return {
    adapter: new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 }),
    env: {
      poke: async () => win.poke(),
      enforcesTimeouts: true,
      hasBacklight: true,
      blockersReadable: true,
      commandLog: () => win.runner.calls,
      switchPowerSource: async (source) => win.setSource(source),
      panelPct: async () => win.livePct(),
    },
  };
});

adapterContract('windows (fake desktop, not elevated)', async () => {
  const win = fakeWindows({ desktop: true });
  return {
    adapter: new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 }),
    env: {
      enforcesTimeouts: true,
      hasBacklight: false,
      blockersReadable: false,
      commandLog: () => win.runner.calls,
    },
  };
});

describe('Windows command construction', () => {
  it('queries one setting at a time by subgroup alias and GUID', () => {
    expect(powercfgQueryArgs('sleepAfterSec')).toEqual([
      '/q',
      'SCHEME_CURRENT',
      'SUB_SLEEP',
      GUID.STANDBYIDLE,
    ]);
    expect(powercfgQueryArgs('displayOffAfterSec')).toEqual([
      '/q',
      'SCHEME_CURRENT',
      'SUB_VIDEO',
      GUID.VIDEOIDLE,
    ]);
  });
  it('writes timeouts in seconds with /setacvalueindex and /setdcvalueindex (never minutes)', () => {
    expect(powercfgSetArgs('sleepAfterSec', 'ac', 1800)).toEqual([
      '/setacvalueindex',
      'SCHEME_CURRENT',
      'SUB_SLEEP',
      GUID.STANDBYIDLE,
      '1800',
    ]);
    expect(powercfgSetArgs('brightnessPct', 'battery', 40)).toEqual([
      '/setdcvalueindex',
      'SCHEME_CURRENT',
      'SUB_VIDEO',
      GUID.VIDEONORMALLEVEL,
      '40',
    ]);
  });
  it('writes, re-activates the scheme once, then reads back', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 });
    const out = await a.apply({ sleepAfterSec: { ac: 1800, battery: 600 } }, 'policy');
    const pc = win.runner.calls.filter((c) => c.file === 'powercfg').map((c) => c.args.join(' '));
    expect(pc.slice(0, 3)).toEqual([
      `/setacvalueindex SCHEME_CURRENT SUB_SLEEP ${GUID.STANDBYIDLE} 1800`,
      `/setdcvalueindex SCHEME_CURRENT SUB_SLEEP ${GUID.STANDBYIDLE} 600`,
      '/setactive SCHEME_CURRENT',
    ]);
    expect(out.applied.sleepAfterSec).toEqual({ ac: 1800, battery: 600 });
    expect(win.runner.calls.every((c) => !c.args.join(' ').includes('/change'))).toBe(true);
  });
  it('reports a Group Policy lock that overrides the written value', async () => {
    const win = fakeWindows({ elevated: true, locks: { [GUID.STANDBYIDLE]: { ac: 0 } } });
    const a = new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 });
    const out = await a.apply({ sleepAfterSec: { ac: 1800, battery: 600 } }, 'policy');
    expect(out.applied.sleepAfterSec).toEqual({ ac: null, battery: 600 });
    expect(out.errors).toEqual([
      expect.objectContaining({
        setting: 'sleepAfterSec.ac',
        code: 'overridden_by_policy',
        message: expect.stringContaining('Group Policy holds 0'),
      }),
    ]);
  });
  it('writes the plan brightness per source and leaves the live panel to the core (WMI, through the enforcer)', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'service', powerSourceMaxAgeMs: 0 });
    const out = await a.apply({ brightnessPct: { ac: 60, battery: 40 } }, 'policy');
    expect(out.applied.brightnessPct).toEqual({ ac: 60, battery: 40 });
    expect(win.livePct()).toBe(100); // apply never decides what the panel shows
    expect(await a.panelPct()).toBe(100);
    const enforcer = new PolicyEnforcer(a, new MemoryStore(), systemClock);
    await enforcer.setPolicy({ brightnessCapPct: { ac: 60, battery: 40 } }, 'e1');
    expect(win.livePct()).toBe(60); // BatteryStatus 2 = on AC
    win.setSource('battery');
    expect(await enforcer.reevaluate()).not.toBeNull();
    expect(win.livePct()).toBe(40);
    // back on mains a cap never brightens the panel
    win.setSource('ac');
    await enforcer.reevaluate();
    expect(win.livePct()).toBe(40);
  });
  it('creates the scheduled task as SYSTEM and reads it back', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 });
    const out = await a.apply(
      { schedule: { action: 'shutdown', at: '18:30', weekdays: [0, 1, 2, 3, 4] } },
      'policy',
    );
    expect(out.errors).toEqual([]);
    expect(out.applied.schedule).toEqual({ action: 'shutdown', at: '18:30', weekdays: [0, 1, 2, 3, 4] });
    const notAdmin = fakeWindows();
    const b = new WindowsAdapter({ runner: notAdmin.runner, session: 'user' });
    const denied = await b.apply({ schedule: { action: 'sleep', at: '18:30', weekdays: [0] } }, 'policy');
    expect(denied.errors.map((e) => e.code)).toEqual(['needs_admin']);
    expect(denied.applied.schedule).toBeNull();
  });
  it('reads the schedule as unknown, not "none", when schtasks cannot be asked', async () => {
    const win = fakeWindows();
    const denied: CommandRunner = {
      run: (file, args, o) =>
        file === 'schtasks'
          ? Promise.resolve({ code: 1, stdout: '', stderr: 'FOUT: Toegang geweigerd.\r\n' })
          : win.runner.run(file, args, o),
    };
    expect(
      (await new WindowsAdapter({ runner: denied, session: 'user' }).readSettings()).schedule,
    ).toBeUndefined();
    // no task at all is a real "none"
    expect(
      (
        await new WindowsAdapter({
          runner: win.runner,
          session: 'user',
          powerSourceMaxAgeMs: 0,
        }).readSettings()
      ).schedule,
    ).toBeNull();
  });
  it('puts the machine to sleep through SetSuspendState, never rundll32', async () => {
    const win = fakeWindows();
    await new WindowsAdapter({ runner: win.runner, session: 'user', powerSourceMaxAgeMs: 0 }).sleepNow();
    expect(win.slept).toHaveLength(1);
    expect(win.runner.calls.some((c) => c.file.includes('rundll32'))).toBe(false);
  });
  it('doctor: powercfg /requests needs admin when not elevated', async () => {
    const win = fakeWindows();
    const caps = await new WindowsAdapter({
      runner: win.runner,
      session: 'user',
      powerSourceMaxAgeMs: 0,
    }).capabilities();
    expect(caps.find((c) => c.id === 'blockers')?.status).toBe('needs-admin');
    expect(caps.find((c) => c.id === 'schedule')?.status).toBe('needs-admin');
    expect(caps.find((c) => c.id === 'display-state')?.status).toBe('unsupported');
  });
});

describe('PowerShell, one-shot only (nothing resident)', () => {
  it('passes a fixed script as -EncodedCommand UTF-16LE with UTF-8 output, never through a shell', () => {
    const args = powershellArgs(IDLE_SCRIPT);
    expect(args.slice(0, 6)).toEqual([
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const decoded = Buffer.from(args[6]!, 'base64').toString('utf16le');
    expect(decoded).toContain('[Console]::OutputEncoding = [Text.Encoding]::UTF8');
    expect(decoded).toContain('GetLastInputInfo');
    expect(scriptOf(args)).toBe(IDLE_SCRIPT);
    expect(scriptOf(['-Command', 'Get-Date'])).toBeNull();
  });

  it('reads idle milliseconds and treats a failed or empty reading as unknown', () => {
    expect(parseIdleOutput('53210\r\n')).toBe(53210);
    expect(parseIdleOutput('-1\r\n')).toBeNull();
    expect(parseIdleOutput('')).toBeNull();
    expect(parseIdleOutput('Add-Type : error')).toBeNull();
  });

  it('as the service (session 0) says idle is unknown without starting any process', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'service' });
    expect(await a.idleMs()).toBe('unknown');
    expect(a.lastIdleError).toMatch(/session 0/);
    expect(win.runner.calls).toEqual([]);
    const caps = await a.capabilities();
    expect(caps.find((c) => c.id === 'idle-time')).toMatchObject({
      status: 'unsupported',
      detail: expect.stringContaining('tray'),
    });
  });

  it('runs powercfg, reg, schtasks and whoami directly; PowerShell only for WMI and .NET', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'service' });
    await a.readSettings();
    await a.blockers();
    await a.apply({ sleepAfterSec: { ac: 1800, battery: 600 } }, 'policy');
    await a.capabilities();
    const viaPs = win.runner.calls.filter((c) => c.file === POWERSHELL).map((c) => scriptOf(c.args));
    for (const s of viaPs) expect(s).not.toMatch(/powercfg|schtasks|reg(\.exe)? query/i);
    expect(win.runner.calls.filter((c) => c.file === 'powercfg').length).toBeGreaterThan(5);
  });

  it('reuses one power-source reading for a while instead of starting PowerShell per sample', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, session: 'service', powerSourceMaxAgeMs: 60_000 });
    for (let i = 0; i < 20; i++) expect(await a.powerSource()).toBe('ac');
    expect(win.powershellRuns()).toBe(1);
    // a fresh reading after the switch once the cache may not be used
    const b = new WindowsAdapter({ runner: win.runner, session: 'service', powerSourceMaxAgeMs: 0 });
    win.setSource('battery');
    expect(await b.powerSource()).toBe('battery');
  });

  it('reads a failed power-source query as unknown and asks again next time', async () => {
    let fail = true;
    const win = fakeWindows({ elevated: true });
    const flaky: CommandRunner = {
      run: (file, args, o) =>
        file === POWERSHELL && fail
          ? Promise.resolve({ code: 1, stdout: '', stderr: 'Get-CimInstance : Toegang geweigerd' })
          : win.runner.run(file, args, o),
    };
    const a = new WindowsAdapter({ runner: flaky, session: 'service', powerSourceMaxAgeMs: 60_000 });
    expect(await a.powerSource()).toBe('unknown');
    fail = false;
    expect(await a.powerSource()).toBe('ac');
  });

  it('inventory holds only what systeminformation cannot give: the OS and whether a battery is there', async () => {
    const laptop = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({
      runner: laptop.runner,
      session: 'service',
      osVersion: () => 'Windows 11 Pro  10.0.22631',
    });
    expect(await a.inventory()).toEqual({
      os: 'windows',
      osVersion: 'Windows 11 Pro 10.0.22631',
      battery: { hasBattery: true },
    });
    const desk = fakeWindows({ desktop: true });
    const d = new WindowsAdapter({ runner: desk.runner, session: 'service', osVersion: () => '' });
    expect(await d.inventory()).toEqual({ os: 'windows', battery: { hasBattery: false } });
    const noPs: CommandRunner = {
      run: async () => ({ code: -1, stdout: '', stderr: '', notFound: true }),
    };
    const u = new WindowsAdapter({ runner: noPs, session: 'service', osVersion: () => 'Windows 10' });
    // a battery that could not be read is left out, never reported as "no battery"
    expect(await u.inventory()).toEqual({ os: 'windows', osVersion: 'Windows 10' });
  });
});
