import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { adapterContract } from '../contract/suite.js';
import type { CommandRunner } from '../runner.js';
import { powercfgQueryArgs, powercfgSetArgs, WindowsAdapter } from './adapter.js';
import { fakeWindows } from './fake-windows.js';
import { GUID } from './guids.js';
import { HELPER_SCRIPT, helperArgs, PowerShellHelper } from './ps-helper.js';

// The Windows adapter against a stateful stand-in for a Dutch Windows laptop (no Windows in CI):
// proves the commands it builds, the units it converts and what it reports back.
adapterContract('windows (fake Dutch Windows 11 laptop, elevated)', async () => {
  const win = fakeWindows({ elevated: true });
  return {
    adapter: new WindowsAdapter({ runner: win.runner, helper: win.helper }),
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
    adapter: new WindowsAdapter({ runner: win.runner, helper: win.helper }),
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
    const a = new WindowsAdapter({ runner: win.runner, helper: win.helper });
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
    const a = new WindowsAdapter({ runner: win.runner, helper: win.helper });
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
  it('lowers the live panel brightness to the cap for the current source via WMI', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, helper: win.helper });
    await a.apply({ brightnessPct: { ac: 60, battery: 40 } }, 'policy');
    expect(win.livePct()).toBe(60); // BatteryStatus 2 = on AC
  });
  it('creates the scheduled task as SYSTEM and reads it back', async () => {
    const win = fakeWindows({ elevated: true });
    const a = new WindowsAdapter({ runner: win.runner, helper: win.helper });
    const out = await a.apply(
      { schedule: { action: 'shutdown', at: '18:30', weekdays: [0, 1, 2, 3, 4] } },
      'policy',
    );
    expect(out.errors).toEqual([]);
    expect(out.applied.schedule).toEqual({ action: 'shutdown', at: '18:30', weekdays: [0, 1, 2, 3, 4] });
    const notAdmin = fakeWindows();
    const b = new WindowsAdapter({ runner: notAdmin.runner, helper: notAdmin.helper });
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
      (await new WindowsAdapter({ runner: denied, helper: win.helper }).readSettings()).schedule,
    ).toBeUndefined();
    // no task at all is a real "none"
    expect(
      (await new WindowsAdapter({ runner: win.runner, helper: win.helper }).readSettings()).schedule,
    ).toBeNull();
  });
  it('puts the machine to sleep through SetSuspendState, never rundll32', async () => {
    const win = fakeWindows();
    await new WindowsAdapter({ runner: win.runner, helper: win.helper }).sleepNow();
    expect(win.slept).toHaveLength(1);
    expect(win.runner.calls.some((c) => c.file.includes('rundll32'))).toBe(false);
  });
  it('doctor: powercfg /requests needs admin when not elevated', async () => {
    const win = fakeWindows();
    const caps = await new WindowsAdapter({ runner: win.runner, helper: win.helper }).capabilities();
    expect(caps.find((c) => c.id === 'blockers')?.status).toBe('needs-admin');
    expect(caps.find((c) => c.id === 'schedule')?.status).toBe('needs-admin');
    expect(caps.find((c) => c.id === 'display-state')?.status).toBe('unsupported');
  });
});

describe('PowerShell helper (one long-lived process)', () => {
  it('passes the helper as -EncodedCommand UTF-16LE, loading GetLastInputInfo once', () => {
    const args = helperArgs();
    expect(args.slice(0, 6)).toEqual([
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const decoded = Buffer.from(args[6]!, 'base64').toString('utf16le');
    expect(decoded).toBe(HELPER_SCRIPT);
    expect(decoded).toContain('GetLastInputInfo');
    expect(decoded).toContain('[Console]::OutputEncoding = [Text.Encoding]::UTF8');
  });

  it('answers many idle samples and scripts from a single process', async () => {
    // a Node stand-in speaks the helper's line protocol; the real one is PowerShell
    const fake = `
      const rl = require('readline').createInterface({ input: process.stdin });
      let n = 0;
      rl.on('line', (l) => {
        if (l === 'IDLE') { process.stdout.write('IDLE ' + (n >= 50 ? -2 : n++ * 10) + '\\n'); return; }
        const [cmd, id, b64] = l.split(' ');
        const script = Buffer.from(b64, 'base64').toString('utf8');
        if (script === 'fail') process.stdout.write('ERR ' + id + ' ' + Buffer.from('Toegang geweigerd').toString('base64') + '\\n');
        else process.stdout.write('OK ' + id + ' ' + Buffer.from('UTF-8 ✓ ' + script).toString('base64') + '\\n');
      });`;
    const helper = new PowerShellHelper(
      'node',
      (_file) => spawn(process.execPath, ['-e', fake], { stdio: 'pipe' }) as never,
    );
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) samples.push(await helper.idleMs());
    expect(samples.slice(0, 3)).toEqual([0, 10, 20]);
    expect(await helper.run('Get-Date')).toBe('UTF-8 ✓ Get-Date');
    await expect(helper.run('fail')).rejects.toThrow('Toegang geweigerd');
    const [x, y] = await Promise.all([helper.run('a'), helper.run('b')]);
    expect([x, y]).toEqual(['UTF-8 ✓ a', 'UTF-8 ✓ b']);
    // from session 0 the helper refuses to give a number
    await expect(helper.idleMs()).rejects.toThrow(/session 0/);
    expect(helper.spawnCount).toBe(1);
    helper.close();
  });
});
