import os from 'node:os';
import { type Blocker, ErrorCode, type Inventory, SluimerError } from '@sluimer/shared';
import { checkTarget } from '../../core/bounds.js';
import { type CommandRunner, execFileRunner } from '../runner.js';
import type {
  ApplyOutcome,
  BatteryInfo,
  Capability,
  Known,
  PerSource,
  PlatformAdapter,
  PowerEvent,
  PowerSettings,
  PowerSourceKind,
  SettingsTarget,
} from '../types.js';
import { decodeConsoleOutput } from './console-encoding.js';
import { GUID } from './guids.js';
import { parsePowercfgQuery } from './powercfg-query.js';
import { parsePowercfgRequests } from './powercfg-requests.js';
import { IDLE_SCRIPT, parseIdleOutput, runPowerShell } from './powershell.js';
import {
  parseTaskXml,
  SLEEP_SCRIPT,
  schtasksCreateArgs,
  schtasksDeleteArgs,
  schtasksQueryArgs,
} from './schtasks.js';
import {
  onBatteryFromStatus,
  parsePolicyRegQuery,
  parseWindowsPowerJson,
  parseWmiMonitorBrightness,
  type WindowsPowerInfo,
} from './wmi.js';

/** The settings Sluimer writes, by subgroup alias + setting GUID (aliases work in /q and /set*valueindex). */
export const SETTINGS = {
  sleepAfterSec: { sub: 'SUB_SLEEP', guid: GUID.STANDBYIDLE },
  displayOffAfterSec: { sub: 'SUB_VIDEO', guid: GUID.VIDEOIDLE },
  brightnessPct: { sub: 'SUB_VIDEO', guid: GUID.VIDEONORMALLEVEL },
} as const;
type SettingKey = keyof typeof SETTINGS;

export const powercfgQueryArgs = (key: SettingKey): string[] => [
  '/q',
  'SCHEME_CURRENT',
  SETTINGS[key].sub,
  SETTINGS[key].guid,
];

/** `/setacvalueindex` takes the raw unit: seconds for timeouts (never minutes), % for brightness. */
export function powercfgSetArgs(key: SettingKey, source: PowerSourceKind, value: number): string[] {
  return [
    source === 'ac' ? '/setacvalueindex' : '/setdcvalueindex',
    'SCHEME_CURRENT',
    SETTINGS[key].sub,
    SETTINGS[key].guid,
    String(Math.round(value)),
  ];
}

export const POLICY_KEY = 'HKLM\\Software\\Policies\\Microsoft\\Power\\PowerSettings';

/** One cheap Win32_Battery query: present, status (on AC or not) and charge. */
export const AC_SCRIPT = `
$b = Get-CimInstance -ClassName Win32_Battery | Select-Object -First 1
[ordered]@{ HasBattery = [bool]$b; BatteryStatus = [int]$b.BatteryStatus; EstimatedChargeRemaining = [int]$b.EstimatedChargeRemaining } | ConvertTo-Json -Compress`;

export const BRIGHTNESS_SCRIPT =
  'Get-CimInstance -Namespace root/WMI -ClassName WmiMonitorBrightness -ErrorAction Stop | Select-Object InstanceName,CurrentBrightness,Levels,Active | ConvertTo-Json -Compress';

export const setBrightnessScript = (pct: number): string =>
  `Get-CimInstance -Namespace root/WMI -ClassName WmiMonitorBrightnessMethods -ErrorAction Stop | ForEach-Object { Invoke-CimMethod -InputObject $_ -MethodName WmiSetBrightness -Arguments @{ Timeout = [uint32]0; Brightness = [byte]${Math.round(pct)} } | Out-Null }; 'ok'`;

export interface WindowsAdapterOptions {
  runner?: CommandRunner;
  /**
   * Where this process runs: `service` = session 0 (the Windows service), which sees no user input,
   * so idle time is unknown here and comes from the tray; `user` = inside a desktop session (inspect,
   * doctor, a run without the service). Default: a process with SESSIONNAME set runs in a session.
   */
  session?: 'service' | 'user';
  /**
   * How long a power-source reading (a one-shot PowerShell) is reused. With the tray running the
   * service takes the source from Electron's powerMonitor instead and this is never read per sample.
   */
  powerSourceMaxAgeMs?: number;
  /** the Windows version string (default node:os `version()` + `release()`, no command) */
  osVersion?: () => string;
}

const HIGH_INTEGRITY_SID = 'S-1-16-12288';
/** schtasks /query for a task that does not exist (ERROR_FILE_NOT_FOUND), in the languages schools use */
const TASK_NOT_FOUND =
  /0x80070002|cannot find the file|kan het opgegeven bestand niet vinden|kann die angegebene Datei nicht finden|ne trouve pas le fichier/i;

export class WindowsAdapter implements PlatformAdapter {
  readonly os = 'windows' as const;
  /**
   * The plan keeps AC and DC values and Windows switches between them itself; lowering the live panel
   * to the cap (WmiSetBrightness) is a one-off, done again after a switch.
   */
  readonly sourceBound = ['brightnessPct'] as const;
  private readonly runner: CommandRunner;
  private readonly session: 'service' | 'user';
  private readonly powerSourceMaxAgeMs: number;
  private readonly osVersion: () => string;
  private inventoryCache: Promise<Inventory> | null = null;
  private lastPower: { at: number; reading: Promise<WindowsPowerInfo> } | null = null;

  constructor(options: WindowsAdapterOptions = {}) {
    // console tools print in the OEM code page when redirected: decode it, keep UTF-8 when valid
    const base = options.runner ?? execFileRunner();
    this.runner = { run: (file, args, o) => base.run(file, args, { decode: decodeConsoleOutput, ...o }) };
    this.session = options.session ?? (process.env.SESSIONNAME ? 'user' : 'service');
    this.powerSourceMaxAgeMs = options.powerSourceMaxAgeMs ?? 60_000;
    this.osVersion = options.osVersion ?? (() => `${os.version()} ${os.release()}`.trim());
  }

  /** why the last idle reading failed (doctor) */
  lastIdleError = '';

  /**
   * In session 0 there is no user input to see: unknown, without starting anything (the service
   * takes the pupil's idle time from the tray). Inside a session: one GetLastInputInfo reading.
   */
  async idleMs(): Promise<Known<number>> {
    if (this.session === 'service') {
      this.lastIdleError =
        'running in session 0 (service): idle time comes from the tray in the user session';
      return 'unknown';
    }
    try {
      const ms = parseIdleOutput(await runPowerShell(this.runner, IDLE_SCRIPT));
      if (ms === null) throw new SluimerError(ErrorCode.CommandFailed, 'GetLastInputInfo failed');
      return ms;
    } catch (e) {
      this.lastIdleError = (e as Error).message;
      return 'unknown';
    }
  }

  /** One Win32_Battery reading, reused for `powerSourceMaxAgeMs` (a one-shot PowerShell each time). */
  private powerReading(): Promise<WindowsPowerInfo> {
    const now = Date.now();
    if (this.lastPower && now - this.lastPower.at < this.powerSourceMaxAgeMs) return this.lastPower.reading;
    const reading = runPowerShell(this.runner, AC_SCRIPT).then(parseWindowsPowerJson);
    this.lastPower = { at: now, reading };
    // a failed reading is not kept: the next call asks again
    reading.catch(() => {
      if (this.lastPower?.reading === reading) this.lastPower = null;
    });
    return reading;
  }

  async powerSource(): Promise<Known<PowerSourceKind>> {
    try {
      const info = await this.powerReading();
      if (!info.hasBattery) return 'ac'; // desktops have no Win32_Battery: mains
      const onBattery = onBatteryFromStatus(info.batteryStatus);
      return onBattery === undefined ? 'unknown' : onBattery ? 'battery' : 'ac';
    } catch {
      return 'unknown';
    }
  }

  /** Needs a native power-setting notification (GUID_CONSOLE_DISPLAY_STATE); not read from Node. */
  async displayState(): Promise<Known<'on' | 'off'>> {
    return 'unknown';
  }

  /**
   * The live part only (present, charge, charging). Capacities and cycle count are hardware inventory:
   * systeminformation reads them (service/hardware-reader.ts), once a day.
   */
  async battery(): Promise<BatteryInfo | null> {
    const live = await this.powerReading();
    if (!live.hasBattery) return null;
    const out: BatteryInfo = { hasBattery: true };
    if (live.percent !== undefined) out.percent = live.percent;
    const onBattery = onBatteryFromStatus(live.batteryStatus);
    if (onBattery !== undefined) out.charging = !onBattery && (out.percent ?? 0) < 100;
    return out;
  }

  private async query(key: SettingKey): Promise<{ ac: number; dc: number } | null> {
    const r = await this.runner.run('powercfg', powercfgQueryArgs(key));
    if (r.notFound) throw new SluimerError(ErrorCode.Unsupported, 'powercfg.exe not found');
    if (r.code !== 0) return null; // e.g. the brightness setting does not exist on desktops
    const s = parsePowercfgQuery(r.stdout).settings.get(SETTINGS[key].guid);
    return s ? { ac: s.ac, dc: s.dc } : null;
  }

  /** Group Policy values (HKLM\Software\Policies\…\PowerSettings\<GUID>) beat powercfg. */
  private async policyLock(key: SettingKey): Promise<{ ac?: number; dc?: number }> {
    const r = await this.runner.run('reg', ['query', `${POLICY_KEY}\\${SETTINGS[key].guid}`]);
    return r.code === 0 ? parsePolicyRegQuery(r.stdout) : {};
  }

  async readSettings(): Promise<PowerSettings> {
    const toPer = (v: { ac: number; dc: number } | null, neverIsZero: boolean): PerSource<number> => {
      if (!v) return {};
      const conv = (n: number) => (neverIsZero && n === 0 ? null : n);
      return { ac: conv(v.ac), battery: conv(v.dc) };
    };
    const [sleep, display, bright] = await Promise.all([
      this.query('sleepAfterSec'),
      this.query('displayOffAfterSec'),
      this.query('brightnessPct'),
    ]);
    const settings: PowerSettings = {
      sleepAfterSec: toPer(sleep, true),
      displayOffAfterSec: toPer(display, true),
      brightnessPct: toPer(bright, false),
    };
    const r = await this.runner.run('schtasks', schtasksQueryArgs());
    // no task = no schedule; any other failure (access denied, schtasks missing) = not known, which a
    // read-back must not mistake for "none"
    if (r.code === 0) settings.schedule = parseTaskXml(r.stdout);
    else if (TASK_NOT_FOUND.test(r.stdout + r.stderr)) settings.schedule = null;
    return settings;
  }

  async blockers(): Promise<Blocker[]> {
    const r = await this.runner.run('powercfg', ['/requests']);
    if (r.notFound) throw new SluimerError(ErrorCode.Unsupported, 'powercfg.exe not found');
    if (r.code !== 0)
      throw new SluimerError(
        ErrorCode.NeedsAdmin,
        'powercfg /requests needs an elevated process (run the Sluimer service as LocalSystem)',
        { output: (r.stdout + r.stderr).trim().slice(0, 500) },
      );
    return parsePowercfgRequests(r.stdout).blockers;
  }

  /**
   * What systeminformation has no answer for: the OS and whether a battery is there. Maker, model,
   * chassis and the battery's capacities come from systeminformation (service/hardware-reader.ts).
   */
  inventory(): Promise<Inventory> {
    this.inventoryCache ??= (async () => {
      const inv: Inventory = { os: 'windows' };
      const version = this.osVersion().replace(/\s+/g, ' ').trim();
      if (version) inv.osVersion = version.slice(0, 100);
      const b = await this.battery().catch(() => undefined);
      // a failed reading says nothing about the battery: left out rather than "none"
      if (b !== undefined) inv.battery = { hasBattery: b !== null };
      return inv;
    })();
    return this.inventoryCache;
  }

  async apply(target: SettingsTarget, mode: 'policy' | 'restore'): Promise<ApplyOutcome> {
    const { allowed, errors } = checkTarget(target, mode);
    let wrote = false;
    for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
      const per = allowed[key];
      if (!per) continue;
      for (const src of ['ac', 'battery'] as const) {
        const v = per[src];
        if (v === undefined) continue;
        const r = await this.runner.run('powercfg', powercfgSetArgs(key, src, v ?? 0));
        if (r.code === 0) {
          wrote = true;
          continue;
        }
        const text = (r.stdout + r.stderr).trim().slice(0, 300);
        errors.push({
          setting: `${key}.${src}`,
          code: key === 'brightnessPct' ? ErrorCode.Unsupported : ErrorCode.CommandFailed,
          message:
            key === 'brightnessPct'
              ? `no plan brightness setting on this device (desktop monitor?): ${text}`
              : `powercfg refused the value: ${text}`,
        });
      }
    }
    if (wrote) {
      const r = await this.runner.run('powercfg', ['/setactive', 'SCHEME_CURRENT']);
      if (r.code !== 0)
        errors.push({
          setting: 'scheme',
          code: ErrorCode.CommandFailed,
          message: 'powercfg /setactive failed',
        });
    }
    if (allowed.schedule !== undefined) {
      const r =
        allowed.schedule === null
          ? await this.runner.run('schtasks', schtasksDeleteArgs())
          : await this.runner.run('schtasks', schtasksCreateArgs(allowed.schedule));
      if (r.code !== 0 && allowed.schedule !== null)
        errors.push({
          setting: 'schedule',
          code: ErrorCode.NeedsAdmin,
          message: `schtasks could not create the SYSTEM task (needs admin): ${(r.stdout + r.stderr).trim().slice(0, 200)}`,
        });
    }
    const applied = await this.readSettings();
    // read back: whatever differs is overridden (Group Policy) or ignored by the OS
    for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
      const per = allowed[key];
      if (!per) continue;
      const lock = await this.policyLock(key);
      for (const src of ['ac', 'battery'] as const) {
        if (per[src] === undefined) continue;
        const want = per[src];
        const got = applied[key][src];
        if (got === want || (got === undefined && errors.some((e) => e.setting === `${key}.${src}`)))
          continue;
        const locked = src === 'ac' ? lock.ac : lock.dc;
        errors.push({
          setting: `${key}.${src}`,
          code: ErrorCode.OverriddenByPolicy,
          message:
            locked !== undefined
              ? `Group Policy holds ${locked} (registry ${POLICY_KEY}\\${SETTINGS[key].guid}); wrote ${want ?? 'never'}`
              : `read back ${got ?? 'never'} after writing ${want ?? 'never'}`,
        });
      }
    }
    return { applied, errors };
  }

  /** WMI WmiMonitorBrightness; null where there is no such panel (WBEM_E_NOT_SUPPORTED on desktops). */
  async panelPct(): Promise<number | null> {
    try {
      const panels = parseWmiMonitorBrightness(await runPowerShell(this.runner, BRIGHTNESS_SCRIPT));
      return panels.length > 0 ? Math.max(...panels.map((p) => p.currentPct)) : null;
    } catch {
      return null;
    }
  }

  /** WmiSetBrightness on every internal panel (one-shot PowerShell). */
  async setPanelPct(pct: number): Promise<void> {
    await runPowerShell(this.runner, setBrightnessScript(pct));
  }

  async sleepNow(): Promise<void> {
    await runPowerShell(this.runner, SLEEP_SCRIPT);
  }

  private async elevated(): Promise<boolean> {
    const r = await this.runner.run('whoami', ['/groups']);
    return r.code === 0 && r.stdout.includes(HIGH_INTEGRITY_SID);
  }

  async capabilities(): Promise<Capability[]> {
    const caps: Capability[] = [];
    const admin = await this.elevated();
    const idle = await this.idleMs();
    caps.push(
      idle === 'unknown'
        ? {
            id: 'idle-time',
            status: 'unsupported',
            detail: `GetLastInputInfo: ${this.lastIdleError || 'no answer'}`,
          }
        : {
            id: 'idle-time',
            status: 'readable',
            detail: `GetLastInputInfo through a one-shot PowerShell (now ${Math.round(idle / 1000)} s); the service in session 0 takes idle time from the tray`,
          },
    );
    const src = await this.powerSource();
    caps.push({
      id: 'power-source',
      status: src === 'unknown' ? 'unsupported' : 'readable',
      detail: `Win32_Battery.BatteryStatus in a one-shot PowerShell, reused ${Math.round(this.powerSourceMaxAgeMs / 1000)} s; the service prefers the tray's powerMonitor (now ${src})`,
    });
    caps.push({
      id: 'display-state',
      status: 'unsupported',
      detail: 'needs a native GUID_CONSOLE_DISPLAY_STATE notification handler (not in this build)',
    });
    for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
      const id = {
        sleepAfterSec: 'sleep-timeout',
        displayOffAfterSec: 'display-timeout',
        brightnessPct: 'brightness',
      }[key];
      const cur = await this.query(key).catch(() => null);
      if (!cur) {
        caps.push({
          id,
          status: 'unsupported',
          detail: `powercfg has no ${SETTINGS[key].guid} in the active scheme`,
        });
        continue;
      }
      // probe the ACL by writing the current value back (no change)
      const w = await this.runner.run('powercfg', powercfgSetArgs(key, 'ac', cur.ac));
      const lock = await this.policyLock(key);
      const locked = lock.ac !== undefined || lock.dc !== undefined;
      caps.push({
        id,
        status:
          w.code === 0 && !locked
            ? 'enforceable'
            : locked
              ? 'needs-admin'
              : w.code === 0
                ? 'enforceable'
                : 'readable',
        detail: locked
          ? `locked by Group Policy (${POLICY_KEY}\\${SETTINGS[key].guid})`
          : w.code === 0
            ? `powercfg /setacvalueindex + /setdcvalueindex (seconds/%), read back with /q`
            : `powercfg refused a write: ${(w.stdout + w.stderr).trim().slice(0, 120)}`,
      });
    }
    const req = await this.runner.run('powercfg', ['/requests']);
    caps.push(
      req.code === 0
        ? { id: 'blockers', status: 'readable', detail: 'powercfg /requests (elevated)' }
        : {
            id: 'blockers',
            status: 'needs-admin',
            detail: 'powercfg /requests requires an elevated process',
          },
    );
    caps.push({
      id: 'schedule',
      status: admin ? 'enforceable' : 'needs-admin',
      detail: 'Task Scheduler task \\Sluimer\\PowerAction running as SYSTEM (schtasks)',
    });
    caps.push({
      id: 'sleep-now',
      status: 'enforceable',
      detail: 'SetSuspendState(FALSE, FALSE, FALSE) through .NET, never rundll32',
    });
    return caps;
  }

  onEvent(_listener: (event: PowerEvent) => void): () => void {
    // Live power events come from Electron powerMonitor in the tray on Windows; nothing to poll here.
    return () => {};
  }

  async close(): Promise<void> {
    // nothing resident to stop
  }
}
