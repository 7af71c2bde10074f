import { z } from 'zod';

/** one Google Admin field matching the policy (shared/src/chromeos-admin.ts) */
export const GoogleAdminSettingSchema = z.object({
  path: z.string(),
  field: z.string(),
  value: z.string(),
  chromePolicy: z.string(),
});

/** a Chromebook of the group and whether its last week shows the Admin settings are not in force */
export const ChromebookComplianceSchema = z.object({
  deviceId: z.number().int(),
  name: z.string(),
  overruns: z.number().int(),
  longestIdleMin: z.number(),
  notInForce: z.boolean(),
});

/** `GET /api/v1/groups/:id/google-admin` */
export const GoogleAdminAnswerSchema = z.object({
  groupId: z.number().int(),
  policyName: z.string().nullable(),
  settings: z.array(GoogleAdminSettingSchema),
  unmapped: z.array(z.enum(['brightnessCap', 'displayOffAfter', 'scheduledShutdown'])),
  idleSettingsJson: z.record(z.string(), z.unknown()).nullable(),
  idleSec: z.number().nullable(),
  chromebooks: z.array(ChromebookComplianceSchema),
});
export type GoogleAdminAnswer = z.infer<typeof GoogleAdminAnswerSchema>;
