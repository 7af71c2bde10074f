import { z } from 'zod';
import { DesktopPresetSchema, DeviceClassSchema, MonitorSizeSchema } from '../energy.js';
import { InventorySchema } from '../inventory.js';
import { ADVICE_KINDS, ADVICE_RULES } from '../lifecycle/advice.js';
import { EffectivePolicySchema } from '../policy.js';
import { AgentCountersSchema, AppliedSettingsSchema, BlockerSchema, PolicyErrorSchema } from '../protocol.js';
import { IntervalOutSchema } from './common.js';

/** Devices (docs/api.md "Devices"). */
export const DEVICE_POLICY_STATUSES = ['compliant', 'pending', 'failed', 'drifted'] as const;
export type DevicePolicyStatus = (typeof DEVICE_POLICY_STATUSES)[number];
/**
 * What the views show: the status above, `external` (the device's platform management enforces the
 * policy, e.g. Google Admin for Chromebooks; the agent only measures and nudges, and said so in its
 * `policy_status`), or `none` (no energy policy applies: the console default only measures).
 */
export const POLICY_STATUS_NAMES = [...DEVICE_POLICY_STATUSES, 'external', 'none'] as const;
export const PolicyStatusNameSchema = z.enum(POLICY_STATUS_NAMES);
export type PolicyStatusName = z.infer<typeof PolicyStatusNameSchema>;

/** The one state every view shows (console device-status.ts): connected and awake, asleep, off, or not connected. */
export const DEVICE_VIEW_STATES = ['online', 'asleep', 'off', 'offline'] as const;
export const DeviceViewStateSchema = z.enum(DEVICE_VIEW_STATES);
export type DeviceViewState = z.infer<typeof DeviceViewStateSchema>;

/** A device in `GET /api/v1/devices`. */
export const DeviceSummarySchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  hostname: z.string(),
  groupId: z.number().int(),
  groupName: z.string().nullable(),
  /** the class energy figures use: the override, else the detected one */
  deviceClass: DeviceClassSchema,
  detectedClass: DeviceClassSchema,
  classOverride: DeviceClassSchema.nullable(),
  /** why the detected class needs a look, when it does */
  classReview: z.string().nullable(),
  desktopPreset: DesktopPresetSchema.nullable(),
  monitors: z.array(MonitorSizeSchema).nullable(),
  /** the policy assigned to this device directly */
  policyId: z.number().int().nullable(),
  effectivePolicyId: z.number().int().nullable(),
  effectivePolicyName: z.string().nullable(),
  /** the exclusion that applies (the device's own or a group's) */
  excludedReason: z.string().nullable(),
  ownExcludedReason: z.string().nullable(),
  online: z.boolean(),
  /** the one state every view shows: connected and awake, asleep, off, or not connected */
  state: DeviceViewStateSchema,
  lastSeen: z.number().nullable(),
  agentVersion: z.string().nullable(),
  enrolledAt: z.number(),
  policyEtag: z.string(),
  policyStatus: PolicyStatusNameSchema,
});
export type DeviceSummary = z.infer<typeof DeviceSummarySchema>;

/** what the device last reported applying */
export const PolicyStatusDetailSchema = z.object({
  ok: z.boolean(),
  etag: z.string(),
  applied: AppliedSettingsSchema,
  errors: z.array(PolicyErrorSchema),
  at: z.number(),
});

const UpgradePartSchema = z.enum(['memory', 'ssd']);

/** one keep / repair / replace option with its € and kg CO2e (shared/src/lifecycle/advice.ts) */
export const LifecycleOptionSchema = z.object({
  kind: z.enum(ADVICE_KINDS),
  eur: z.number(),
  kgCo2e: z.number(),
  extraYears: z.number(),
  kgPerYear: z.number(),
  parts: z.array(UpgradePartSchema).optional(),
});

/** the advice for one device and the rule that decided it */
export const AdviceSchema = z.object({
  kind: z.enum(ADVICE_KINDS),
  rule: z.enum(ADVICE_RULES),
  parts: z.array(UpgradePartSchema).optional(),
  options: z.array(LifecycleOptionSchema),
});

/** embodied CO2e of the device's class and its share per year of the expected lifetime */
export const EmbodiedShareSchema = z.object({
  kg: z.number(),
  range: z.tuple([z.number(), z.number()]),
  lifetimeYears: z.number(),
  kgPerYear: z.number(),
});

/** `lifecycle` of the device page: battery health, its monthly trend and projection, the device's age */
export const DeviceLifecycleSchema = z.object({
  batteryHealthPct: z.number().nullable(),
  cycleCount: z.number().nullable(),
  batteryTrend: z.array(
    z.object({ month: z.string(), healthPct: z.number(), cycleCount: z.number().nullable() }),
  ),
  batteryProjection: z
    .object({
      slopePctPerMonth: z.number(),
      below80: z.string().nullable(),
      below60: z.string().nullable(),
    })
    .nullable(),
  age: z
    .object({
      months: z.number(),
      years: z.number(),
      source: z.enum(['purchase', 'bios', 'first-seen']),
      since: z.string(),
    })
    .nullable(),
  /** why there is no projection: too few months of readings, no wear in them, or no battery */
  batteryOutlook: z.enum(['projected', 'too-few-months', 'no-wear', 'no-battery']),
  purchase: z
    .object({ purchaseDate: z.string(), priceEur: z.number().nullable(), warrantyEnd: z.string().nullable() })
    .nullable(),
  embodied: EmbodiedShareSchema,
  advice: AdviceSchema,
});
export type DeviceLifecycle = z.infer<typeof DeviceLifecycleSchema>;

/** `GET /api/v1/devices/:id` (and the answer of `PATCH`). */
export const DeviceDetailSchema = DeviceSummarySchema.extend({
  installId: z.string(),
  inventory: InventorySchema,
  maxSeq: z.number().int(),
  effectivePolicy: EffectivePolicySchema,
  policyStatusDetail: PolicyStatusDetailSchema.nullable(),
  blockers: z.array(BlockerSchema),
  blockersAt: z.number().nullable(),
  counters: AgentCountersSchema.nullable(),
  /** the newest 100 intervals, newest first */
  recentIntervals: z.array(IntervalOutSchema),
  lifecycle: DeviceLifecycleSchema,
});
export type DeviceDetail = z.infer<typeof DeviceDetailSchema>;

export const DeviceListQuerySchema = z.object({
  /** devices in this group and its subgroups */
  groupId: z.coerce.number().int().positive().optional(),
});

export const DeviceUpdateRequestSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  groupId: z.number().int().positive().optional(),
  deviceClass: DeviceClassSchema.nullable().optional(),
  desktopPreset: DesktopPresetSchema.optional(),
  monitors: z.array(MonitorSizeSchema).max(8).nullable().optional(),
  excludedReason: z.string().max(500).nullable().optional(),
});
