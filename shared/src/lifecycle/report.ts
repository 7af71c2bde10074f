import { z } from 'zod';
import type { SavingsAnswer } from '../api/impact.js';
import type { AnnualSavings, ReportAssumptions, UsePhaseFigures } from '../api/lifecycle.js';
import type { Settings } from '../api/settings.js';
import { DEVICE_CLASSES, EMBODIED } from '../energy.js';
import { formatNumber } from '../i18n/format.js';
import { BEFORE_AFTER_MIN_DEVICE_DAYS } from '../impact/before-after.js';
import { BATTERY_WORN_PCT, EXTRA_YEARS, SERVICE_LIFE_MARGIN_YEARS } from './advice.js';
import { LIFECYCLE_OPTION_FIGURES, OPTION_FIGURE_KEYS, optionFigures } from './options.js';

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

/**
 * Every figure a report rests on, as in force: the deployment's price and grid factor, the rule
 * thresholds, how savings were measured, and per class the embodied CO2e and the option figures
 * (the settings' changes over the defaults, the changed ones named).
 */
export function reportAssumptions(
  settings: Pick<Settings, 'priceEurPerKwh' | 'gridKgPerKwh' | 'lifecycleFigures'>,
  savingsBeforeDays: number,
): ReportAssumptions {
  const figures = optionFigures(settings.lifecycleFigures);
  const classes = DEVICE_CLASSES.map((deviceClass) => ({
    deviceClass,
    embodiedKg: EMBODIED[deviceClass].kg,
    rangeKg: EMBODIED[deviceClass].range,
    lifetimeYears: EMBODIED[deviceClass].lifetimeYears,
    figures: figures[deviceClass],
    changed: OPTION_FIGURE_KEYS.filter(
      (k) => figures[deviceClass][k] !== LIFECYCLE_OPTION_FIGURES[deviceClass][k],
    ),
  }));
  return {
    priceEurPerKwh: settings.priceEurPerKwh,
    gridKgPerKwh: settings.gridKgPerKwh,
    extraYears: EXTRA_YEARS,
    batteryWornPct: BATTERY_WORN_PCT,
    serviceLifeMarginYears: SERVICE_LIFE_MARGIN_YEARS,
    savingsBeforeDays,
    savingsMinDeviceDays: BEFORE_AFTER_MIN_DEVICE_DAYS,
    classes,
  };
}

/**
 * A school year's savings from two before/after answers of the impact module: `atEnd` computed as
 * of the end of the year (or today in a running year), `atStart` as of its first day (null when
 * unknown). For each room and day type with device-days on both sides, the waste per device-day
 * before the room's latest change minus after it, times the after-side device-days in the year:
 * those at the end less those already there at the start when the change is the same one.
 */
export function annualSavings(
  atEnd: SavingsAnswer,
  atStart: SavingsAnswer | null,
  energy: { priceEurPerKwh: number; gridKgPerKwh: number },
  minDeviceDays = BEFORE_AFTER_MIN_DEVICE_DAYS,
): AnnualSavings {
  const startRooms = new Map(
    (atStart?.schools ?? []).flatMap((s) => s.rooms).map((r) => [r.groupId, r] as const),
  );
  let kwh = 0;
  let before = 0;
  let after = 0;
  const changes: AnnualSavings['changes'] = [];
  for (const room of atEnd.schools.flatMap((s) => s.rooms)) {
    if (!room.comparison || !room.change) continue;
    const start = startRooms.get(room.groupId);
    const sameChange = start?.change?.at === room.change.at ? start.comparison : null;
    let counted = false;
    for (const c of room.comparison.byDayType) {
      const b = c.before.wasteKwhPerDeviceDay;
      const a = c.after.wasteKwhPerDeviceDay;
      if (b === null || a === null) continue;
      const already = sameChange?.byDayType.find((x) => x.dayType === c.dayType)?.after.deviceDays ?? 0;
      const inYear = Math.max(0, c.after.deviceDays - already);
      if (inYear === 0) continue;
      kwh += (b - a) * inYear;
      before += c.before.deviceDays;
      after += inYear;
      counted = true;
    }
    if (counted)
      changes.push({
        groupId: room.groupId,
        groupName: room.name,
        date: room.change.date,
        policyName: room.change.to.policyName,
      });
  }
  changes.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.groupId - y.groupId));
  const confidence =
    after === 0 ? 'none' : before < minDeviceDays || after < minDeviceDays ? 'few' : 'enough';
  return {
    avoidedKwh: kwh,
    avoidedEur: kwh * energy.priceEurPerKwh,
    avoidedKg: kwh * energy.gridKgPerKwh,
    deviceDaysBefore: before,
    deviceDaysAfter: after,
    changes,
    confidence,
    note: savingsNote(confidence, before, after, minDeviceDays),
  };
}

function savingsNote(
  confidence: AnnualSavings['confidence'],
  before: number,
  after: number,
  min: number,
): AnnualSavings['note'] {
  if (confidence === 'enough') return null;
  if (confidence === 'none')
    return {
      nl: 'Geen beleidswijziging met metingen ervoor en erna in dit schooljaar, dus (nog) geen gemeten besparing.',
      en: 'No policy change with measurements before and after it in this school year, so no measured savings (yet).',
    };
  return {
    nl: `Voorzichtig: dit rust op weinig gegevens (${formatNumber('nl', before, 0)} apparaat-dagen vóór en ${formatNumber('nl', after, 0)} na de wijzigingen; minder dan ${min} aan een kant).`,
    en: `Careful: this rests on little data (${formatNumber('en', before, 0)} device-days before and ${formatNumber('en', after, 0)} after the changes; fewer than ${min} on one side).`,
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
