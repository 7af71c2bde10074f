import { z } from 'zod';
import { DEVICE_CLASSES, DeviceClassSchema } from '../energy.js';
import { BLOCKER_KINDS } from '../protocol.js';
import { IntervalOutSchema } from './common.js';
import {
  DEVICE_VIEW_STATES,
  DeviceViewStateSchema,
  POLICY_STATUS_NAMES,
  PolicyStatusNameSchema,
} from './devices.js';

/** Endpoints made for the web app (docs/api.md "Web app endpoints"). */

export const WEB_DEVICE_SORTS = ['name', 'group', 'class', 'state', 'policy', 'lastSeen'] as const;

export const WebDeviceListQuerySchema = z.object({
  q: z.string().max(200).optional(),
  groupId: z.coerce.number().int().positive().optional(),
  deviceClass: z.enum(DEVICE_CLASSES).optional(),
  state: z.enum(DEVICE_VIEW_STATES).optional(),
  policyStatus: z.enum(POLICY_STATUS_NAMES).optional(),
  policyId: z.coerce.number().int().positive().optional(),
  sort: z.enum(WEB_DEVICE_SORTS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const WebBlockerSchema = z.object({
  name: z.string(),
  kind: z.enum(BLOCKER_KINDS),
  reason: z.string().optional(),
});

/** A row of the web app's device list. */
export const WebDeviceSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  hostname: z.string(),
  groupId: z.number().int(),
  groupName: z.string().nullable(),
  /** e.g. "Stichting › Het Lyceum › Lokaal 1.12" */
  groupPath: z.string(),
  deviceClass: DeviceClassSchema,
  model: z.string().nullable(),
  os: z.string().nullable(),
  online: z.boolean(),
  state: DeviceViewStateSchema,
  lastSeen: z.number().nullable(),
  agentVersion: z.string().nullable(),
  /** the effective policy */
  policyId: z.number().int().nullable(),
  policyName: z.string().nullable(),
  /** the effective policy measures only (also true under the console default) */
  auditOnly: z.boolean(),
  policyStatus: PolicyStatusNameSchema,
  policyError: z.string().nullable(),
  excludedReason: z.string().nullable(),
  blockers: z.array(WebBlockerSchema),
});
export type WebDevice = z.infer<typeof WebDeviceSchema>;

export const WebDeviceListSchema = z.object({
  /** devices matching the filters, on all pages */
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  /** matching devices per state */
  counts: z.object({
    online: z.number().int(),
    asleep: z.number().int(),
    off: z.number().int(),
    offline: z.number().int(),
  }),
  devices: z.array(WebDeviceSchema),
});
export type WebDeviceList = z.infer<typeof WebDeviceListSchema>;

/** intervals in one timeline answer at most; a day at the 1 s minimum holds 86,400 */
export const MAX_TIMELINE_INTERVALS = 10_000;
export const TimelineQuerySchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  limit: z.coerce.number().int().min(1).max(MAX_TIMELINE_INTERVALS).default(MAX_TIMELINE_INTERVALS),
});

export const TimelineSchema = z.object({
  deviceId: z.number().int(),
  from: z.number(),
  to: z.number(),
  /** clipped to [from, to) */
  intervals: z.array(IntervalOutSchema),
  truncated: z.boolean(),
  /** where the next page starts (pass it as `from`); null on the last page */
  nextCursor: z.number().nullable(),
});
export type Timeline = z.infer<typeof TimelineSchema>;
export type TimelineInterval = z.infer<typeof IntervalOutSchema>;

export const DeviceReasonsQuerySchema = z.object({
  /** comma-separated device ids, at most 100 */
  ids: z
    .string()
    .max(2000)
    .transform((s) => s.split(',').filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().positive()).min(1).max(100)),
});

/** Why a device wastes energy, when known (top wasters on the overview). */
export const WasteReasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('excluded'), detail: z.string() }),
  z.object({ kind: z.literal('blocker'), detail: z.string(), blockerKind: z.string() }),
  z.object({ kind: z.literal('policy_failed'), detail: z.string() }),
  z.object({ kind: z.literal('no_policy') }),
  z.object({ kind: z.literal('audit_only'), detail: z.string().optional() }),
  z.object({ kind: z.literal('policy_applied'), detail: z.string() }),
  z.object({ kind: z.literal('unknown') }),
]);
export type WasteReason = z.infer<typeof WasteReasonSchema>;

export const DeviceReasonSchema = z.object({
  id: z.number().int(),
  /** the name, else the host name */
  name: z.string(),
  groupId: z.number().int(),
  groupPath: z.string(),
  deviceClass: DeviceClassSchema,
  state: DeviceViewStateSchema,
  /** blocker process names only for admin and IT (privacy by design) */
  reason: WasteReasonSchema,
});
export type DeviceReason = z.infer<typeof DeviceReasonSchema>;

/**
 * Live events of `GET /api/v1/web/events` (Server-Sent Events: `event: <name>`, `data: <JSON>`),
 * coalesced per device every 500 ms.
 */
export const LiveEventSchemas = {
  /** a device's online state changed (connected, disconnected, awake ↔ asleep) */
  device: z.object({
    deviceId: z.number().int(),
    online: z.boolean(),
    state: DeviceViewStateSchema,
    lastSeen: z.number(),
  }),
  /** a device reported applying its policy; `policyStatus` is what the views show now */
  policy_status: z.object({
    deviceId: z.number().int(),
    ok: z.boolean(),
    etag: z.string(),
    at: z.number(),
    policyStatus: PolicyStatusNameSchema.optional(),
  }),
  /** a device enrolled (before its agent connects) */
  enrolled: z.object({
    type: z.literal('enrolled'),
    deviceId: z.number().int(),
    groupId: z.number().int().optional(),
    at: z.number(),
  }),
  /** new measurements arrived somewhere in the fleet (at most one per 2 s) */
  report: z.object({ at: z.number(), reports: z.number().int() }),
} as const;
export type LiveEventName = keyof typeof LiveEventSchemas;
export type LiveEvent<K extends LiveEventName = LiveEventName> = z.infer<(typeof LiveEventSchemas)[K]>;
