import { z } from 'zod';
import type { Interval } from './intervals.js';
import { HOUR_MS } from './time.js';

/** The five energy states (docs/energy-model.md, "Energy states"). */
export const ENERGY_STATES = ['active', 'idle_display_on', 'idle_display_off', 'sleep', 'off'] as const;
export type EnergyState = (typeof ENERGY_STATES)[number];

export const DEVICE_CLASSES = ['desktop', 'laptop', 'chromebook', 'tablet', 'all-in-one'] as const;
export const DeviceClassSchema = z.enum(DEVICE_CLASSES);
export type DeviceClass = z.infer<typeof DeviceClassSchema>;

export const DESKTOP_PRESETS = ['default', 'modern', 'older'] as const;
export const DesktopPresetSchema = z.enum(DESKTOP_PRESETS);
export type DesktopPreset = z.infer<typeof DesktopPresetSchema>;

export const MONITOR_SIZES = ['24', '27'] as const;
export const MonitorSizeSchema = z.enum(MONITOR_SIZES);
export type MonitorSize = z.infer<typeof MonitorSizeSchema>;

const watts = z.number().min(0).max(2000);
export const StateWattsSchema = z.object({
  active: watts,
  idle_display_on: watts,
  idle_display_off: watts,
  sleep: watts,
  off: watts,
});
export type StateWatts = z.infer<typeof StateWattsSchema>;

/** Default watts per class and state; sources in docs/energy-model.md. */
export const DEFAULT_CLASS_WATTS: Record<DeviceClass, StateWatts> = {
  desktop: { active: 30, idle_display_on: 20, idle_display_off: 20, sleep: 1.5, off: 0.5 },
  laptop: { active: 15, idle_display_on: 8, idle_display_off: 4, sleep: 1.0, off: 0.3 },
  chromebook: { active: 8, idle_display_on: 4, idle_display_off: 2, sleep: 0.5, off: 0.2 },
  tablet: { active: 4, idle_display_on: 2, idle_display_off: 0.5, sleep: 0.2, off: 0.1 },
  'all-in-one': { active: 35, idle_display_on: 22, idle_display_off: 10, sleep: 1.5, off: 0.5 },
};

export const DESKTOP_PRESET_WATTS: Record<Exclude<DesktopPreset, 'default'>, StateWatts> = {
  modern: { active: 20, idle_display_on: 12, idle_display_off: 12, sleep: 1.0, off: 0.3 },
  older: { active: 60, idle_display_on: 45, idle_display_off: 45, sleep: 3, off: 1.0 },
};

export const DEFAULT_MONITOR_WATTS: Record<MonitorSize, StateWatts> = {
  '24': { active: 15, idle_display_on: 15, idle_display_off: 0.3, sleep: 0.3, off: 0.3 },
  '27': { active: 20, idle_display_on: 20, idle_display_off: 0.3, sleep: 0.3, off: 0.3 },
};

/** Embodied kg CO2e, the range to show, default lifetime in years (docs/energy-model.md). */
export const EMBODIED: Record<
  DeviceClass | `monitor-${MonitorSize}`,
  { kg: number; range: [number, number]; lifetimeYears: number }
> = {
  laptop: { kg: 200, range: [130, 300], lifetimeYears: 4 },
  chromebook: { kg: 140, range: [120, 300], lifetimeYears: 5 },
  desktop: { kg: 250, range: [175, 300], lifetimeYears: 5 },
  'all-in-one': { kg: 300, range: [220, 450], lifetimeYears: 5 },
  tablet: { kg: 70, range: [55, 85], lifetimeYears: 4 },
  'monitor-24': { kg: 120, range: [65, 340], lifetimeYears: 6 },
  'monitor-27': { kg: 150, range: [90, 380], lifetimeYears: 6 },
};

/** Deployment settings: price per kWh and grid factor (docs/energy-model.md). */
export const DEFAULT_PRICE_EUR_PER_KWH = { po: 0.25, vo: 0.2 } as const;
export const DEFAULT_GRID_KG_PER_KWH = 0.27;

export const EnergySettingsSchema = z.object({
  priceEurPerKwh: z.number().min(0).max(5),
  gridKgPerKwh: z.number().min(0).max(2),
  /** per-class overrides, field by field over the defaults */
  classWatts: z.record(z.string(), StateWattsSchema.partial()).optional(),
  monitorWatts: z.record(z.string(), StateWattsSchema.partial()).optional(),
});
export type EnergySettings = z.infer<typeof EnergySettingsSchema>;

export const DEFAULT_ENERGY_SETTINGS: EnergySettings = {
  priceEurPerKwh: DEFAULT_PRICE_EUR_PER_KWH.po,
  gridKgPerKwh: DEFAULT_GRID_KG_PER_KWH,
};

/** What the energy model needs to know about one device. */
export const DevicePowerProfileSchema = z.object({
  deviceClass: DeviceClassSchema,
  desktopPreset: DesktopPresetSchema.optional(),
  /** attached monitors; undefined = the default (one 24" for a desktop, none otherwise) */
  monitors: z.array(MonitorSizeSchema).max(8).optional(),
  /** device-level overrides, field by field */
  watts: StateWattsSchema.partial().optional(),
});
export type DevicePowerProfile = z.infer<typeof DevicePowerProfileSchema>;

export function defaultMonitors(deviceClass: DeviceClass): MonitorSize[] {
  return deviceClass === 'desktop' ? ['24'] : [];
}

/** Device watts per state without monitors: default → preset → deployment → device, field by field. */
export function deviceWatts(
  profile: DevicePowerProfile,
  settings?: Pick<EnergySettings, 'classWatts'>,
): StateWatts {
  const base =
    profile.deviceClass === 'desktop' && profile.desktopPreset && profile.desktopPreset !== 'default'
      ? DESKTOP_PRESET_WATTS[profile.desktopPreset]
      : DEFAULT_CLASS_WATTS[profile.deviceClass];
  return { ...base, ...settings?.classWatts?.[profile.deviceClass], ...profile.watts };
}

/** Ptot(d, s) for every state: the device plus its monitors (docs/energy-model.md, "Formulas"). */
export function totalWatts(
  profile: DevicePowerProfile,
  settings?: Pick<EnergySettings, 'classWatts' | 'monitorWatts'>,
): StateWatts {
  const device = deviceWatts(profile, settings);
  const monitors = profile.monitors ?? defaultMonitors(profile.deviceClass);
  const total = { ...device };
  for (const size of monitors) {
    const m = { ...DEFAULT_MONITOR_WATTS[size], ...settings?.monitorWatts?.[size] };
    for (const s of ENERGY_STATES) total[s] += m[s];
  }
  return total;
}

/** Maps a protocol interval to its energy state (docs/energy-model.md: unknown display counts as on). */
export function energyStateOf(interval: Pick<Interval, 'state' | 'display'>): EnergyState {
  switch (interval.state) {
    case 'active':
      return 'active';
    case 'idle':
      return interval.display === 'off' ? 'idle_display_off' : 'idle_display_on';
    case 'asleep':
      return 'sleep';
    case 'off':
      return 'off';
  }
}

export function isIdleOn(state: EnergyState): boolean {
  return state === 'idle_display_on' || state === 'idle_display_off';
}

/** Avoidable watts in a state: max(0, Ptot(s) − Ptot(sleep)) for idle-on states, else 0. */
export function wasteWatts(total: StateWatts, state: EnergyState): number {
  return isIdleOn(state) ? Math.max(0, total[state] - total.sleep) : 0;
}

export interface EnergyAmount {
  energyWh: number;
  wasteWh: number;
}

/** Energy and avoidable waste of `ms` milliseconds in one state. */
export function energyFor(total: StateWatts, state: EnergyState, ms: number): EnergyAmount {
  const hours = ms / HOUR_MS;
  return { energyWh: hours * total[state], wasteWh: hours * wasteWatts(total, state) };
}

export function eurFor(kwh: number, settings: Pick<EnergySettings, 'priceEurPerKwh'>): number {
  return kwh * settings.priceEurPerKwh;
}

export function co2eKgFor(kwh: number, settings: Pick<EnergySettings, 'gridKgPerKwh'>): number {
  return kwh * settings.gridKgPerKwh;
}

/** Embodied kg CO2e per year of use for a class (what-if: planned years instead of the default). */
export function embodiedPerYear(key: keyof typeof EMBODIED, years?: number): number {
  const e = EMBODIED[key];
  return e.kg / (years ?? e.lifetimeYears);
}
