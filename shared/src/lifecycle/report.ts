import { z } from 'zod';
import type { ReportAssumptions, UsePhaseFigures } from '../api/lifecycle.js';
import { type DeviceClass, EMBODIED } from '../energy.js';
import { BATTERY_WORN_PCT, EXTRA_YEARS, SERVICE_LIFE_MARGIN_YEARS } from './advice.js';
import { LIFECYCLE_OPTION_FIGURES } from './options.js';

/** A Dutch school year runs from 1 August to 31 July: "2025-2026". */
export const SchoolYearSchema = z
  .string()
  .regex(/^\d{4}-\d{4}$/, 'schooljaar als JJJJ-JJJJ, bijv. 2025-2026 / school year as YYYY-YYYY')
  .refine((s) => Number(s.slice(5)) === Number(s.slice(0, 4)) + 1, {
    message: 'het tweede jaar volgt op het eerste / the second year follows the first',
  });

export const LifecycleQuerySchema = z
  .object({ groupId: z.coerce.number().int().positive().optional() })
  .strict();

export const AnnualReportQuerySchema = z
  .object({
    groupId: z.coerce.number().int().positive().optional(),
    schoolYear: SchoolYearSchema.optional(),
  })
  .strict();
export type AnnualReportQuery = z.infer<typeof AnnualReportQuerySchema>;

/** The school year a date (YYYY-MM-DD) falls in. */
export function schoolYearLabel(date: string): string {
  const y = Number(date.slice(0, 4));
  const start = date.slice(5) >= '08-01' ? y : y - 1;
  return `${start}-${start + 1}`;
}

/** [from, to) of a school year as UTC midnights: 1 August up to 1 August a year later. */
export function schoolYearRange(label: string): {
  from: number;
  to: number;
  fromDate: string;
  toDate: string;
} {
  const y = Number(label.slice(0, 4));
  return {
    from: Date.UTC(y, 7, 1),
    to: Date.UTC(y + 1, 7, 1),
    fromDate: `${y}-08-01`,
    toDate: `${y + 1}-07-31`,
  };
}

export function reportAssumptions(energy: {
  priceEurPerKwh: number;
  gridKgPerKwh: number;
}): ReportAssumptions {
  const classes = (Object.keys(LIFECYCLE_OPTION_FIGURES) as DeviceClass[]).map((deviceClass) => ({
    deviceClass,
    embodiedKg: EMBODIED[deviceClass].kg,
    rangeKg: EMBODIED[deviceClass].range,
    lifetimeYears: EMBODIED[deviceClass].lifetimeYears,
    figures: LIFECYCLE_OPTION_FIGURES[deviceClass],
  }));
  return {
    priceEurPerKwh: energy.priceEurPerKwh,
    gridKgPerKwh: energy.gridKgPerKwh,
    extraYears: EXTRA_YEARS,
    batteryWornPct: BATTERY_WORN_PCT,
    serviceLifeMarginYears: SERVICE_LIFE_MARGIN_YEARS,
    classes,
  };
}

/** kWh, € and kg CO2e from summed Wh and the deployment's price and grid factor. */
export function operationalFigures(
  energyWh: number,
  wasteWh: number,
  energy: { priceEurPerKwh: number; gridKgPerKwh: number },
): UsePhaseFigures {
  const energyKwh = energyWh / 1000;
  const wasteKwh = wasteWh / 1000;
  return {
    energyKwh,
    energyEur: energyKwh * energy.priceEurPerKwh,
    energyKg: energyKwh * energy.gridKgPerKwh,
    wasteKwh,
    wasteEur: wasteKwh * energy.priceEurPerKwh,
    wasteKg: wasteKwh * energy.gridKgPerKwh,
  };
}
