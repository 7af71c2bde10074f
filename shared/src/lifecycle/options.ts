import type { OptionFigures } from '../api/lifecycle.js';
import { type DeviceClass, EMBODIED } from '../energy.js';

/**
 * What each lifecycle option costs in euros and kg CO2e (docs/lifecycle.md, "Options and their
 * figures"). Embodied figures for whole devices come from the energy model (energy.md §2.2); the
 * parts and prices are Sluimer assumptions a deployment can change later, shown with every advice.
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
