import { z } from 'zod';

/** Usage and waste figures (docs/api.md "Usage"). */
export const USAGE_GROUP_BY = ['device', 'group', 'deviceClass', 'day', 'hourOfWeek'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

export const UsageQuerySchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  groupBy: z.enum(USAGE_GROUP_BY),
  /** optional: restrict to devices in this group and its subgroups */
  groupId: z.coerce.number().int().positive().optional(),
});

export const UsageRowSchema = z.object({
  /** device id, group id, device class, local day (YYYY-MM-DD) or hour of week, after groupBy */
  key: z.string(),
  /** a name for the key (device or group name), when there is one */
  label: z.string().optional(),
  activeSec: z.number(),
  idleSec: z.number(),
  asleepSec: z.number(),
  offSec: z.number(),
  energyKwh: z.number(),
  wasteKwh: z.number(),
  wasteEur: z.number(),
  wasteCo2eKg: z.number(),
});
export type UsageRow = z.infer<typeof UsageRowSchema>;

export const UsageResponseSchema = z.object({
  from: z.number(),
  to: z.number(),
  groupBy: z.enum(USAGE_GROUP_BY),
  /** the deployment settings these euros and kg were computed with */
  settings: z.object({ priceEurPerKwh: z.number(), gridKgPerKwh: z.number() }),
  rows: z.array(UsageRowSchema),
});
export type UsageResponse = z.infer<typeof UsageResponseSchema>;
