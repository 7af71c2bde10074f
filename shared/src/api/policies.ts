import { z } from 'zod';
import { PolicySettingsSchema } from '../policy.js';

/** Policies and where they are assigned (docs/api.md "Policies"). */
export const PolicyRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
  settings: PolicySettingsSchema,
});

/** A policy with where it is assigned directly; id lists are cut at 1000 (`truncated`), counts are whole. */
export const PolicySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  settings: PolicySettingsSchema,
  updatedAt: z.number(),
  groupIds: z.array(z.number().int()),
  deviceIds: z.array(z.number().int()),
  groupCount: z.number().int(),
  deviceCount: z.number().int(),
  truncated: z.literal(true).optional(),
});
export type Policy = z.infer<typeof PolicySchema>;

/** `PUT /api/v1/policies/:id`: the policy, and to how many connected agents it was pushed */
export const UpdatedPolicySchema = PolicySchema.extend({ pushed: z.number().int() });

export const AssignRequestSchema = z
  .object({
    groupIds: z.array(z.number().int().positive()).max(10_000).optional(),
    deviceIds: z.array(z.number().int().positive()).max(100_000).optional(),
  })
  .refine((r) => (r.groupIds?.length ?? 0) + (r.deviceIds?.length ?? 0) > 0, {
    message: 'name at least one group or device',
  });
export const UnassignRequestSchema = AssignRequestSchema;

export const AssignResponseSchema = z.object({
  policyId: z.number().int(),
  groupIds: z.array(z.number().int()),
  deviceIds: z.array(z.number().int()),
  /** connected agents the changed policies were pushed to */
  pushed: z.number().int(),
});
export const UnassignResponseSchema = AssignResponseSchema.omit({ policyId: true });

/** `GET /api/v1/policies/recommended?groupId=` */
export const RecommendedQuerySchema = z
  .object({ groupId: z.coerce.number().int().positive().optional() })
  .strict();
