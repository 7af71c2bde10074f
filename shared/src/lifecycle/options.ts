import { z } from 'zod';
import type { OptionFigures } from '../api/lifecycle.js';
import { DEVICE_CLASSES, type DeviceClass, EMBODIED } from '../energy.js';

/**
 * What each lifecycle option costs in euros and kg CO2e (docs/lifecycle.md, "Options and their
 * figures"). Embodied figures for whole devices come from the energy model (docs/energy-model.md); the
 * parts and prices are Sluimer assumptions an admin can change in the settings
 * (`lifecycleFigures`, merged over these by `optionFigures`), shown with every advice and report.
 */
const BATTERY_KG = 5; // ≈ 50 Wh pack at roughly 100 kg CO2e per kWh of cells [A]
const MEMORY_KG = 3; // one SO-DIMM/DIMM module [A]
const SSD_KG = 10; // a 256–512 GB SSD [A]

/** Default figures per class [A]; the kg of a new device is the class's embodied figure. */
export const LIFECYCLE_OPTION_FIGURES: Record<DeviceClass, OptionFigures> = {
  laptop: {
    newDeviceEur: 750,
    batteryEur: 90,
    batteryKg: BATTERY_KG,
    memoryEur: 40,
    memoryKg: MEMORY_KG,
    ssdEur: 60,
    ssdKg: SSD_KG,
    refurbishEur: 150,
    refurbishKg: 15,
  },
  chromebook: {
    newDeviceEur: 350,
    batteryEur: 70,
    batteryKg: BATTERY_KG,
    // memory and storage are soldered on almost every Chromebook
    memoryEur: null,
    memoryKg: null,
    ssdEur: null,
    ssdKg: null,
    refurbishEur: 100,
    refurbishKg: 10,
  },
  desktop: {
    newDeviceEur: 800,
    batteryEur: null,
    batteryKg: null,
    memoryEur: 40,
    memoryKg: MEMORY_KG,
    ssdEur: 60,
    ssdKg: SSD_KG,
    refurbishEur: 120,
    refurbishKg: 10,
  },
  'all-in-one': {
    newDeviceEur: 1000,
    batteryEur: null,
    batteryKg: null,
    memoryEur: 40,
    memoryKg: MEMORY_KG,
    ssdEur: 60,
    ssdKg: SSD_KG,
    refurbishEur: 120,
    refurbishKg: 10,
  },
  tablet: {
    newDeviceEur: 400,
    batteryEur: 110,
    batteryKg: 3,
    memoryEur: null,
    memoryKg: null,
    ssdEur: null,
    ssdKg: null,
    refurbishEur: 120,
    refurbishKg: 8,
  },
};

/** the figures an admin can change; a new device's kg CO2e is the energy model's embodied figure */
export const OPTION_FIGURE_KEYS = [
  'newDeviceEur',
  'batteryEur',
  'batteryKg',
  'memoryEur',
  'memoryKg',
  'ssdEur',
  'ssdKg',
  'refurbishEur',
  'refurbishKg',
] as const;
export type OptionFigureKey = (typeof OPTION_FIGURE_KEYS)[number];

/** bounds of a changed figure: wide enough for any school purchase, narrow enough to catch a typo */
export const OPTION_FIGURE_BOUNDS = { eur: { min: 0, max: 10_000 }, kg: { min: 0, max: 1_000 } } as const;

const boundOf = (key: OptionFigureKey) => OPTION_FIGURE_BOUNDS[key.endsWith('Eur') ? 'eur' : 'kg'];

const OptionFigureOverrideSchema = z
  .object(
    Object.fromEntries(
      OPTION_FIGURE_KEYS.map((k) => [k, z.number().min(boundOf(k).min).max(boundOf(k).max).optional()]),
    ) as Record<OptionFigureKey, z.ZodOptional<z.ZodNumber>>,
  )
  .strict();
export type OptionFigureOverride = z.infer<typeof OptionFigureOverrideSchema>;

/**
 * The changed figures per class in the deployment settings. A part a class does not take (a
 * Chromebook's soldered memory, a desktop's battery) cannot be given a price: that would make an
 * option appear the advice rules do not know.
 */
export const LifecycleFiguresSettingSchema = z
  .partialRecord(z.enum(DEVICE_CLASSES), OptionFigureOverrideSchema)
  .superRefine((byClass, ctx) => {
    for (const [deviceClass, over] of Object.entries(byClass) as [DeviceClass, OptionFigureOverride][]) {
      for (const key of OPTION_FIGURE_KEYS) {
        if (over[key] !== undefined && LIFECYCLE_OPTION_FIGURES[deviceClass][key] === null) {
          ctx.addIssue({
            code: 'custom',
            path: [deviceClass, key],
            message: `${deviceClass} heeft dit onderdeel niet (vast gesoldeerd of geen batterij) / ${deviceClass} does not take this part (soldered or no battery)`,
          });
        }
      }
    }
  });
export type LifecycleFiguresSetting = z.infer<typeof LifecycleFiguresSettingSchema>;

/** The figures in force: the defaults with the deployment's changes over them, field by field. */
export function optionFigures(changes?: LifecycleFiguresSetting): Record<DeviceClass, OptionFigures> {
  const out = {} as Record<DeviceClass, OptionFigures>;
  for (const c of DEVICE_CLASSES) {
    const base = LIFECYCLE_OPTION_FIGURES[c];
    const over = changes?.[c] ?? {};
    const merged = { ...base };
    // only parts the class takes: a stored change can never give a soldered part a price
    for (const k of OPTION_FIGURE_KEYS) if (over[k] !== undefined && base[k] !== null) merged[k] = over[k];
    out[c] = merged;
  }
  return out;
}

/** Embodied CO2e of a device class, and its share per year over the expected lifetime. */
export interface EmbodiedShare {
  kg: number;
  range: [number, number];
  lifetimeYears: number;
  kgPerYear: number;
}

export function embodiedShare(deviceClass: DeviceClass, lifetimeYears?: number): EmbodiedShare {
  const e = EMBODIED[deviceClass];
  const years = lifetimeYears ?? e.lifetimeYears;
  return { kg: e.kg, range: e.range, lifetimeYears: years, kgPerYear: e.kg / years };
}
