import { batteryHealthPct, deviceAge, projectBattery } from '@sluimer/shared';
import type { DeviceRecord, Store } from '../store/types.js';

/**
 * A device's lifecycle figures for its detail page (issue 11, first part): battery health now, its
 * monthly trend and projection, and the device's age with the date it counts from. No purchase
 * dates are imported yet, so the age comes from the BIOS date, else the day of enrollment.
 */
export async function deviceLifecycle(store: Store, d: DeviceRecord, now = Date.now()) {
  const readings = await store.batteryReadings(d.id);
  const battery = d.inventory.battery;
  return {
    batteryHealthPct: batteryHealthPct(battery),
    cycleCount: battery?.cycleCount ?? null,
    batteryTrend: readings.map((r) => ({ month: r.month, healthPct: r.healthPct, cycleCount: r.cycleCount })),
    batteryProjection: projectBattery(readings),
    age: deviceAge(
      { biosDate: d.inventory.bios?.releaseDate ?? null, firstSeen: new Date(d.enrolledAt).toISOString() },
      new Date(now),
    ),
  };
}
export type DeviceLifecycle = Awaited<ReturnType<typeof deviceLifecycle>>;
