import type { OptionFigures } from '../api/lifecycle.js';
import { type DeviceClass, EMBODIED } from '../energy.js';
import type { BatteryProjection } from '../lifecycle.js';
import { LIFECYCLE_OPTION_FIGURES } from './options.js';

/** the € and kg CO2e per class the options are priced with (defaults, or `optionFigures(settings)`) */
export type OptionFigureTable = Readonly<Record<DeviceClass, OptionFigures>>;

/** What the advice rules need to know about one device; everything may be unknown. */
export interface LifecycleFacts {
  deviceClass: DeviceClass;
  /** age in years (purchase date, BIOS date or first seen), null when none is known */
  ageYears: number | null;
  hasBattery: boolean;
  batteryHealthPct: number | null;
  projection?: BatteryProjection | null;
  memoryBytes?: number | undefined;
  disks?: readonly {
    type?: 'ssd' | 'nvme' | 'hdd' | 'other' | undefined;
    smart?: 'ok' | 'failing' | undefined;
  }[];
}

export const ADVICE_KINDS = ['keep', 'replace-battery', 'upgrade', 'refurbish', 'replace'] as const;
export type AdviceKind = (typeof ADVICE_KINDS)[number];

/** the rule that decided, so the console can say why (docs/lifecycle.md "Advice rules") */
export const ADVICE_RULES = [
  'service-life-over',
  'disk-failing-no-repair',
  'disk-failing',
  'battery-worn',
  'hard-disk',
  'memory-low',
  'past-expected-life',
  'healthy',
  'age-unknown',
] as const;
export type AdviceRule = (typeof ADVICE_RULES)[number];

export type UpgradePart = 'memory' | 'ssd';

export interface LifecycleOption {
  kind: AdviceKind;
  /** what this option costs now, incl. VAT */
  eur: number;
  /** kg CO2e of what it takes to make the parts or the new device */
  kgCo2e: number;
  /** the years of use it buys (a new device: its expected lifetime) */
  extraYears: number;
  /** kg CO2e per year of use it buys; 0 for keep */
  kgPerYear: number;
  parts?: UpgradePart[];
}

export interface Advice {
  kind: AdviceKind;
  rule: AdviceRule;
  /** parts an `upgrade` means */
  parts?: UpgradePart[];
  /** every option that applies to this device, cheapest in CO2e first, side by side */
  options: LifecycleOption[];
}

/** below this a battery counts as worn: the usual warranty and industry threshold */
export const BATTERY_WORN_PCT = 80;
/** a Windows or Linux machine with less memory than this is slow enough to be replaced for it */
export const MEMORY_LOW_BYTES = 8 * 1024 ** 3;
/** years of use a battery swap, upgrade or refurbishment buys [A] */
export const EXTRA_YEARS = 2;
/** years past the expected lifetime after which parts, updates and repairs stop being worth it [A] */
export const SERVICE_LIFE_MARGIN_YEARS = 3;

const hasSlowDisk = (f: LifecycleFacts) => (f.disks ?? []).some((d) => d.type === 'hdd');
const diskFailing = (f: LifecycleFacts) => (f.disks ?? []).some((d) => d.smart === 'failing');

function upgradeParts(f: LifecycleFacts, figures: OptionFigureTable): UpgradePart[] {
  const fig = figures[f.deviceClass];
  const parts: UpgradePart[] = [];
  if (fig.ssdEur !== null && (hasSlowDisk(f) || diskFailing(f))) parts.push('ssd');
  if (fig.memoryEur !== null && f.memoryBytes !== undefined && f.memoryBytes < MEMORY_LOW_BYTES)
    parts.push('memory');
  return parts;
}

/** The options that apply to a device with their € and kg CO2e, for the side-by-side view. */
export function lifecycleOptions(
  f: LifecycleFacts,
  figures: OptionFigureTable = LIFECYCLE_OPTION_FIGURES,
): LifecycleOption[] {
  const fig = figures[f.deviceClass];
  const emb = EMBODIED[f.deviceClass];
  const option = (
    kind: AdviceKind,
    eur: number,
    kg: number,
    years: number,
    parts?: UpgradePart[],
  ): LifecycleOption => ({
    kind,
    eur,
    kgCo2e: kg,
    extraYears: years,
    kgPerYear: years > 0 ? kg / years : 0,
    ...(parts ? { parts } : {}),
  });
  const out: LifecycleOption[] = [option('keep', 0, 0, 0)];
  if (f.hasBattery && fig.batteryEur !== null && fig.batteryKg !== null) {
    out.push(option('replace-battery', fig.batteryEur, fig.batteryKg, EXTRA_YEARS));
  }
  const parts = upgradeParts(f, figures);
  if (parts.length) {
    const eur = parts.reduce((s, p) => s + ((p === 'ssd' ? fig.ssdEur : fig.memoryEur) ?? 0), 0);
    const kg = parts.reduce((s, p) => s + ((p === 'ssd' ? fig.ssdKg : fig.memoryKg) ?? 0), 0);
    out.push(option('upgrade', eur, kg, EXTRA_YEARS, parts));
  }
  out.push(option('refurbish', fig.refurbishEur, fig.refurbishKg, EXTRA_YEARS));
  out.push(option('replace', fig.newDeviceEur, emb.kg, emb.lifetimeYears));
  return out;
}

/**
 * Keep / replace the battery / upgrade / refurbish / replace, first rule that applies wins:
 * 1. older than the expected lifetime + 3 years → replace (service-life-over)
 * 2. a disk reports SMART failure: an SSD where the class takes one (disk-failing), else replace
 * 3. battery below 80 % → replace the battery (battery-worn)
 * 4. a hard disk, or less than 8 GB memory where it can be added → upgrade (hard-disk, memory-low)
 * 5. older than the expected lifetime → refurbish (past-expected-life)
 * 6. otherwise keep (healthy, or age-unknown when no date is known)
 */
export function adviseDevice(
  f: LifecycleFacts,
  figures: OptionFigureTable = LIFECYCLE_OPTION_FIGURES,
): Advice {
  const lifetime = EMBODIED[f.deviceClass].lifetimeYears;
  const options = lifecycleOptions(f, figures);
  const parts = upgradeParts(f, figures);
  const advice = (kind: AdviceKind, rule: AdviceRule, withParts?: UpgradePart[]): Advice => ({
    kind,
    rule,
    ...(withParts?.length ? { parts: withParts } : {}),
    options,
  });
  if (f.ageYears !== null && f.ageYears >= lifetime + SERVICE_LIFE_MARGIN_YEARS) {
    return advice('replace', 'service-life-over');
  }
  if (diskFailing(f)) {
    return parts.includes('ssd')
      ? advice('upgrade', 'disk-failing', parts)
      : advice('replace', 'disk-failing-no-repair');
  }
  if (f.hasBattery && f.batteryHealthPct !== null && f.batteryHealthPct < BATTERY_WORN_PCT) {
    return advice('replace-battery', 'battery-worn');
  }
  if (parts.length) return advice('upgrade', parts.includes('ssd') ? 'hard-disk' : 'memory-low', parts);
  if (f.ageYears !== null && f.ageYears >= lifetime) return advice('refurbish', 'past-expected-life');
  return advice('keep', f.ageYears === null ? 'age-unknown' : 'healthy');
}
