import { z } from 'zod';
import { CalendarDayTypeSchema } from '../calendar/school-calendar.js';
import { WASTE_CAUSES } from '../impact/waste-causes.js';
import { PolicySettingsSchema } from '../policy.js';

/**
 * Impact answers (docs/impact.md, docs/api.md "Savings" and "Impact"): Besparing before/after per
 * school and room, the policy history it rests on, and why the rest is still wasted. The what-if
 * request and answer live in shared/src/impact/ next to the replay.
 */

const bilingual = z.object({ nl: z.string(), en: z.string() });

/** `?groupId=`: one school or room and what is below it; absent: the whole board */
export const ImpactScopeQuerySchema = z
  .object({ groupId: z.coerce.number().int().positive().optional() })
  .strict();

// ---- Besparing (GET /api/v1/savings) ----

/** one side of a before/after comparison */
export const SideFiguresSchema = z.object({
  deviceDays: z.number().int(),
  wasteKwh: z.number(),
  /** null when there are no device-days */
  wasteKwhPerDeviceDay: z.number().nullable(),
});
export type SideFigures = z.infer<typeof SideFiguresSchema>;

export const ConfidenceSchema = z.enum(['enough', 'few', 'none']);
export type Confidence = z.infer<typeof ConfidenceSchema>;

export const DayTypeComparisonSchema = z.object({
  dayType: CalendarDayTypeSchema,
  before: SideFiguresSchema,
  after: SideFiguresSchema,
  /** (before − after) / before per device-day, in %; null when either side is empty or before is 0 */
  reductionPct: z.number().nullable(),
  confidence: ConfidenceSchema,
  /** plain-language note when the confidence is not `enough` */
  note: bilingual.optional(),
});
export type DayTypeComparison = z.infer<typeof DayTypeComparisonSchema>;

export const BeforeAfterResultSchema = DayTypeComparisonSchema.extend({
  changedOn: z.string(),
  /** one comparison per requested day type; the top-level figures are the first of these */
  byDayType: z.array(DayTypeComparisonSchema),
});
export type BeforeAfterResult = z.infer<typeof BeforeAfterResultSchema>;

const PolicyRefSchema = z.object({
  policyId: z.number().int().nullable(),
  policyName: z.string().nullable(),
  auditOnly: z.boolean(),
});

/** a change of a room's effective policy, from the policy history */
export const PolicyChangeSchema = z.object({
  at: z.number(),
  /** the school's local date of the change */
  date: z.string(),
  groupId: z.number().int(),
  groupName: z.string(),
  from: PolicyRefSchema,
  to: PolicyRefSchema,
});
export type PolicyChange = z.infer<typeof PolicyChangeSchema>;

export const RoomSavingsSchema = z.object({
  groupId: z.number().int(),
  name: z.string(),
  devices: z.number().int(),
  /** devices with a policy of their own, which the room's change did not move */
  devicesWithOwnPolicy: z.number().int(),
  /** the latest change of the room's policy; null when none is recorded */
  change: PolicyChangeSchema.nullable(),
  /** null without a change */
  comparison: BeforeAfterResultSchema.nullable(),
  savingPerYearEur: z.number().nullable(),
  beforeEurPerDeviceDay: z.number().nullable(),
  afterEurPerDeviceDay: z.number().nullable(),
});
export type RoomSavings = z.infer<typeof RoomSavingsSchema>;

export const SchoolSavingsSchema = z.object({
  groupId: z.number().int(),
  name: z.string(),
  calendarStored: z.boolean(),
  before: SideFiguresSchema,
  after: SideFiguresSchema,
  reductionPct: z.number().nullable(),
  savingPerYearEur: z.number().nullable(),
  beforeEurPerDeviceDay: z.number().nullable(),
  afterEurPerDeviceDay: z.number().nullable(),
  rooms: z.array(RoomSavingsSchema),
  /** € of avoidable waste per device per local day around the changes */
  trend: z.array(
    z.object({ date: z.string(), dayType: z.string(), eurPerDevice: z.number(), devices: z.number().int() }),
  ),
  changes: z.array(PolicyChangeSchema),
});
export type SchoolSavings = z.infer<typeof SchoolSavingsSchema>;

/** `GET /api/v1/savings` */
export const SavingsAnswerSchema = z.object({
  now: z.number(),
  priceEurPerKwh: z.number(),
  schoolDaysPerYear: z.number(),
  schools: z.array(SchoolSavingsSchema),
});
export type SavingsAnswer = z.infer<typeof SavingsAnswerSchema>;

// ---- policy history (GET /api/v1/policy-history) ----

/** one recorded effective policy of a group or a device, from the moment it held */
export const PolicyHistoryEntrySchema = z.object({
  id: z.number().int(),
  groupId: z.number().int().nullable(),
  deviceId: z.number().int().nullable(),
  policyId: z.number().int().nullable(),
  policyName: z.string().nullable(),
  auditOnly: z.boolean(),
  excludedReason: z.string().nullable(),
  settings: PolicySettingsSchema,
  etag: z.string(),
  at: z.number(),
  /** the state found when recording began: its real start is unknown */
  firstRecord: z.boolean(),
});
export type PolicyHistoryEntry = z.infer<typeof PolicyHistoryEntrySchema>;

export const PolicyHistoryAnswerSchema = z.object({ items: z.array(PolicyHistoryEntrySchema) });
export type PolicyHistoryAnswer = z.infer<typeof PolicyHistoryAnswerSchema>;

// ---- why the rest is still wasted (GET /api/v1/waste-causes) ----

export const WasteCauseSchema = z.enum(WASTE_CAUSES);

const MAX_CAUSE_IDS = 200;

/** `GET /api/v1/waste-causes` query: a period (epoch ms, at most 92 days) and a scope */
export const WasteCausesQuerySchema = z
  .object({
    from: z.coerce.number().int().nonnegative(),
    to: z.coerce.number().int().positive(),
    groupId: z.coerce.number().int().positive().optional(),
    /** comma-separated device ids */
    ids: z
      .string()
      .max(4000)
      .regex(/^\d+(,\d+)*$/, 'comma-separated ids')
      .transform((s) => s.split(',').map(Number))
      .refine((a) => a.length <= MAX_CAUSE_IDS, { message: `at most ${MAX_CAUSE_IDS} ids` })
      .optional(),
  })
  .strict();

export const WastePartSchema = z.object({
  cause: WasteCauseSchema,
  /** the blocker's name, the exclusion reason, 'none' / 'audit_only', 'failed' / 'drifted' / 'pending' */
  detail: z.string().optional(),
  kwh: z.number(),
});
export type WastePart = z.infer<typeof WastePartSchema>;

export const DeviceWasteCausesSchema = z.object({
  deviceId: z.number().int(),
  name: z.string().optional(),
  groupId: z.number().int().optional(),
  totalKwh: z.number(),
  parts: z.array(WastePartSchema),
});
export type DeviceWasteCauses = z.infer<typeof DeviceWasteCausesSchema>;

export const CauseSummarySchema = z.object({
  cause: WasteCauseSchema,
  detail: z.string().optional(),
  kwh: z.number(),
  eur: z.number(),
  /** the same extrapolated to a year; null without a year factor */
  eurPerYear: z.number().nullable(),
  devices: z.number().int(),
  /** groups with this cause, the most devices first */
  groups: z.array(
    z.object({
      id: z.number().int().nullable(),
      name: z.string(),
      devices: z.number().int(),
      kwh: z.number(),
    }),
  ),
  nextStep: bilingual,
});
export type CauseSummary = z.infer<typeof CauseSummarySchema>;

export const WasteCausesResultSchema = z.object({
  totalKwh: z.number(),
  totalEur: z.number(),
  causes: z.array(CauseSummarySchema),
  perDevice: z.array(DeviceWasteCausesSchema),
});
export type WasteCausesResult = z.infer<typeof WasteCausesResultSchema>;

/** `GET /api/v1/waste-causes` */
export const WasteCausesAnswerSchema = WasteCausesResultSchema.extend({
  from: z.number(),
  to: z.number(),
  /** what the split cannot know (Dutch / English message) */
  limitations: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type WasteCausesAnswer = z.infer<typeof WasteCausesAnswerSchema>;
