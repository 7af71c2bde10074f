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
import {
  parseHidIdleTimeMs,
  parsePmsetAssertions,
  parsePmsetBatt,
  parsePmsetSections,
  pmsetRepeatArgs,
  scheduleFromSched,
  sectionSource,
} from './pmset.js';

export const CMD = {
  idle: ['ioreg', ['-c', 'IOHIDSystem', '-d', '4', '-k', 'HIDIdleTime']],
  custom: ['pmset', ['-g', 'custom']],
  batt: ['pmset', ['-g', 'batt']],
  assertions: ['pmset', ['-g', 'assertions']],
  sched: ['pmset', ['-g', 'sched']],
  displayState: ['pmset', ['-g', 'powerstate', 'IODisplayWrangler']],
  sleepNow: ['pmset', ['sleepnow']],
  osVersion: ['sw_vers', ['-productVersion']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

/** `pmset -c|-b sleep N displaysleep M`: minutes (seconds rounded up), 0 = never. */
export function pmsetSetArgs(
  source: PowerSourceKind,
  values: { sleep?: number | null; displaysleep?: number | null },
): string[] {
  const args = [source === 'ac' ? '-c' : '-b'];
  for (const key of ['sleep', 'displaysleep'] as const) {
    const v = values[key];
    if (v === undefined) continue;
    args.push(key, String(v === null ? 0 : Math.ceil(v / 60)));
  }
  return args;
}

export interface MacosAdapterOptions {
  runner?: CommandRunner;
  uid?: number;
}

export class MacosAdapter implements PlatformAdapter {
  readonly os = 'macos' as const;
  /** pmset keeps -c and -b values and macOS switches itself; there is no brightness cap to re-apply. */
  readonly sourceBound = [] as const;
  private readonly runner: CommandRunner;
  private readonly uid: number;
  private inventoryCache: Promise<Inventory> | null = null;

  constructor(options: MacosAdapterOptions = {}) {
    this.runner = options.runner ?? execFileRunner();
    this.uid = options.uid ?? process.getuid?.() ?? -1;
  }

  private run(cmd: readonly [string, readonly string[]]) {
    return this.runner.run(cmd[0], cmd[1]);
  }

  /** `ioreg` HIDIdleTime (ns); one small process per sample, readable without root. */
  async idleMs(): Promise<Known<number>> {
    const r = await this.run(CMD.idle);
    const v = r.code === 0 ? parseHidIdleTimeMs(r.stdout) : null;
    return v ?? 'unknown';
  }

  async powerSource(): Promise<Known<PowerSourceKind>> {
    const r = await this.run(CMD.batt);
    const b = r.code === 0 ? parsePmsetBatt(r.stdout) : null;
    if (!b?.source) return 'unknown';
    return b.source === 'battery' ? 'battery' : 'ac';
  }

  async displayState(): Promise<Known<'on' | 'off'>> {
    const r = await this.run(CMD.displayState);
    const m = r.code === 0 ? /IODisplayWrangler\s+(\d+)/.exec(r.stdout) : null;
    if (!m) return 'unknown'; // IODisplayWrangler may be absent on Apple Silicon (unverified)
    return Number(m[1]) >= 4 ? 'on' : 'off';
  }

  async battery(): Promise<BatteryInfo | null> {
    const batt = await this.run(CMD.batt);
    const live = batt.code === 0 ? parsePmsetBatt(batt.stdout) : null;
    if (!live?.hasBattery) return null;
    const b: BatteryInfo = { hasBattery: true };
    if (live.percent !== undefined) b.percent = live.percent;
    if (live.charging !== undefined) b.charging = live.charging;
    return b;
  }

  async readSettings(): Promise<PowerSettings> {
    const r = await this.run(CMD.custom);
    const settings: PowerSettings = { sleepAfterSec: {}, displayOffAfterSec: {}, brightnessPct: {} };
    if (r.code === 0) {
      for (const [header, keys] of parsePmsetSections(r.stdout)) {
        const src = sectionSource(header);
        if (src !== 'ac' && src !== 'battery') continue;
        const read = (key: string, into: PerSource<number>) => {
          const v = keys.get(key)?.value;
          if (v !== undefined && /^\d+$/.test(v)) into[src] = v === '0' ? null : Number(v) * 60;
        };
        read('sleep', settings.sleepAfterSec);
        read('displaysleep', settings.displayOffAfterSec);
      }
    }
    const s = await this.run(CMD.sched);
    // pmset failing says nothing about the schedule: left unknown, never "none"
    if (s.code === 0) settings.schedule = scheduleFromSched(s.stdout);
    return settings;
  }

  async blockers(): Promise<Blocker[]> {
    const r = await this.run(CMD.assertions);
    if (r.code !== 0)
      throw new SluimerError(
        ErrorCode.CommandFailed,
        `pmset -g assertions failed: ${r.stderr.trim().slice(0, 200)}`,
      );
    // coreaudiod holds audio assertions "Created for PID: N": resolve N to its process name
    const pids = [...r.stdout.matchAll(/Created for PID:\s*(\d+)/g)].map((m) => m[1]!);
    const names = new Map<number, string>();
    if (pids.length) {
      const ps = await this.runner.run('ps', ['-o', 'pid=,comm=', '-p', [...new Set(pids)].join(',')]);
      for (const line of ps.stdout.split('\n')) {
        const m = /^\s*(\d+)\s+(.+)$/.exec(line);
        if (m) names.set(Number(m[1]), m[2]!.trim().split('/').pop()!);
      }
    }
    return parsePmsetAssertions(r.stdout, names).blockers;
  }

  /**
   * What systeminformation has no answer for here: the OS version and whether a battery is there.
   * Model, chassis and the battery's capacities and cycles come from systeminformation
   * (service/hardware-reader.ts), which reads the same ioreg data once a day.
   */
  inventory(): Promise<Inventory> {
    this.inventoryCache ??= (async () => {
      const inv: Inventory = { os: 'macos' };
      const ver = await this.run(CMD.osVersion);
      if (ver.code === 0 && ver.stdout.trim()) inv.osVersion = `macOS ${ver.stdout.trim()}`.slice(0, 100);
      const batt = await this.run(CMD.batt);
      // pmset failing says nothing about the battery: left out rather than "none"
      if (batt.code === 0) inv.battery = { hasBattery: parsePmsetBatt(batt.stdout).hasBattery };
      return inv;
    })();
    return this.inventoryCache;
  }

  async apply(target: SettingsTarget, mode: 'policy' | 'restore'): Promise<ApplyOutcome> {
    const { allowed, errors } = checkTarget(target, mode);
    const root = this.uid === 0;
    for (const src of ['ac', 'battery'] as const) {
      const values: { sleep?: number | null; displaysleep?: number | null } = {};
      const sl = allowed.sleepAfterSec?.[src];
      const ds = allowed.displayOffAfterSec?.[src];
      if (sl !== undefined) values.sleep = sl;
      if (ds !== undefined) values.displaysleep = ds;
      if (Object.keys(values).length === 0) continue;
      if (!root) {
        for (const k of Object.keys(values))
          errors.push({
            setting: `${k === 'sleep' ? 'sleepAfterSec' : 'displayOffAfterSec'}.${src}`,
            code: ErrorCode.NeedsAdmin,
            message: 'pmset needs root: run the Sluimer service as a LaunchDaemon',
          });
        continue;
      }
      const r = await this.runner.run('pmset', pmsetSetArgs(src, values));
      if (r.code !== 0)
        errors.push({
          setting: `pmset.${src}`,
          code: ErrorCode.CommandFailed,
          message: `pmset failed: ${r.stderr.trim().slice(0, 200)}`,
        });
    }
    if (allowed.brightnessPct)
      errors.push({
        setting: 'brightnessPct',
        code: ErrorCode.Unsupported,
        message: 'macOS has no public brightness API (DisplayServices is private and fails on M1–M3/Sonoma)',
      });
    if (allowed.schedule !== undefined) {
      if (!root)
        errors.push({ setting: 'schedule', code: ErrorCode.NeedsAdmin, message: 'pmset repeat needs root' });
      else {
        // `repeat cancel` also removes schedules of other tools; only one repeating pair exists anyway
        const r =
          allowed.schedule === null
            ? await this.runner.run('pmset', ['repeat', 'cancel'])
            : await this.runner.run('pmset', pmsetRepeatArgs(allowed.schedule));
        if (r.code !== 0)
          errors.push({
            setting: 'schedule',
            code: ErrorCode.CommandFailed,
            message: `pmset repeat failed: ${r.stderr.trim().slice(0, 200)}`,
          });
      }
    }
    const applied = await this.readSettings();
    for (const key of ['sleepAfterSec', 'displayOffAfterSec'] as const) {
      for (const src of ['ac', 'battery'] as const) {
        const want = allowed[key]?.[src];
        if (
          want === undefined ||
          errors.some((e) => e.setting === `${key}.${src}` || e.setting === `pmset.${src}`)
        )
          continue;
        const expected = want === null ? null : Math.ceil(want / 60) * 60;
        const got = applied[key][src];
        if (got !== expected)
          errors.push({
            setting: `${key}.${src}`,
            code: ErrorCode.OverriddenByPolicy,
            message: `read back ${got ?? 'never'} s after writing ${expected ?? 'never'} s (MDM profile or another tool?)`,
          });
      }
    }
    return { applied, errors };
  }

  async sleepNow(): Promise<void> {
    const r = await this.run(CMD.sleepNow);
    if (r.code !== 0)
      throw new SluimerError(ErrorCode.CommandFailed, `pmset sleepnow failed: ${r.stderr.trim()}`);
  }

  async capabilities(): Promise<Capability[]> {
    const root = this.uid === 0;
    const idle = await this.idleMs();
    const settings = await this.run(CMD.custom);
    const asserts = await this.run(CMD.assertions);
    const disp = await this.displayState();
    const src = await this.powerSource();
    const admin = (id: string, detail: string): Capability => ({
      id,
      status: root ? 'enforceable' : 'needs-admin',
      detail,
    });
    return [
      idle === 'unknown'
        ? { id: 'idle-time', status: 'unsupported', detail: 'ioreg gave no HIDIdleTime' }
        : { id: 'idle-time', status: 'readable', detail: 'ioreg IOHIDSystem HIDIdleTime (ns)' },
      {
        id: 'power-source',
        status: src === 'unknown' ? 'unsupported' : 'readable',
        detail: `pmset -g batt (now ${src})`,
      },
      {
        id: 'display-state',
        status: disp === 'unknown' ? 'unsupported' : 'readable',
        detail:
          disp === 'unknown'
            ? 'no IODisplayWrangler power state (Apple Silicon?)'
            : 'pmset -g powerstate IODisplayWrangler',
      },
      settings.code === 0
        ? admin('sleep-timeout', 'pmset -c/-b sleep (minutes), read back with pmset -g custom')
        : { id: 'sleep-timeout', status: 'unsupported', detail: 'pmset -g custom failed' },
      settings.code === 0
        ? admin('display-timeout', 'pmset -c/-b displaysleep (minutes)')
        : { id: 'display-timeout', status: 'unsupported', detail: 'pmset -g custom failed' },
      {
        id: 'brightness',
        status: 'unsupported',
        detail: 'no public brightness API on macOS (best effort only, not in this build)',
      },
      asserts.code === 0
        ? { id: 'blockers', status: 'readable', detail: 'pmset -g assertions' }
        : { id: 'blockers', status: 'unsupported', detail: 'pmset -g assertions failed' },
      admin('schedule', 'pmset repeat sleep|shutdown <days> HH:MM:SS (one repeating pair only)'),
      {
        id: 'sleep-now',
        status: root ? 'enforceable' : 'needs-admin',
        detail: 'pmset sleepnow (without root: unverified)',
      },
    ];
  }

  onEvent(_listener: (event: PowerEvent) => void): () => void {
    // live events come from Electron powerMonitor in the tray on macOS
    return () => {};
  }
}
