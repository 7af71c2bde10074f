import { z } from 'zod';

/** Groups: board › school › building › room (docs/api.md "Groups"). */
export const GROUP_KINDS = ['board', 'school', 'building', 'room'] as const;
export const GroupKindSchema = z.enum(GROUP_KINDS);
export type GroupKind = z.infer<typeof GroupKindSchema>;

export const GroupSchema = z.object({
  id: z.number().int(),
  parentId: z.number().int().nullable(),
  name: z.string(),
  kind: GroupKindSchema,
  /** IANA zone set on this group; null: it follows its parent */
  timeZone: z.string().nullable(),
  /** a reason excludes the group's devices from enforcement */
  excludedReason: z.string().nullable(),
  /** the policy assigned to this group directly */
  policyId: z.number().int().nullable(),
  createdAt: z.number(),
});
export type Group = z.infer<typeof GroupSchema>;

/** `GET /api/v1/groups/:id`: with the zone that applies (its own, else its nearest parent's) */
export const GroupDetailSchema = GroupSchema.extend({ effectiveTimeZone: z.string() });
export type GroupDetail = z.infer<typeof GroupDetailSchema>;

export const CreateGroupRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  parentId: z.number().int().positive().optional(),
  kind: GroupKindSchema.optional(),
  timeZone: z.string().max(64).optional(),
  excludedReason: z.string().max(500).optional(),
});

export const UpdateGroupRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    kind: GroupKindSchema.optional(),
    /** IANA zone; null clears it (the group then follows its parent, Europe/Amsterdam at the top) */
    timeZone: z.string().max(64).nullable().optional(),
    /** a reason excludes the group's devices from enforcement; null lifts the exclusion */
    excludedReason: z.string().trim().min(1).max(500).nullable().optional(),
    parentId: z.number().int().positive().nullable().optional(),
  })
  .strict();
