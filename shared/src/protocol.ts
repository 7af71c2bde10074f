import { z } from 'zod';
import { IntervalSchema } from './intervals.js';
import { InventorySchema } from './inventory.js';
import { EffectivePolicySchema } from './policy.js';

/** Protocol v1 (docs/api.md). Extend compatibly: new fields optional, unknown fields ignored. */
export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  /** a text frame above this gets `frame_too_large` and is not processed */
  maxFrameBytes: 256 * 1024,
  /** hard cap at the socket: above this the socket is closed (1009) */
  hardMaxFrameBytes: 1024 * 1024,
  maxIntervalsPerReport: 1000,
  maxBlockersPerReport: 50,
  /** how far an interval end may lie ahead of the console clock (agent clock skew) */
  maxFutureSkewMs: 2 * 60 * 1000,
  /** raw-data retention floor: intervals older than the configured retention (≥ this) are refused */
  minRetentionDays: 30,
  /** bad frames in a row after which the console closes the socket */
  maxConsecutiveBadFrames: 20,
  /** an interval shorter than this is invalid (`interval_too_short`); the console merges, never splits */
  minIntervalMs: 1000,
  /** a report `seq` above this is invalid (`seq_out_of_range`), so numbering never runs out */
  maxSeq: 2 ** 31 - 1,
  /** a report `seq` more than this above the device's stored one is invalid (`seq_out_of_range`) */
  maxSeqJump: 1_000_000,
} as const;

export const SeqSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const BLOCKER_KINDS = ['process', 'driver', 'service'] as const;
export const BlockerSchema = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(BLOCKER_KINDS),
  reason: z.string().max(500).optional(),
  /** what it blocks, lowercased: display, system, sleep, idle, … */
  blocks: z.array(z.string().max(40)).max(10).optional(),
  /**
   * Extension (optional): true when the agent could not tell whether this one really blocks (e.g. the
   * inhibitor's mode was cut off its listing); it may. Absent = it blocks. A console that does not
   * know the field drops it and shows the entry as a blocker, which errs on the safe side.
   */
  possible: z.boolean().optional(),
});
export type Blocker = z.infer<typeof BlockerSchema>;

// ---- enrollment (HTTP) ----
export const EnrollRequestSchema = z.object({
  enrollSecret: z.string().min(1).max(200),
  installId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
  hostname: z.string().min(1).max(255),
  inventory: InventorySchema.default({}),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({ deviceId: z.number().int(), deviceToken: z.string() });
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

// ---- agent → console ----
export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number().int().min(1),
  agentVersion: z.string().min(1).max(50),
  inventory: InventorySchema.optional(),
  policyEtag: z.string().max(100).optional(),
  /**
   * Protocol extensions this agent understands (docs/api.md "Protocol extensions"), e.g. `['summary']`.
   * Optional and additive: a console sends an extension frame only to agents that name it.
   */
  features: z.array(z.string().min(1).max(50)).max(20).optional(),
});

/** Counts the agent keeps without any user identity (AVG): dropped reports, nudge outcomes. */
export const AgentCountersSchema = z.object({
  droppedReports: z.number().int().min(0).max(1e9).optional(),
  droppedIntervals: z.number().int().min(0).max(1e9).optional(),
  nudges: z
    .record(
      z.string().max(40),
      z.object({
        shown: z.number().int().min(0).max(1e6).default(0),
        dismissed: z.number().int().min(0).max(1e6).default(0),
        snoozed: z.number().int().min(0).max(1e6).default(0),
      }),
    )
    .optional(),
});
export type AgentCounters = z.infer<typeof AgentCountersSchema>;

export const ReportFrameSchema = z.object({
  type: z.literal('report'),
  seq: SeqSchema,
  intervals: z.array(IntervalSchema).max(LIMITS.maxIntervalsPerReport),
  blockers: z.array(BlockerSchema).max(LIMITS.maxBlockersPerReport).optional(),
  /** extension: counts since the previous report (compatible, optional) */
  counters: AgentCountersSchema.optional(),
});

export const AppliedSettingsSchema = z
  .object({
    sleepAfterSec: z.object({ ac: z.number().nullable(), battery: z.number().nullable() }).partial(),
    displayOffAfterSec: z.object({ ac: z.number().nullable(), battery: z.number().nullable() }).partial(),
    brightnessCapPct: z.object({ ac: z.number().nullable(), battery: z.number().nullable() }).partial(),
    scheduledAction: z.string().max(200).nullable(),
    /**
     * Extension (optional): the agent applies none of the settings itself because the platform's
     * management does (`google-admin`: a Chromebook, whose idle and power settings ChromeOS takes from
     * Google Admin). The console then shows the device as `external`, not as waiting forever.
     */
    enforcedBy: z.enum(['google-admin']).optional(),
  })
  .partial()
  .catchall(z.unknown());
export type AppliedSettings = z.infer<typeof AppliedSettingsSchema>;

export const PolicyErrorSchema = z.object({
  setting: z.string().max(100).optional(),
  code: z.string().max(60),
  message: z.string().max(1000),
});
export type PolicyError = z.infer<typeof PolicyErrorSchema>;

export const PolicyStatusFrameSchema = z.object({
  type: z.literal('policy_status'),
  etag: z.string().max(100),
  ok: z.boolean(),
  applied: AppliedSettingsSchema,
  errors: z.array(PolicyErrorSchema).max(50),
});

/**
 * Extension `inventory` (agent → console): the device's hardware read again (once a day) on a
 * connection that lasts. Sent only to a console whose welcome lists `inventory` in `features`; a
 * console accepts it only from an agent whose hello listed `inventory`. At connect the hello's
 * `inventory` already carries the same fields (older consoles strip what they do not know).
 */
export const InventoryFrameSchema = z.object({
  type: z.literal('inventory'),
  inventory: InventorySchema,
});

export const AgentFrameSchema = z.discriminatedUnion('type', [
  HelloFrameSchema,
  ReportFrameSchema,
  PolicyStatusFrameSchema,
  InventoryFrameSchema,
]);
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type ReportFrame = z.infer<typeof ReportFrameSchema>;
export type PolicyStatusFrame = z.infer<typeof PolicyStatusFrameSchema>;
export type InventoryFrame = z.infer<typeof InventoryFrameSchema>;
export type AgentFrame = z.infer<typeof AgentFrameSchema>;
export const AGENT_FRAME_TYPES = ['hello', 'report', 'policy_status', 'inventory'] as const;

// ---- console → agent ----
export const WelcomeFrameSchema = z.object({
  type: z.literal('welcome'),
  deviceId: z.number().int(),
  serverTime: z.number().int(),
  ackedSeq: z.number().int().min(0),
  policy: EffectivePolicySchema,
  etag: z.string(),
  /**
   * Extension (optional): agent → console extension frames this console accepts, e.g. `['inventory']`.
   * Absent (older consoles) = none, so a newer agent sends them nothing new.
   */
  features: z.array(z.string().min(1).max(50)).max(20).optional(),
});
export const AckFrameSchema = z.object({ type: z.literal('ack'), seq: SeqSchema });
export const PolicyFrameSchema = z.object({
  type: z.literal('policy'),
  policy: EffectivePolicySchema,
  etag: z.string(),
});
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  /** the report's seq when the error rejects a report */
  seq: SeqSchema.optional(),
});
/** One week's figures of a group, week-to-date (docs/api.md "Protocol extensions"). */
export const GroupWeekFiguresSchema = z.object({
  /** hours devices of the group stood on unused (idle with the display on, or the display off) */
  idleOnHours: z.number().min(0).max(1_000_000),
  /** avoidable energy of that idle-on time (energy model), kWh */
  wasteKwh: z.number().min(0).max(1_000_000),
  /** the same in euros at the console's price */
  wasteEur: z.number().min(0).max(1_000_000),
});
export const GroupWeekSchema = z.object({
  scope: z.enum(['room', 'class']),
  /** the group's name as the school knows it, e.g. "Lokaal 2.14" */
  label: z.string().max(100).optional(),
  /** from the local Monday 00:00 up to `summary.at` */
  thisWeek: GroupWeekFiguresSchema,
  /** the same span of the week before, so the two compare fairly */
  lastWeek: GroupWeekFiguresSchema,
});
/**
 * Extension `summary` (console → agent, only to agents whose hello names `summary` in `features`):
 * the device's room/class results for the weekly nudge and the tray's popover. Sent after `welcome`
 * and again when the figures change (at most hourly). kWh/€ avoided = lastWeek − thisWeek.
 */
export const SummaryFrameSchema = z.object({
  type: z.literal('summary'),
  /** console time the figures were computed (epoch ms) */
  at: z.number().int(),
  /** local date (YYYY-MM-DD) of the Monday the week starts, in the policy's time zone */
  weekStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** most specific group first (room, then class); empty = no group figures */
  groups: z.array(GroupWeekSchema).max(4),
});
export const ConsoleFrameSchema = z.discriminatedUnion('type', [
  WelcomeFrameSchema,
  AckFrameSchema,
  PolicyFrameSchema,
  ErrorFrameSchema,
  SummaryFrameSchema,
]);
export type GroupWeek = z.infer<typeof GroupWeekSchema>;
export type SummaryFrame = z.infer<typeof SummaryFrameSchema>;
/** the extension name of the daily `inventory` frame (hello.features and welcome.features) */
export const INVENTORY_FEATURE = 'inventory';
/**
 * Hello feature by which an agent promises intervals of at least LIMITS.minIntervalMs: the console then
 * refuses a report with a shorter one (`interval_too_short`) instead of absorbing it into a neighbour.
 * The agent keeps it by absorbing its own sub-second pieces (agent/src/core/whole-seconds.ts).
 */
export const STRICT_INTERVALS_FEATURE = 'strict-intervals';
/** extension names an agent lists in `hello.features` (the agent sends them all) */
export const PROTOCOL_FEATURES = ['summary', STRICT_INTERVALS_FEATURE, INVENTORY_FEATURE] as const;
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;
export type AckFrame = z.infer<typeof AckFrameSchema>;
export type PolicyFrame = z.infer<typeof PolicyFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type ConsoleFrame = z.infer<typeof ConsoleFrameSchema>;

/** WebSocket path of the agent gateway. */
export const AGENT_WS_PATH = '/api/v1/agent';

/**
 * Extension (optional) for agents that cannot set headers on a WebSocket (the Chrome extension: browsers
 * allow only subprotocols): the device token travels as a second subprotocol `sluimer.bearer.<token>`
 * next to `sluimer.v1`, and the console answers with `sluimer.v1` only, so the token is never echoed.
 * `Authorization: Bearer` stays the way for every other agent and wins when both are sent.
 */
export const AGENT_WS_SUBPROTOCOL = 'sluimer.v1';
const BEARER_SUBPROTOCOL_PREFIX = 'sluimer.bearer.';

export function bearerSubprotocols(deviceToken: string): string[] {
  return [AGENT_WS_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${deviceToken}`];
}

/** The device token from a `Sec-WebSocket-Protocol` header value, or undefined. */
export function tokenFromSubprotocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(BEARER_SUBPROTOCOL_PREFIX) && v.length > BEARER_SUBPROTOCOL_PREFIX.length) {
      return v.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}
