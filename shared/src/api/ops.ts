import { z } from 'zod';

/** Operations and privacy (docs/api.md, docs/privacy.md): audit log, retiring, AVG export and erasure. */
export const AuditQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** entries with a lower id than this (the `next` of the previous page) */
    before: z.coerce.number().int().positive().optional(),
    deviceId: z.coerce.number().int().positive().optional(),
  })
  .strict();

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.number(),
  /** user id, or null for an anonymous call (login, enrollment) */
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  role: z.string().nullable(),
  /** 'session' | 'token' | null */
  via: z.string().nullable(),
  ip: z.string(),
  method: z.string(),
  /** the route pattern, e.g. /api/v1/devices/:id */
  route: z.string(),
  /** the id in the path, if any */
  targetId: z.number().int().nullable(),
  status: z.number().int(),
  /** the request body with secrets redacted, at most 2 KB of JSON */
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** pass as `before` for the next page; null on the last */
  next: z.number().int().nullable(),
});

export const RetireRequestSchema = z
  .object({ reason: z.string().max(500).optional() })
  .strict()
  .optional();

export const RetiredDeviceSchema = z.object({
  id: z.number().int(),
  retiredAt: z.number(),
  reason: z.string().nullable(),
});

/** AVG art. 15/20: everything stored about one device; stored rows as they are (column names) */
export const DeviceExportSchema = z.object({
  exportedAt: z.number(),
  deviceId: z.number().int(),
  note: z.string(),
  device: z.record(z.string(), z.unknown()),
  retirement: z.record(z.string(), z.unknown()).nullable(),
  intervals: z.array(z.record(z.string(), z.unknown())),
  hourlyRollups: z.array(z.record(z.string(), z.unknown())),
  dailyRollups: z.array(z.record(z.string(), z.unknown())),
  batteryReadings: z.array(z.record(z.string(), z.unknown())),
  /** blocker history: when a named blocker held the device (name, kind, possible, blocks, start, end) */
  blockerSpans: z.array(z.record(z.string(), z.unknown())),
  /** policy-status history: each policy_status frame and hello as reported (kind, etag, ok, error codes, at) */
  policyStatusHistory: z.array(z.record(z.string(), z.unknown())),
  audit: z.array(AuditEntrySchema),
});

export const DeletedDeviceSchema = z.object({
  id: z.number().int(),
  /** rows erased */
  deleted: z.object({
    intervals: z.number().int(),
    hourlyRollups: z.number().int(),
    dailyRollups: z.number().int(),
    blockerSpans: z.number().int(),
    policyStatusEvents: z.number().int(),
    devices: z.number().int(),
  }),
});
