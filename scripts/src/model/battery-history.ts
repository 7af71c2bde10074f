import type { Inventory } from '@sluimer/shared';
import { createRng, hashSeed } from './rng.js';

export interface HistoryReading {
  month: string;
  healthPct: number;
  cycleCount: number | null;
  at: number;
}

/**
 * A demo device's monthly battery readings for the `months` calendar months before `now` (not the
 * current one: the agent's own reading covers that). The wear per month follows from today's health
 * and the device's age (BIOS date), with a little noise, so the console's trend and projection have
 * something to show. The protocol carries only today's reading; the demo writes these next to it.
 */
export function batteryHistoryFor(inv: Inventory, key: string, now: number, months = 12): HistoryReading[] {
  const b = inv.battery;
  if (!b?.hasBattery || !b.designCapacityWh || !b.fullCapacityWh || !inv.bios?.releaseDate) return [];
  const health = (b.fullCapacityWh / b.designCapacityWh) * 100;
  const ageMonths = Math.max(
    1,
    (now - Date.parse(`${inv.bios.releaseDate}T00:00:00Z`)) / (30.44 * 86_400_000),
  );
  const wearPerMonth = Math.max(0, (100 - health) / ageMonths);
  const cyclesPerMonth = b.cycleCount !== undefined ? b.cycleCount / ageMonths : undefined;
  const rng = createRng(hashSeed('battery-history', key));
  const d = new Date(now);
  const out: HistoryReading[] = [];
  for (let k = Math.min(months, Math.floor(ageMonths)); k >= 1; k--) {
    const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 15, 12);
    const m = new Date(at);
    out.push({
      month: `${m.getUTCFullYear()}-${String(m.getUTCMonth() + 1).padStart(2, '0')}`,
      healthPct: Math.round(Math.min(100, health + wearPerMonth * k + rng.range(-0.6, 0.6)) * 10) / 10,
      cycleCount:
        cyclesPerMonth === undefined || b.cycleCount === undefined
          ? null
          : Math.max(0, Math.round(b.cycleCount - cyclesPerMonth * k)),
      at,
    });
  }
  return out;
}
