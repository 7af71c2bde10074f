import { z } from 'zod';

/** Enroll secrets (IT hands them out per school or room) and enrollment itself (docs/api.md). */
export const ENROLL_SECRET_STATUSES = ['active', 'expired', 'revoked'] as const;

export const EnrollSecretSchema = z.object({
  id: z.number().int(),
  groupId: z.number().int(),
  note: z.string().nullable(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  /** devices this secret may enroll at most; null: no limit */
  deviceLimit: z.number().int().nullable(),
  /** devices enrolled (now) through this secret */
  devicesEnrolled: z.number().int(),
  status: z.enum(ENROLL_SECRET_STATUSES),
});
export type EnrollSecret = z.infer<typeof EnrollSecretSchema>;

/** `POST /api/v1/groups/:id/enroll-secrets`: the secret itself, shown this once */
export const CreatedEnrollSecretSchema = EnrollSecretSchema.extend({ secret: z.string() });
export type CreatedEnrollSecret = z.infer<typeof CreatedEnrollSecretSchema>;

export const CreateEnrollSecretRequestSchema = z
  .object({
    expiresAt: z.union([z.string(), z.number().int()]).optional(),
    note: z.string().max(200).optional(),
    /** devices this secret may enroll at most; absent or null: no limit */
    deviceLimit: z.number().int().min(1).max(100_000).nullable().optional(),
  })
  .default({});

/**
 * `GET /api/v1/agent/device` (device token): the console still knows this token. An agent in a
 * browser cannot read the HTTP status of a refused WebSocket upgrade, so it asks here: 401 means
 * the token is refused (device erased, or enrolled again elsewhere) and enrolling again is the way back.
 */
export const AgentDeviceSchema = z.object({ deviceId: z.number().int() });
export type AgentDevice = z.infer<typeof AgentDeviceSchema>;
