import type { Inventory } from './inventory.js';

/** Battery health in % (full-charge ÷ design capacity, same unit), or null when either is unknown. */
export function batteryHealthPct(battery: Inventory['battery']): number | null {
  if (!battery?.hasBattery) return null;
  const pairs: [number | undefined, number | undefined][] = [
    [battery.fullCapacityWh, battery.designCapacityWh],
    [battery.fullCapacityMah, battery.designCapacityMah],
  ];
  for (const [full, design] of pairs) {
    if (full !== undefined && design !== undefined && design > 0 && full > 0) {
      return Math.round((full / design) * 1000) / 10;
    }
  }
  return null;
}

/** One month's battery reading: month as YYYY-MM. */
export interface MonthlyHealth {
  month: string;
  healthPct: number;
}

/** months since year 0, so a straight line over calendar months ignores their different lengths */
function monthIndex(month: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error(`month must be YYYY-MM, got "${month}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

function monthLabel(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export interface BatteryProjection {
  /** health change per month from the least-squares line (negative: wearing) */
  slopePctPerMonth: number;
  /** first month the line is below 80 % / 60 %; null when it already was at the last reading's month */
  below80: string | null;
  below60: string | null;
}

/**
 * Least-squares line through the monthly readings, and the first months it falls below 80 % and 60 %.
 * None (null) with fewer than 2 distinct months or a line that does not decline: no projection is
 * better than one drawn from noise.
 */
export function projectBattery(readings: readonly MonthlyHealth[]): BatteryProjection | null {
  const byMonth = new Map<number, number>();
  for (const r of readings) byMonth.set(monthIndex(r.month), r.healthPct);
  if (byMonth.size < 2) return null;
  const xs = [...byMonth.keys()];
  const ys = [...byMonth.values()];
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  const slope = sxy / sxx;
  if (!(slope < 0)) return null;
  const last = Math.max(...xs);
  const crossing = (threshold: number): string | null => {
    // first whole month where the line is below the threshold, never before the last reading
    const x = Math.max(last, Math.floor(mx + (threshold - my) / slope) + 1);
    return monthLabel(x);
  };
  return { slopePctPerMonth: Math.round(slope * 100) / 100, below80: crossing(80), below60: crossing(60) };
}

export type AgeSource = 'purchase' | 'bios' | 'first-seen';
export interface DeviceAge {
  /** whole months from the start date to `now` */
  months: number;
  years: number;
  /** which date the age counts from, always shown next to it */
  source: AgeSource;
  since: string;
}

/**
 * Device age from the purchase date, else the BIOS release date (a lower bound: the firmware may be
 * updated, which makes the device look younger), else the day the console first saw it.
 */
export function deviceAge(
  dates: { purchaseDate?: string | null; biosDate?: string | null; firstSeen?: string | null },
  now: Date,
): DeviceAge | null {
  const order: [AgeSource, string | null | undefined][] = [
    ['purchase', dates.purchaseDate],
    ['bios', dates.biosDate],
    ['first-seen', dates.firstSeen],
  ];
  for (const [source, date] of order) {
    const m = date ? /^(\d{4})-(\d{2})-(\d{2})/.exec(date) : null;
    if (!m) continue;
    let months = (now.getUTCFullYear() - Number(m[1])) * 12 + (now.getUTCMonth() + 1 - Number(m[2]));
    if (now.getUTCDate() < Number(m[3])) months -= 1;
    months = Math.max(0, months);
    return { months, years: Math.round((months / 12) * 10) / 10, source, since: m[0] };
  }
  return null;
}
