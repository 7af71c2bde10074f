import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatteryInfo, PowerSourceKind } from '../types.js';
import { parseUevent } from './parsers.js';

/**
 * /sys/class/power_supply and /sys/class/backlight readers. The class directory is a parameter so
 * tests point it at a fake tree. Adapter names vary (AC, AC0, ACAD, ADP0, ADP1, …): supplies are
 * chosen by their `type`, never by name.
 *
 * Read synchronously on purpose: sysfs attributes are made by the kernel in memory when read and never
 * wait for a disk, so a read takes microseconds, while each asynchronous read wakes a libuv pool thread
 * and then the main thread again. The service reads these at every report, and those wake-ups were
 * a large share of what an idle device spent on the agent (docs/benchmarks.md).
 */

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export interface SupplyState {
  name: string;
  type: string;
  props: Map<string, string>;
}

export async function readSupplies(dir: string): Promise<SupplyState[]> {
  const out: SupplyState[] = [];
  for (const name of list(dir)) {
    const uevent = readText(join(dir, name, 'uevent'));
    const props = uevent ? parseUevent(uevent) : new Map<string, string>();
    for (const f of ['type', 'online', 'status', 'capacity', 'scope']) {
      const key = f.toUpperCase();
      if (!props.has(key)) {
        const v = readText(join(dir, name, f));
        if (v !== null) props.set(key, v);
      }
    }
    out.push({ name, type: props.get('TYPE') ?? '', props });
  }
  return out;
}

/** System batteries only: peripherals (mouse, keyboard) report `scope=Device`. */
export const systemBatteries = (s: SupplyState[]) =>
  s.filter((x) => x.type === 'Battery' && (x.props.get('SCOPE') ?? 'System') !== 'Device');

/** AC when any Mains supply is online; cross-checked with the battery status (stale ACPI adapters). */
export function powerSourceFrom(supplies: SupplyState[]): PowerSourceKind | 'unknown' {
  const mains = supplies.filter((s) => s.type === 'Mains' || s.type === 'USB' || s.type === 'USB_C');
  const bats = systemBatteries(supplies);
  const online = mains.some((m) => m.props.get('ONLINE') === '1');
  const status = bats.map((b) => (b.props.get('STATUS') ?? '').toLowerCase());
  if (bats.length === 0) return 'ac'; // no battery: a desktop runs on mains
  if (status.includes('discharging')) return 'battery';
  if (online) return 'ac';
  if (status.some((s) => s === 'charging' || s === 'full' || s === 'not charging')) return 'ac';
  if (mains.length > 0) return 'battery';
  return 'unknown';
}

const num = (v: string | undefined) =>
  v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;

/** The live battery from a uevent map: charge and whether it charges (capacities: systeminformation). */
export function batteryFrom(props: Map<string, string>): BatteryInfo {
  const b: BatteryInfo = { hasBattery: true };
  const cap = num(props.get('CAPACITY'));
  if (cap !== undefined && cap >= 0 && cap <= 100) b.percent = cap;
  const status = (props.get('STATUS') ?? '').toLowerCase();
  if (status) b.charging = status === 'charging';
  return b;
}

export interface Backlight {
  name: string;
  type: string;
  brightness: number;
  max: number;
  /** 0 = on, 4 = off (FB_BLANK_POWERDOWN) */
  blPower?: number;
}

const TYPE_ORDER = ['firmware', 'platform', 'raw'];

/**
 * Every backlight device, preferred first: firmware, then platform, then raw (choice unverified, see
 * docs/platforms-support.md).
 */
export async function readBacklights(dir: string): Promise<Backlight[]> {
  const out: Backlight[] = [];
  for (const name of list(dir)) {
    const max = num(readText(join(dir, name, 'max_brightness')) ?? undefined);
    const cur =
      num(readText(join(dir, name, 'actual_brightness')) ?? undefined) ??
      num(readText(join(dir, name, 'brightness')) ?? undefined);
    if (!max || max <= 0 || cur === undefined) continue;
    const bl: Backlight = {
      name,
      type: readText(join(dir, name, 'type')) ?? 'raw',
      brightness: cur,
      max,
    };
    const p = num(readText(join(dir, name, 'bl_power')) ?? undefined);
    if (p !== undefined) bl.blPower = p;
    out.push(bl);
  }
  const rank = (t: string) => (TYPE_ORDER.indexOf(t) < 0 ? 9 : TYPE_ORDER.indexOf(t));
  return out.sort((a, b) => rank(a.type) - rank(b.type));
}

export const percentOf = (b: Backlight) => Math.round((b.brightness * 100) / b.max);
/** Raw value for a cap, never 0 (a black panel is never "applied"). */
export const rawFor = (b: Backlight, pct: number) => Math.max(1, Math.floor((pct * b.max) / 100));

export async function writeBrightness(dir: string, name: string, raw: number): Promise<void> {
  await writeFile(join(dir, name, 'brightness'), `${raw}\n`);
}
