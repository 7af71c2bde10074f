import {
  adviseDevice,
  batteryHealthPct,
  type DeviceLifecycle,
  deviceAge,
  embodiedShare,
  type LifecycleFacts,
  type OptionFigureTable,
  optionFigures,
  projectBattery,
} from '@sluimer/shared';
import { effectiveClass } from '../energy/energy-profile.js';
import type { BatteryReading, DeviceRecord, PurchaseRecord, Store } from '../store/types.js';

/** What the advice rules know about a device, from its record, readings and purchase data. */
export function lifecycleOf(
  d: DeviceRecord,
  readings: readonly BatteryReading[],
  purchase: PurchaseRecord | null,
  now: number,
  figures: OptionFigureTable,
): DeviceLifecycle {
  const inv = d.inventory;
  const battery = inv.battery;
  const health = batteryHealthPct(battery);
  const projection = projectBattery(readings);
  const months = new Set(readings.map((r) => r.month)).size;
  const hasBattery = battery?.hasBattery === true;
  const age = deviceAge(
    {
      purchaseDate: purchase?.purchaseDate ?? null,
      biosDate: inv.bios?.releaseDate ?? null,
      firstSeen: new Date(d.enrolledAt).toISOString(),
    },
    new Date(now),
  );
  const deviceClass = effectiveClass(d);
  const facts: LifecycleFacts = {
    deviceClass,
    ageYears: age ? age.months / 12 : null,
    hasBattery,
    batteryHealthPct: health,
    projection,
    memoryBytes: inv.memoryBytes,
    disks: inv.disks ?? [],
  };
  return {
    batteryHealthPct: health,
    cycleCount: battery?.cycleCount ?? null,
    batteryTrend: readings.map((r) => ({ month: r.month, healthPct: r.healthPct, cycleCount: r.cycleCount })),
    batteryProjection: projection,
    batteryOutlook: !hasBattery
      ? 'no-battery'
      : projection
        ? 'projected'
        : months < 2
          ? 'too-few-months'
          : 'no-wear',
    age,
    purchase: purchase
      ? {
          purchaseDate: purchase.purchaseDate,
          priceEur: purchase.priceCents === null ? null : purchase.priceCents / 100,
          warrantyEnd: purchase.warrantyEnd,
        }
      : null,
    embodied: embodiedShare(deviceClass),
    advice: adviseDevice(facts, figures),
  };
}

/**
 * A device's lifecycle figures for its detail page (issue 11): battery health now, its monthly trend
 * and projection, the age with the date it counts from, embodied CO2e over the expected lifetime,
 * and the keep / battery / upgrade / refurbish / replace advice with its options side by side, priced
 * with the option figures in force (settings over the defaults).
 */
export async function deviceLifecycle(
  store: Store,
  d: DeviceRecord,
  now = Date.now(),
): Promise<DeviceLifecycle> {
  const [readings, purchases, settings] = await Promise.all([
    store.batteryReadings(d.id),
    store.listPurchases([d.id]),
    store.getSettings(),
  ]);
  return lifecycleOf(d, readings, purchases[0] ?? null, now, optionFigures(settings.lifecycleFigures));
}
