import { z } from 'zod';
import { DesktopPresetSchema, DeviceClassSchema, MonitorSizeSchema, StateWattsSchema } from './energy.js';
import { PolicySettingsSchema } from './policy.js';

/** Console REST API v1 (design.md). Request bodies are validated with these at the server. */
export const ROLES = ['admin', 'it', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});

export const CreateUserRequestSchema = z.object({
  username: z
    .string()
    .min(2)
    .max(100)
    .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
  password: z.string().min(10, 'at least 10 characters').max(200),
  role: RoleSchema,
});

/** `POST /api/v1/me/password`: a user changes their own password */
export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: CreateUserRequestSchema.shape.password,
});

export const GROUP_KINDS = ['board', 'school', 'building', 'room'] as const;
export const CreateGroupRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  parentId: z.number().int().positive().optional(),
  kind: z.enum(GROUP_KINDS).optional(),
  timeZone: z.string().max(64).optional(),
  excludedReason: z.string().max(500).optional(),
});

export const CreateEnrollSecretRequestSchema = z
  .object({
    expiresAt: z.union([z.string(), z.number().int()]).optional(),
    note: z.string().max(200).optional(),
    /** devices this secret may enroll at most; absent or null: no limit */
    deviceLimit: z.number().int().min(1).max(100_000).nullable().optional(),
  })
  .default({});

export const PolicyRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
  settings: PolicySettingsSchema,
});

export const AssignRequestSchema = z
  .object({
    groupIds: z.array(z.number().int().positive()).max(10_000).optional(),
    deviceIds: z.array(z.number().int().positive()).max(100_000).optional(),
  })
  .refine((r) => (r.groupIds?.length ?? 0) + (r.deviceIds?.length ?? 0) > 0, {
    message: 'name at least one group or device',
  });

export const DeviceUpdateRequestSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  groupId: z.number().int().positive().optional(),
  deviceClass: DeviceClassSchema.nullable().optional(),
  desktopPreset: DesktopPresetSchema.optional(),
  monitors: z.array(MonitorSizeSchema).max(8).nullable().optional(),
  excludedReason: z.string().max(500).nullable().optional(),
});

export const USAGE_GROUP_BY = ['device', 'group', 'deviceClass', 'day', 'hourOfWeek'] as const;
export const UsageQuerySchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  groupBy: z.enum(USAGE_GROUP_BY),
  /** optional: restrict to devices in this group and its subgroups */
  groupId: z.coerce.number().int().positive().optional(),
});
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

export interface UsageRow {
  key: string;
  activeSec: number;
  idleSec: number;
  asleepSec: number;
  offSec: number;
  energyKwh: number;
  wasteKwh: number;
  wasteEur: number;
  wasteCo2eKg: number;
}

export interface UsageResponse {
  from: number;
  to: number;
  groupBy: UsageGroupBy;
  /** the deployment settings these euros and kg were computed with */
  settings: { priceEurPerKwh: number; gridKgPerKwh: number };
  rows: UsageRow[];
}

/** Error body of every failed API call. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// ---- additions for the console server (additive; documented in docs/api.md) ----

export const UpdateGroupRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    kind: z.enum(GROUP_KINDS).optional(),
    /** IANA zone; null clears it (the group then follows its parent, Europe/Amsterdam at the top) */
    timeZone: z.string().max(64).nullable().optional(),
    /** a reason excludes the group's devices from enforcement; null lifts the exclusion */
    excludedReason: z.string().trim().min(1).max(500).nullable().optional(),
    parentId: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const UnassignRequestSchema = AssignRequestSchema;

/** API tokens expire: 90 days unless asked otherwise at creation, within 1–365 days. */
export const API_TOKEN_DAYS = { default: 90, min: 1, max: 365 } as const;

export const CreateApiTokenRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(API_TOKEN_DAYS.min).max(API_TOKEN_DAYS.max).optional(),
});

/** An API token as listed (never the token itself). */
export const ApiTokenSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  username: z.string(),
  name: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** updated at most once a minute per token */
  lastUsedAt: z.number().nullable(),
  status: z.enum(['active', 'expired']),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

/** `GET /api/v1/admin/tokens`: every user's tokens, or one user's */
export const AdminTokenQuerySchema = z.object({ userId: z.coerce.number().int().positive().optional() });

/** Deployment settings (energy.md §2.3 plus raw-data retention); PUT takes any subset. */
export const SettingsSchema = z.object({
  priceEurPerKwh: z.number().min(0).max(5),
  gridKgPerKwh: z.number().min(0).max(2),
  /** per-class watt overrides, field by field over energy.md §2.1 */
  classWatts: z.partialRecord(DeviceClassSchema, StateWattsSchema.partial()).optional(),
  monitorWatts: z.partialRecord(MonitorSizeSchema, StateWattsSchema.partial()).optional(),
  /** days raw intervals are kept; hourly and daily rollups are kept longer */
  rawRetentionDays: z.number().int().min(30).max(3650),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsUpdateRequestSchema = SettingsSchema.partial().strict();

export const DEVICE_POLICY_STATUSES = ['compliant', 'pending', 'failed', 'drifted'] as const;
export type DevicePolicyStatus = (typeof DEVICE_POLICY_STATUSES)[number];
