import { fakeRunner } from '../fake-runner.js';
import { AC_SCRIPT, BRIGHTNESS_SCRIPT, SETTINGS } from './adapter.js';
import { IDLE_SCRIPT, POWERSHELL, scriptOf } from './powershell.js';
import { SLEEP_SCRIPT } from './schtasks.js';

/**
 * A stateful stand-in for a Dutch Windows 11 laptop, for tests only: answers powercfg, reg, whoami
 * and schtasks the way the real tools print (Dutch labels, CRLF, hex values) and keeps what was
 * written. Group Policy locks can be set to check that overrides are reported.
 */
export function fakeWindows(
  options: {
    desktop?: boolean;
    elevated?: boolean;
    locks?: Record<string, { ac?: number; dc?: number }>;
  } = {},
) {
  const state: Record<string, { ac: number; dc: number }> = {
    [SETTINGS.sleepAfterSec.guid]: { ac: 3600, dc: 900 },
    [SETTINGS.displayOffAfterSec.guid]: { ac: 900, dc: 300 },
  };
  if (!options.desktop) state[SETTINGS.brightnessPct.guid] = { ac: 90, dc: 70 };
  let pending: Record<string, { ac: number; dc: number }> = structuredClone(state);
  let task: string | null = null;
  let lastInput = Date.now();
  let livePct = 100;
  let onBattery = false;
  const slept: string[] = [];
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

  const query = (guid: string) => {
    const s = state[guid];
    const lock = options.locks?.[guid];
    if (!s) return null;
    const ac = lock?.ac ?? s.ac;
    const dc = lock?.dc ?? s.dc;
    return [
      'GUID van energieschema: 381b4222-f694-41f0-9685-ff5bb260df2e  (Gebalanceerd)',
      '  GUID van subgroep: 238c9fa8-0aad-41ed-83f4-97be242c8f20  (Slaapstand)',
      '    GUID-alias: SUB_SLEEP',
      `    GUID van energie-instelling: ${guid}  (Instelling)`,
      '      Minimaal mogelijke instelling: 0x00000000',
      '      Maximaal mogelijke instelling: 0xffffffff',
      '      Mogelijke verhoging van instellingen: 0x00000001',
      '      Mogelijke eenheden van instellingen: Seconden',
      `    Index van huidige instelling voor netvoeding: ${hex(ac)}`,
      `    Index van huidige instelling voor accuvoeding: ${hex(dc)}`,
      '',
    ].join('\r\n');
  };

  /** what powershell.exe prints for each fixed script the adapter runs (one-shot, like the real one) */
  const powershell = (script: string): { stdout?: string; stderr?: string; code?: number } => {
    if (script === IDLE_SCRIPT) return { stdout: `${Date.now() - lastInput}\r\n` };
    if (script === AC_SCRIPT)
      return {
        stdout: options.desktop
          ? '{"HasBattery":false,"BatteryStatus":0,"EstimatedChargeRemaining":0}'
          : `{"HasBattery":true,"BatteryStatus":${onBattery ? 1 : 2},"EstimatedChargeRemaining":87}`,
      };
    if (script === BRIGHTNESS_SCRIPT) {
      if (options.desktop) return { code: 1, stderr: 'Niet ondersteund (WBEM_E_NOT_SUPPORTED)\r\n' };
      return {
        stdout: `{"InstanceName":"DISPLAY\\\\LEN40B2\\\\4&3062e51&0&UID67568640_0","CurrentBrightness":${livePct},"Levels":101,"Active":true}`,
      };
    }
    if (script.startsWith('Get-CimInstance -Namespace root/WMI -ClassName WmiMonitorBrightnessMethods')) {
      livePct = Number(/Brightness = \[byte\](\d+)/.exec(script)?.[1]);
      return { stdout: 'ok\r\n' };
    }
    if (script === SLEEP_SCRIPT) {
      slept.push(new Date().toISOString());
      return { stdout: '' };
    }
    return { code: 1, stderr: `fake powershell: unexpected script ${script.slice(0, 60)}` };
  };

  const runner = fakeRunner((file, args) => {
    const a = args.map((x) => x.toLowerCase());
    if (file === POWERSHELL) {
      const script = scriptOf(args);
      return script === null ? { code: 1, stderr: 'not an encoded command' } : powershell(script);
    }
    if (file === 'powercfg') {
      if (a[0] === '/q') {
        const out = query(a[3]!);
        return out
          ? { stdout: out }
          : { code: 1, stdout: 'De opgegeven energie-instelling bestaat niet.\r\n' };
      }
      if (a[0] === '/setacvalueindex' || a[0] === '/setdcvalueindex') {
        const guid = a[3]!;
        if (!pending[guid]) return { code: 1, stdout: 'Ongeldige parameters.\r\n' };
        pending[guid]![a[0] === '/setacvalueindex' ? 'ac' : 'dc'] = Number(a[4]);
        return { stdout: '' };
      }
      if (a[0] === '/setactive') {
        Object.assign(state, structuredClone(pending));
        return { stdout: '' };
      }
      if (a[0] === '/requests')
        return options.elevated
          ? {
              stdout:
                'BEELDSCHERM:\r\nGeen.\r\n\r\nSYSTEEM:\r\nGeen.\r\n\r\nAFWEZIGHEIDSMODUS:\r\nGeen.\r\n\r\nUITVOERING:\r\n[PROCESS] \\Device\\HarddiskVolume3\\Windows\\System32\\MoUsoCoreWorker.exe\r\nUSO Worker\r\n\r\nPRESTATIEBOOST:\r\nGeen.\r\n\r\nACTIEF VERGRENDELINGSSCHERM:\r\nGeen.\r\n\r\n',
            }
          : { code: 1, stdout: 'Voor deze opdracht zijn beheerdersbevoegdheden vereist.\r\n' };
    }
    if (file === 'reg') {
      const guid = args[1]!.split('\\').pop()!.toLowerCase();
      const lock = options.locks?.[guid];
      if (!lock)
        return { code: 1, stderr: 'FOUT: Kan de opgegeven registersleutel of -waarde niet vinden.\r\n' };
      const lines = [`HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\Power\\PowerSettings\\${guid}`];
      if (lock.ac !== undefined) lines.push(`    ACSettingIndex    REG_DWORD    0x${lock.ac.toString(16)}`);
      if (lock.dc !== undefined) lines.push(`    DCSettingIndex    REG_DWORD    0x${lock.dc.toString(16)}`);
      return { stdout: `\r\n${lines.join('\r\n')}\r\n\r\n` };
    }
    if (file === 'whoami')
      return {
        stdout: options.elevated
          ? 'Mandatory Label\\High Mandatory Level  Label  S-1-16-12288\r\n'
          : 'Mandatory Label\\Medium Mandatory Level  Label  S-1-16-8192\r\n',
      };
    if (file === 'schtasks') {
      if (a[0] === '/create') {
        if (!options.elevated) return { code: 1, stderr: 'FOUT: Toegang geweigerd.\r\n' };
        const days = args[args.indexOf('/D') + 1]!.split(',');
        const names: Record<string, string> = {
          MON: 'Monday',
          TUE: 'Tuesday',
          WED: 'Wednesday',
          THU: 'Thursday',
          FRI: 'Friday',
          SAT: 'Saturday',
          SUN: 'Sunday',
        };
        const tr = args[args.indexOf('/TR') + 1]!;
        const [cmd, ...rest] = tr.split(' ');
        task = `<Task><Triggers><CalendarTrigger><StartBoundary>2026-11-28T${args[args.indexOf('/ST') + 1]}:00</StartBoundary><ScheduleByWeek><DaysOfWeek>${days.map((d) => `<${names[d]} />`).join('')}</DaysOfWeek></ScheduleByWeek></CalendarTrigger></Triggers><Actions><Exec><Command>${cmd}</Command><Arguments>${rest.join(' ').replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Arguments></Exec></Actions></Task>`;
        return { stdout: 'GESLAAGD\r\n' };
      }
      if (a[0] === '/query')
        return task
          ? { stdout: task }
          : { code: 1, stderr: 'FOUT: Het systeem kan het opgegeven bestand niet vinden.\r\n' };
      if (a[0] === '/delete') {
        task = null;
        return { stdout: '' };
      }
    }
    return undefined;
  });

  return {
    runner,
    /** how many PowerShell processes the adapter started (each exits after its script) */
    powershellRuns: () => runner.calls.filter((c) => c.file === POWERSHELL).length,
    state,
    slept,
    livePct: () => livePct,
    /** pulls the charger (BatteryStatus 1 = discharging) or plugs it in (2 = on AC) */
    setSource(source: 'ac' | 'battery') {
      onBattery = source === 'battery';
    },
    poke() {
      lastInput = Date.now();
    },
    resetPending() {
      pending = structuredClone(state);
    },
  };
}
