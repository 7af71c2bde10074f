import type { FleetLifecycle, LifetimeExtension } from '../api/lifecycle.js';
import { EMBODIED } from '../energy.js';
import {
  type AdviceKind,
  adviseDevice,
  EXTRA_YEARS,
  type LifecycleFacts,
  type OptionFigureTable,
} from './advice.js';
import { LIFECYCLE_OPTION_FIGURES } from './options.js';

/** Age buckets in whole years: [0,1), [1,2) … [6,7), 7 and older. */
export const AGE_BUCKETS = ['0-1', '1-2', '2-3', '3-4', '4-5', '5-6', '6-7', '7+'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];
/** Battery health buckets, best first. */
export const BATTERY_BUCKETS = ['90+', '80-90', '70-80', '60-70', '<60'] as const;
export type BatteryBucket = (typeof BATTERY_BUCKETS)[number];

export function ageBucket(years: number): AgeBucket {
  const i = Math.min(7, Math.max(0, Math.floor(years)));
  return AGE_BUCKETS[i] as AgeBucket;
}

export function batteryBucket(pct: number): BatteryBucket {
  if (pct >= 90) return '90+';
  if (pct >= 80) return '80-90';
  if (pct >= 70) return '70-80';
  if (pct >= 60) return '60-70';
  return '<60';
}

/**
 * What keeping every device `extraYears` longer avoids: each device's embodied CO2e spread over its
 * class lifetime L instead of L + extraYears, summed (docs/energy-model.md, "Embodied carbon and lifetime").
 * `fromYears` is the fleet's mean expected lifetime, so the sentence reads "from N to N+2 years".
 */
export function lifetimeExtension(
  devices: readonly Pick<LifecycleFacts, 'deviceClass'>[],
  extraYears = EXTRA_YEARS,
): LifetimeExtension {
  let years = 0;
  let now = 0;
  let later = 0;
  for (const d of devices) {
    const e = EMBODIED[d.deviceClass];
    years += e.lifetimeYears;
    now += e.kg / e.lifetimeYears;
    later += e.kg / (e.lifetimeYears + extraYears);
  }
  const n = devices.length;
  const fromYears = n ? years / n : 0;
  return {
    devices: n,
    fromYears,
    toYears: fromYears + extraYears,
    embodiedKgPerYear: now,
    extendedKgPerYear: later,
    avoidedKgPerYear: now - later,
  };
}

export interface FleetDevice extends LifecycleFacts {
  id: number;
}

/**
 * Fleet figures for the Levensduur page and the annual report, from per-device facts, the options
 * priced with the figures in force.
 */
export function fleetLifecycle(
  devices: readonly FleetDevice[],
  figures: OptionFigureTable = LIFECYCLE_OPTION_FIGURES,
  extraYears = EXTRA_YEARS,
): FleetLifecycle {
  const ages = new Map<AgeBucket | 'unknown', number>();
  const batteries = new Map<BatteryBucket | 'unknown', number>();
  const advice = Object.fromEntries(
    (['keep', 'replace-battery', 'upgrade', 'refurbish', 'replace'] as const).map((k) => [k, 0]),
  ) as Record<AdviceKind, number>;
  const batterySwapIds: number[] = [];
  const swap = { eur: 0, kgCo2e: 0, replaceEur: 0, replaceKgCo2e: 0 };
  let ageSum = 0;
  let aged = 0;
  for (const d of devices) {
    const a = d.ageYears === null ? 'unknown' : ageBucket(d.ageYears);
    ages.set(a, (ages.get(a) ?? 0) + 1);
    if (d.ageYears !== null) {
      ageSum += d.ageYears;
      aged++;
    }
    if (d.hasBattery) {
      const b = d.batteryHealthPct === null ? 'unknown' : batteryBucket(d.batteryHealthPct);
      batteries.set(b, (batteries.get(b) ?? 0) + 1);
    }
    const adv = adviseDevice(d, figures);
    advice[adv.kind]++;
    if (adv.kind === 'replace-battery') {
      batterySwapIds.push(d.id);
      const bat = adv.options.find((o) => o.kind === 'replace-battery');
      const repl = adv.options.find((o) => o.kind === 'replace');
      swap.eur += bat?.eur ?? 0;
      swap.kgCo2e += bat?.kgCo2e ?? 0;
      swap.replaceEur += repl?.eur ?? 0;
      swap.replaceKgCo2e += repl?.kgCo2e ?? 0;
    }
  }
  return {
    devices: devices.length,
    ageDistribution: [...AGE_BUCKETS, 'unknown' as const].map((bucket) => ({
      bucket,
      count: ages.get(bucket) ?? 0,
    })),
    batteryDistribution: [...BATTERY_BUCKETS, 'unknown' as const].map((bucket) => ({
      bucket,
      count: batteries.get(bucket) ?? 0,
    })),
    advice,
    batterySwapIds,
    meanAgeYears: aged ? ageSum / aged : null,
    extension: lifetimeExtension(devices, extraYears),
    batterySwap: swap,
  };
}
