import { z } from 'zod';

/**
 * What a what-if answer cannot know, named instead of guessed (docs/impact.md, docs/api.md):
 * - `blocker_history_not_recorded`: the period starts before the console began recording blocker
 *   spans (a console upgraded from a version without them): time before that is never treated as
 *   held, so what a blocker held then counts as avoidable;
 * - `school_calendar_assumed`: no school calendar is stored yet; the shipped Dutch holidays of one
 *   region are used with the draft's (or the default) school hours;
 * - `raw_retention_exceeded`: part of the period lies before the raw-data retention and is left out.
 */
export const WHAT_IF_LIMITATIONS = [
  'blocker_history_not_recorded',
  'school_calendar_assumed',
  'raw_retention_exceeded',
] as const;
export const WhatIfLimitationSchema = z.object({
  code: z.enum(WHAT_IF_LIMITATIONS),
  /** Dutch, then English, for a person */
  message: z.string(),
});
export type WhatIfLimitation = z.infer<typeof WhatIfLimitationSchema>;

const amounts = {
  avoidedKwh: z.number(),
  avoidedEur: z.number(),
  avoidedCo2eKg: z.number(),
};

const GroupSchema = z.object({
  groupId: z.number().int().nullable(),
  name: z.string(),
  devices: z.number().int(),
  wasteKwh: z.number(),
  unreachableKwh: z.number(),
  interruptions: z.number().int(),
  perYear: z.object(amounts),
  ...amounts,
});

const DeviceSchema = z.object({
  deviceId: z.number().int(),
  name: z.string().optional(),
  groupId: z.number().int().optional(),
  excludedReason: z.string().optional(),
  hasData: z.boolean(),
  wasteKwh: z.number(),
  avoidedKwh: z.number(),
  keptKwh: z.number(),
  unreachableKwh: z.number(),
  interruptions: z.number().int(),
  perYear: z.object({ avoidedKwh: z.number() }),
});

/**
 * `POST /api/v1/what-if` answer: the replay's result (without the full per-device list; the top
 * devices are in `topDevices`), the period used and what the answer cannot know. The contract
 * serialiser sends only what this schema names: a field the web app reads must be here.
 */
export const WhatIfResponseSchema = z.object({
  from: z.number(),
  to: z.number(),
  /** true when no period was named and the last four school weeks were used */
  defaultPeriod: z.boolean(),
  devices: z.number().int(),
  wasteKwh: z.number(),
  ...amounts,
  keptKwh: z.number(),
  unreachableKwh: z.number(),
  unreachable: z.object({
    blockerKwh: z.number(),
    excludedKwh: z.number(),
    excludedDevices: z.number().int(),
    /** the named blockers that held waste in the period, the most kWh first, with their rooms */
    blockers: z.array(
      z.object({
        name: z.string(),
        kwh: z.number(),
        devices: z.number().int(),
        groups: z.array(z.object({ name: z.string(), devices: z.number().int() })),
      }),
    ),
  }),
  interruptions: z.number().int(),
  interruptionsPerSchoolWeek: z.number().nullable(),
  perYear: z.object({
    ...amounts,
    basis: z.enum(['calendar', 'default', 'mixed']),
    missing: z.array(z.enum(['schoolDays', 'otherDays'])),
  }),
  retention: z.object({ complete: z.boolean(), coveredFrom: z.number(), missingMs: z.number() }),
  groups: z.array(GroupSchema),
  worstRooms: z.array(
    z.object({ groupId: z.number().int().nullable(), name: z.string(), interruptions: z.number().int() }),
  ),
  topDevices: z.array(DeviceSchema),
  /** devices in scope whose latest report names a blocker (now, not in the period) */
  devicesWithBlockersNow: z.number().int(),
  settings: z.object({
    priceEurPerKwh: z.number(),
    gridKgPerKwh: z.number(),
    interruptionWindowMs: z.number(),
  }),
  limitations: z.array(WhatIfLimitationSchema),
});
export type WhatIfResponse = z.infer<typeof WhatIfResponseSchema>;
