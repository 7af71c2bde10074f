import { z } from 'zod';
import { DeviceClassSchema } from '../energy.js';
import { ADVICE_KINDS, ADVICE_RULES } from '../lifecycle/advice.js';
import { AGE_BUCKETS, BATTERY_BUCKETS } from '../lifecycle/fleet.js';
import { OPTION_FIGURE_KEYS } from '../lifecycle/options.js';
import { ConfidenceSchema } from './impact.js';

/**
 * Lifecycle answers (docs/lifecycle.md, docs/api.md "Lifecycle"): the fleet's Levensduur figures, the
 * purchase import and the annual report. The types the pure rules in shared/src/lifecycle/ return are
 * inferred from these schemas, so what the console computes is what the contract sends.
 */

const count = z.number().int().nonnegative();

/** what keeping every device longer avoids (shared/src/lifecycle/fleet.ts `lifetimeExtension`) */
export const LifetimeExtensionSchema = z.object({
  devices: count,
  fromYears: z.number(),
  toYears: z.number(),
  /** embodied kg CO2e per year at the expected lifetimes */
  embodiedKgPerYear: z.number(),
  /** the same at the longer lifetimes */
  extendedKgPerYear: z.number(),
  /** the difference, kg CO2e per year */
  avoidedKgPerYear: z.number(),
});
export type LifetimeExtension = z.infer<typeof LifetimeExtensionSchema>;

/** fleet figures for the Levensduur page and the annual report */
export const FleetLifecycleSchema = z.object({
  devices: count,
  /** devices per age bucket; `unknown` has no date at all */
  ageDistribution: z.array(z.object({ bucket: z.enum([...AGE_BUCKETS, 'unknown']), count })),
  /** devices with a battery per health bucket; `unknown` reports no capacities */
  batteryDistribution: z.array(z.object({ bucket: z.enum([...BATTERY_BUCKETS, 'unknown']), count })),
  /** devices per advice */
  advice: z.record(z.enum(ADVICE_KINDS), count),
  /** devices whose advice is a new battery */
  batterySwapIds: z.array(z.number().int()),
  /** mean age of devices with a known age, years; null when none is known */
  meanAgeYears: z.number().nullable(),
  extension: LifetimeExtensionSchema,
  /** what the advised battery swaps cost, and what new devices in their place would have cost */
  batterySwap: z.object({
    eur: z.number(),
    kgCo2e: z.number(),
    replaceEur: z.number(),
    replaceKgCo2e: z.number(),
  }),
});
export type FleetLifecycle = z.infer<typeof FleetLifecycleSchema>;

/** kWh, € and kg CO2e of the use phase (energy used and avoidable waste) */
export const UsePhaseFiguresSchema = z.object({
  energyKwh: z.number(),
  energyEur: z.number(),
  energyKg: z.number(),
  wasteKwh: z.number(),
  wasteEur: z.number(),
  wasteKg: z.number(),
});
export type UsePhaseFigures = z.infer<typeof UsePhaseFiguresSchema>;

const AgeSourceSchema = z.enum(['purchase', 'bios', 'first-seen']);

/** one device in the fleet lists (battery swaps, attention) */
export const FleetDeviceRowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  groupId: z.number().int(),
  deviceClass: DeviceClassSchema,
  ageYears: z.number().nullable(),
  ageSource: AgeSourceSchema.nullable(),
  batteryHealthPct: z.number().nullable(),
  /** YYYY-MM the battery's line falls below 80 %; null without a projection */
  below80: z.string().nullable(),
  advice: z.enum(ADVICE_KINDS),
  rule: z.enum(ADVICE_RULES),
});
export type FleetDeviceRow = z.infer<typeof FleetDeviceRowSchema>;

/** `GET /api/v1/lifecycle` */
export const FleetLifecycleResponseSchema = z.object({
  groupId: z.number().int().nullable(),
  fleet: FleetLifecycleSchema,
  /** devices a battery swap keeps going, worst battery first */
  batterySwaps: z.array(FleetDeviceRowSchema),
  /** devices whose advice is not `keep`, in advice order */
  attention: z.array(FleetDeviceRowSchema),
  /** how the ages were found: purchase date, BIOS date, first seen */
  ageSources: z.record(AgeSourceSchema, count),
  /** the use-phase lever next to the lifetime one: avoidable waste of the last `days` days */
  usePhase: UsePhaseFiguresSchema.extend({ days: z.number().int() }),
});
export type FleetLifecycleResponse = z.infer<typeof FleetLifecycleResponseSchema>;

/** `POST /api/v1/lifecycle/purchases`: what was (or, with `dryRun`, would be) imported */
export const PurchaseImportResponseSchema = z.object({
  imported: count,
  dryRun: z.boolean(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      deviceId: z.number().int(),
      hostname: z.string(),
      purchaseDate: z.string(),
    }),
  ),
});
export type PurchaseImportResponse = z.infer<typeof PurchaseImportResponseSchema>;

/** € and kg CO2e of each lifecycle option per device class (shared/src/lifecycle/options.ts) */
export const OptionFiguresSchema = z.object({
  /** typical price of a new device of this class, incl. VAT (school purchase) */
  newDeviceEur: z.number(),
  /** replacement battery, fitted */
  batteryEur: z.number().nullable(),
  batteryKg: z.number().nullable(),
  /** memory upgrade (one module), fitted */
  memoryEur: z.number().nullable(),
  memoryKg: z.number().nullable(),
  /** SSD in place of a hard disk or a failing SSD, fitted and re-imaged */
  ssdEur: z.number().nullable(),
  ssdKg: z.number().nullable(),
  /** refurbishment: cleaning, check, new image, worn parts (battery included where there is one) */
  refurbishEur: z.number(),
  refurbishKg: z.number(),
});
export type OptionFigures = z.infer<typeof OptionFiguresSchema>;

/** the figures an annual report rests on, printed with it */
export const ReportAssumptionsSchema = z.object({
  priceEurPerKwh: z.number(),
  gridKgPerKwh: z.number(),
  extraYears: z.number(),
  batteryWornPct: z.number(),
  serviceLifeMarginYears: z.number(),
  /** how the savings were measured: days before a change the baseline reaches at most */
  savingsBeforeDays: z.number().int(),
  /** fewer device-days than this on a side and the savings carry a confidence note */
  savingsMinDeviceDays: z.number().int(),
  classes: z.array(
    z.object({
      deviceClass: DeviceClassSchema,
      embodiedKg: z.number(),
      rangeKg: z.tuple([z.number(), z.number()]),
      lifetimeYears: z.number(),
      /** the € and kg CO2e in force (settings over the defaults) */
      figures: OptionFiguresSchema,
      /** the figures an admin changed from the defaults */
      changed: z.array(z.enum(OPTION_FIGURE_KEYS)),
    }),
  ),
});
export type ReportAssumptions = z.infer<typeof ReportAssumptionsSchema>;

/**
 * What power policies saved in the school year, from the before/after of the impact module
 * (console/server/src/impact/savings.ts): per room and day type, the avoidable waste per device-day
 * before its latest policy change minus after it, times the device-days after it that fall in the
 * school year, summed. Negative when waste went up.
 */
export const AnnualSavingsSchema = z.object({
  avoidedKwh: z.number(),
  avoidedEur: z.number(),
  avoidedKg: z.number(),
  /** device-days behind the figures: the baseline before the changes, and after them in the school year */
  deviceDaysBefore: count,
  deviceDaysAfter: count,
  /** the policy changes counted (the latest per room), oldest first */
  changes: z.array(
    z.object({
      groupId: z.number().int(),
      groupName: z.string(),
      /** the school's local date of the change */
      date: z.string(),
      policyName: z.string().nullable(),
    }),
  ),
  confidence: ConfidenceSchema,
  /** plain-language note when the confidence is not `enough` */
  note: z.object({ nl: z.string(), en: z.string() }).nullable(),
});
export type AnnualSavings = z.infer<typeof AnnualSavingsSchema>;

/** `GET /api/v1/reports/annual`: the Duurzaamheidsverslag of the board or one group for a school year */
export const AnnualReportSchema = z.object({
  scope: z.object({ groupId: z.number().int().nullable(), name: z.string(), kind: z.string() }),
  schoolYear: z.string(),
  fromDate: z.string(),
  toDate: z.string(),
  /** set when the school year is still running: the figures go up to this day */
  partialUntil: z.string().nullable(),
  generatedAt: z.number(),
  usePhase: UsePhaseFiguresSchema,
  /** measured savings of power policies in the school year */
  savings: AnnualSavingsSchema,
  fleet: FleetLifecycleSchema,
  assumptions: ReportAssumptionsSchema,
});
export type AnnualReport = z.infer<typeof AnnualReportSchema>;
