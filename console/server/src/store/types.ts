import type {
  AgentCounters,
  AppliedSettings,
  Blocker,
  DesktopPreset,
  DeviceClass,
  Interval,
  Inventory,
  MonitorSize,
  PolicyError,
  PolicySettings,
  Role,
  SchoolCalendar,
  Settings,
} from '@sluimer/shared';

/**
 * The console's persistent state, persistence only: rules (what a report may contain, duplicates,
 * what a report adds to the rollups) live in the domain modules (ingest/, usage/, groups/, energy/) and
 * are written once for every store. SQLite (`SqliteStore`) is the embedded default; PostgreSQL
 * implements the same interface, and `store-contract.ts` checks both behave alike. Per-connection state
 * (who is online, sockets, rate limits) lives in the gateway, never here.
 */
export interface Store {
  close(): Promise<void>;

  // ---- users, sessions, API tokens ----
  countUsers(): Promise<number>;
  createUser(user: { username: string; passwordHash: string; role: Role; now: number }): Promise<UserRecord>;
  getUser(id: number): Promise<UserRecord | undefined>;
  getUserByName(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(id: number, patch: { role?: Role; passwordHash?: string }): Promise<UserRecord | undefined>;
  deleteUser(id: number): Promise<boolean>;
  createSession(session: { idHash: string; userId: number; now: number; expiresAt: number }): Promise<void>;
  /** the session's user, when the session exists and has not expired */
  getSessionUser(idHash: string, now: number): Promise<UserRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(userId: number): Promise<void>;
  /** replaces the password hash only when it is still `oldHash` (a re-hash must not undo a change) */
  rehashPassword(id: number, oldHash: string, newHash: string): Promise<boolean>;
  createApiToken(token: {
    userId: number;
    name: string;
    tokenHash: string;
    now: number;
    expiresAt: number;
  }): Promise<ApiTokenRecord>;
  /**
   * The token's user and whether the token has expired; records the use (at most once a minute per
   * token, a write per request would cost a disk sync each) when it has not.
   */
  authenticateApiToken(
    tokenHash: string,
    now: number,
  ): Promise<{ user: UserRecord; expired: boolean } | undefined>;
  /** tokens with their user's name, of one user or of everyone */
  listApiTokens(filter?: { userId?: number }): Promise<ApiTokenListItem[]>;
  /** deletes one of the user's own tokens */
  deleteApiToken(userId: number, id: number): Promise<boolean>;
  /** deletes any user's token (an admin revoking it) */
  revokeApiToken(id: number): Promise<boolean>;
  /** deletes every token of the user; returns how many */
  revokeUserApiTokens(userId: number): Promise<number>;
  /** deletes tokens that expired before `before` */
  pruneApiTokens(before: number): Promise<number>;

  // ---- groups and enroll secrets ----
  listGroups(): Promise<GroupRecord[]>;
  getGroup(id: number): Promise<GroupRecord | undefined>;
  createGroup(group: NewGroup): Promise<GroupRecord>;
  updateGroup(id: number, patch: GroupPatch): Promise<GroupRecord | undefined>;
  /** deletes an empty group (no subgroups, no devices) with its enroll secrets; false when not empty */
  deleteGroup(id: number): Promise<'deleted' | 'not_found' | 'not_empty'>;
  createEnrollSecret(secret: {
    groupId: number;
    secretHash: string;
    note?: string | undefined;
    expiresAt: number | null;
    /** devices this secret may enroll at most (null: no limit) */
    deviceLimit?: number | null | undefined;
    now: number;
  }): Promise<EnrollSecretRecord>;
  listEnrollSecrets(groupId?: number): Promise<EnrollSecretRecord[]>;
  findEnrollSecret(secretHash: string): Promise<EnrollSecretRecord | undefined>;
  revokeEnrollSecret(id: number, now: number): Promise<EnrollSecretRecord | undefined>;

  // ---- devices ----
  /**
   * creates the device, or for a known installId gives it a new token (the old one stops working).
   * With `secret`, the device is counted against that secret; when the secret's `deviceLimit` is
   * reached (a device already enrolled through it does not count twice) it throws LimitReachedError
   * and changes nothing.
   */
  enrollDevice(device: {
    secret?: { id: number; deviceLimit: number | null } | undefined;
    installId: string;
    tokenHash: string;
    groupId: number;
    hostname: string;
    inventory: Inventory;
    detectedClass: DeviceClass;
    classReview?: string | undefined;
    now: number;
  }): Promise<{ deviceId: number; created: boolean }>;
  getDevice(id: number): Promise<DeviceRecord | undefined>;
  getDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined>;
  /** devices in id order; `afterId` and `limit` select a page */
  listDevices(filter?: { groupIds?: number[]; afterId?: number; limit?: number }): Promise<DeviceRecord[]>;
  /**
   * what policy resolution needs of each of these devices (group, own policy, exclusion), in one read
   * for a whole policy push; ids of devices that do not exist are left out
   */
  policyTargets(ids: readonly number[]): Promise<DevicePolicyTarget[]>;
  /**
   * one device's intervals that overlap [from, to) in start order, at most `limit` of them; `more` says
   * whether the range holds more (continue from the last one's end)
   */
  timelinePage(
    deviceId: number,
    from: number,
    to: number,
    limit: number,
  ): Promise<{ intervals: StoredInterval[]; more: boolean }>;
  updateDevice(id: number, patch: DevicePatch): Promise<DeviceRecord | undefined>;
  recordHello(
    id: number,
    hello: {
      agentVersion: string;
      policyEtag?: string | undefined;
      inventory?: Inventory | undefined;
      detectedClass?: DeviceClass | undefined;
      classReview?: string | undefined;
      now: number;
    },
  ): Promise<void>;
  /** the daily `inventory` frame: the latest inventory replaces the stored one, plus its battery reading */
  recordInventory(
    id: number,
    inv: {
      inventory: Inventory;
      detectedClass?: DeviceClass | undefined;
      classReview?: string | undefined;
      now: number;
    },
  ): Promise<void>;
  /** the device's monthly battery readings, oldest first (at most BATTERY_MONTHS_KEPT) */
  batteryReadings(id: number): Promise<BatteryReading[]>;
  setLastSeen(id: number, at: number): Promise<void>;
  setPolicySent(id: number, etag: string): Promise<void>;
  setPolicyStatus(
    id: number,
    status: { etag: string; ok: boolean; applied: AppliedSettings; errors: PolicyError[]; at: number },
  ): Promise<void>;
  recentIntervals(deviceId: number, limit: number): Promise<StoredInterval[]>;

  // ---- policies ----
  listPolicies(): Promise<PolicyRecord[]>;
  getPolicy(id: number): Promise<PolicyRecord | undefined>;
  createPolicy(policy: {
    name: string;
    description?: string | undefined;
    settings: PolicySettings;
    now: number;
  }): Promise<PolicyRecord>;
  updatePolicy(
    id: number,
    policy: { name: string; description?: string | undefined; settings: PolicySettings; now: number },
  ): Promise<PolicyRecord | undefined>;
  deletePolicy(id: number): Promise<boolean>;
  /** sets (or with `policyId` null clears) the direct policy of groups and devices */
  assignPolicy(policyId: number | null, target: { groupIds: number[]; deviceIds: number[] }): Promise<void>;

  // ---- ingest (persistence only: the rules are in ingest/, written once for every store) ----
  /**
   * What ingest needs to judge and roll up reports of these devices: their seq and time high-water
   * marks, rollup keys, watts profile, counters and newest stored interval. Devices that do not exist
   * are left out of the map.
   */
  ingestState(deviceIds: readonly number[]): Promise<Map<number, IngestDeviceState>>;
  /**
   * Writes one batch computed by the ingest domain in ONE transaction: the device updates first, then
   * per device the guarded advance, interval extensions and inserts, and the rollup deltas (added to
   * what is stored). When a device no longer matches its `expect` (another writer got there first,
   * the device was moved or deleted) it throws IngestConflictError and writes nothing.
   */
  commitIngest(batch: IngestWrite): Promise<void>;
  /** deletes raw intervals that ended before `before`; rollups stay */
  pruneRawIntervals(before: number): Promise<number>;
  /** deletes sessions that expired before `now` */
  pruneSessions(now: number): Promise<number>;

  // ---- usage ----
  /** totals per device over rollup buckets with bucket start in [from, to) */
  sumRollupsByDevice(
    kind: 'hour' | 'day',
    from: number,
    to: number,
    deviceIds: number[],
  ): Promise<RollupSum[]>;
  /** totals per bucket (UTC hour or UTC day start) over rollups in [from, to) for the given devices */
  sumRollupsByBucket(
    kind: 'hour' | 'day',
    from: number,
    to: number,
    deviceIds: number[],
  ): Promise<RollupSum[]>;
  /** totals per UTC hour for exactly these hours (bucket starts) and devices */
  sumHourRollupsAt(hours: number[], deviceIds: number[]): Promise<RollupSum[]>;
  /**
   * Fleet rollups (the per-device rollups summed per direct group and effective device class): totals
   * per bucket (UTC hour or UTC day start) in [from, to) over these groups.
   */
  sumFleetByBucket(kind: 'hour' | 'day', from: number, to: number, groupIds: number[]): Promise<RollupSum[]>;
  /** totals of the whole fleet (every device) per UTC hour in [from, to) */
  sumBoardHours(from: number, to: number): Promise<RollupSum[]>;
  /** totals of the whole fleet for exactly these UTC hours */
  sumBoardHoursAt(hours: number[]): Promise<RollupSum[]>;
  /** fleet totals per UTC hour for exactly these hours over these groups */
  sumFleetHoursAt(hours: number[], groupIds: number[]): Promise<RollupSum[]>;
  /** fleet totals per (group, device class) over buckets in [from, to) for these groups */
  sumFleetByGroupClass(
    kind: 'hour' | 'day',
    from: number,
    to: number,
    groupIds: number[],
  ): Promise<FleetSum[]>;
  /** raw intervals of these devices that overlap [from, to) */
  intervalsOverlapping(deviceIds: number[], from: number, to: number): Promise<StoredInterval[]>;

  // ---- settings ----
  getSettings(): Promise<Settings>;
  putSettings(settings: Settings): Promise<Settings>;

  // ---- operations: audit log, retirement, AVG export and erasure, housekeeping (ops/, http/device-privacy.ts) ----
  /** one audit entry; `details` is already redacted (ops/audit.ts) */
  appendAudit(entry: AuditRecord): Promise<void>;
  /** newest first */
  listAudit(q: AuditQuery): Promise<AuditEntry[]>;
  /** forgets entries older than `before`; how many went */
  pruneAudit(before: number): Promise<number>;
  /** the device's token is replaced by `tokenHash` (one no token matches) and the retirement kept, or replaced */
  retireDevice(
    id: number,
    retirement: { at: number; reason: string | null; tokenHash: string },
  ): Promise<void>;
  /** everything stored about one device (AVG art. 15/20), token hash left out; undefined when unknown */
  exportDevice(id: number): Promise<DeviceExport | undefined>;
  /** erases one device: its intervals, rollups, blocker spans, retirement and the device itself; what went */
  eraseDevice(id: number): Promise<DeviceErasure>;
  /** periodic upkeep of the storage itself (SQLite: fold the WAL back and truncate it); `postponed` when busy */
  housekeeping(): Promise<{ postponed: boolean }>;
  // ---- device lifecycle (issue 11): purchase data, battery readings of many devices ----
  /**
   * stores the purchase data of these devices in one transaction: all rows or, on any failure,
   * none; a device's earlier record is replaced. Returns the rows written.
   */
  putPurchases(rows: readonly PurchaseInput[], now: number): Promise<number>;
  /** purchase records of these devices (all devices when omitted) */
  listPurchases(deviceIds?: readonly number[]): Promise<PurchaseRecord[]>;
  /** monthly battery readings of these devices, oldest first per device */
  batteryReadingsOf(deviceIds: readonly number[]): Promise<Map<number, BatteryReading[]>>;
  /**
   * earlier months' battery readings (the demo's simulated history); a month that already has a
   * reading keeps it. Returns the readings added.
   */
  addBatteryHistory(deviceId: number, readings: readonly BatteryReading[]): Promise<number>;
  // ---- impact: school calendars, policy history, waste per device-hour (issue 10) ----
  getSchoolCalendar(groupId: number): Promise<StoredSchoolCalendar | undefined>;
  listSchoolCalendars(): Promise<StoredSchoolCalendar[]>;
  putSchoolCalendar(groupId: number, calendar: SchoolCalendar, now: number): Promise<StoredSchoolCalendar>;
  deleteSchoolCalendar(groupId: number): Promise<boolean>;
  /** policy history rows, oldest first; with `groupIds`/`deviceIds` only those targets */
  listPolicyHistory(filter?: { groupIds?: number[]; deviceIds?: number[] }): Promise<PolicyHistoryRecord[]>;
  appendPolicyHistory(rows: readonly NewPolicyHistory[]): Promise<void>;
  /** moves these rows to another moment (the demo dates its seeded history into the simulated past) */
  datePolicyHistory(ids: readonly number[], at: number): Promise<void>;
  /** recorded waste per device and UTC hour (rollup_hour) for hours in [from, to); only hours with data */
  wastePerDeviceHour(
    deviceIds: number[],
    from: number,
    to: number,
  ): Promise<{ deviceId: number; hour: number; wasteWh: number }[]>;
  // ---- blocker history (issue 10): spans written by commitIngest (IngestWrite.blockerSpans) ----
  /** the open spans (end null) of these devices */
  openBlockerSpans(deviceIds: readonly number[]): Promise<BlockerSpanRecord[]>;
  /** spans of these devices that overlap [from, to) (open ones from their start on), by device and start */
  blockerSpansOverlapping(
    deviceIds: readonly number[],
    from: number,
    to: number,
  ): Promise<BlockerSpanRecord[]>;
  /** the moment from which blocker spans are recorded (0: since the console's first report) */
  blockerHistoryFrom(): Promise<number>;
  /**
   * the recorded policy-status events of these devices before `to` (every policy_status frame and every
   * hello naming an etag, as setPolicyStatus and recordHello wrote them), by device and time
   */
  policyStatusHistory(deviceIds: readonly number[], to: number): Promise<PolicyStatusEvent[]>;
  /** the moment from which policy-status events are recorded (0: since the console's first report) */
  policyStatusHistoryFrom(): Promise<number>;
  /**
   * deletes policy-status events before `before` (raw-data retention), except each device's latest of
   * each kind: the state a later period starts from
   */
  prunePolicyStatusHistory(before: number): Promise<number>;
  /** deletes closed spans that ended before `before` (raw-data retention); open ones stay */
  pruneBlockerSpans(before: number): Promise<number>;
}

/** at most this many policy-status events per device are recorded on one UTC day (a reconnecting agent cannot fill the disk) */
export const POLICY_STATUS_EVENTS_PER_DEVICE_DAY = 50;

/** one recorded policy-status event: a policy_status frame, or a hello naming the etag the agent holds */
export interface PolicyStatusEvent {
  deviceId: number;
  kind: 'status' | 'hello';
  etag: string | null;
  /** the frame's `ok` (status events only) */
  ok: boolean | null;
  /** the codes of the frame's errors (status events only; messages are not kept) */
  errorCodes: string[];
  at: number;
}

/** a span in which a device reported a blocker; `end` null while it is open */
export interface BlockerSpanRecord {
  id: number;
  deviceId: number;
  name: string;
  kind: Blocker['kind'];
  possible: boolean;
  blocks: string[] | null;
  start: number;
  end: number | null;
}

/** what ingest writes of the blocker history in one batch (see ingest/blocker-spans.ts) */
export interface BlockerSpanWrite {
  /** stored open spans that end: `end` is set (only while still open) */
  close: readonly { id: number; deviceId: number; end: number }[];
  /** new spans, closed (`end` set) or open (`end` null) */
  insert: readonly Omit<BlockerSpanRecord, 'id'>[];
  /**
   * at most this many spans per device start on one UTC day: an insert beyond it is left out (a
   * flapping agent cannot fill the disk)
   */
  maxPerDeviceDay: number;
}

/** one device's purchase data, imported from the school's own records (CSV) */
export interface PurchaseInput {
  deviceId: number;
  /** YYYY-MM-DD */
  purchaseDate: string;
  priceCents: number | null;
  /** YYYY-MM-DD */
  warrantyEnd: string | null;
}
export interface PurchaseRecord extends PurchaseInput {
  importedAt: number;
}

export interface StoredSchoolCalendar {
  groupId: number;
  calendar: SchoolCalendar;
  updatedAt: number;
}

/** One recorded effective policy of a group (what a device without its own policy gets) or a device. */
export interface NewPolicyHistory {
  groupId: number | null;
  deviceId: number | null;
  policyId: number | null;
  policyName: string | null;
  auditOnly: boolean;
  excludedReason: string | null;
  settings: PolicySettings;
  etag: string;
  at: number;
  /** the state found when recording began: its real start is unknown */
  firstRecord: boolean;
}

export interface PolicyHistoryRecord extends NewPolicyHistory {
  id: number;
}

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: number;
}

export interface ApiTokenRecord {
  id: number;
  userId: number;
  name: string;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}

export interface ApiTokenListItem extends ApiTokenRecord {
  username: string;
}

export const GROUP_KIND_VALUES = ['board', 'school', 'building', 'room'] as const;
export type GroupKind = (typeof GROUP_KIND_VALUES)[number];

export interface GroupRecord {
  id: number;
  parentId: number | null;
  name: string;
  kind: GroupKind;
  timeZone: string | null;
  excludedReason: string | null;
  policyId: number | null;
  createdAt: number;
}

export interface NewGroup {
  name: string;
  parentId: number | null;
  kind: GroupKind;
  timeZone: string | null;
  excludedReason: string | null;
  now: number;
}

export interface GroupPatch {
  name?: string;
  kind?: GroupKind;
  timeZone?: string | null;
  excludedReason?: string | null;
  parentId?: number | null;
}

export interface EnrollSecretRecord {
  id: number;
  groupId: number;
  note: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** devices this secret may enroll at most; null: no limit */
  deviceLimit: number | null;
  /** devices enrolled (now) through this secret */
  devicesEnrolled: number;
}

export interface DeviceRecord {
  id: number;
  installId: string;
  groupId: number;
  hostname: string;
  name: string | null;
  inventory: Inventory;
  detectedClass: DeviceClass;
  classReview: string | null;
  /** manual override set in the console */
  deviceClass: DeviceClass | null;
  desktopPreset: DesktopPreset | null;
  monitors: MonitorSize[] | null;
  policyId: number | null;
  excludedReason: string | null;
  agentVersion: string | null;
  maxSeq: number;
  maxEnd: number;
  enrolledAt: number;
  lastSeen: number | null;
  policyEtagSent: string | null;
  helloEtag: string | null;
  helloAt: number | null;
  policyStatus: {
    ok: boolean;
    etag: string;
    applied: AppliedSettings;
    errors: PolicyError[];
    at: number;
  } | null;
  blockers: Blocker[];
  blockersAt: number | null;
  counters: AgentCounters | null;
  countersAt: number | null;
}

export interface DevicePatch {
  name?: string | null;
  groupId?: number;
  deviceClass?: DeviceClass | null;
  desktopPreset?: DesktopPreset | null;
  monitors?: MonitorSize[] | null;
  excludedReason?: string | null;
}

export interface PolicyRecord {
  id: number;
  name: string;
  description: string | null;
  settings: PolicySettings;
  updatedAt: number;
}

export interface StoredInterval extends Interval {
  deviceId: number;
}

/** one month's battery reading (the last of that month, UTC) */
export interface BatteryReading {
  month: string;
  healthPct: number;
  cycleCount: number | null;
  at: number;
}
/** battery readings older than this many months are deleted (docs/privacy.md) */
export const BATTERY_MONTHS_KEPT = 96;

/** the fields of a device its effective policy is resolved from (groups/policy-service.ts) */
export type DevicePolicyTarget = Pick<DeviceRecord, 'id' | 'groupId' | 'policyId' | 'excludedReason'>;

/** Small per-device writes the gateway batches into the next group commit. */
export type DeviceUpdate =
  | ({ kind: 'hello'; deviceId: number } & Parameters<Store['recordHello']>[1])
  | ({ kind: 'inventory'; deviceId: number } & Parameters<Store['recordInventory']>[1])
  | { kind: 'lastSeen'; deviceId: number; at: number }
  | { kind: 'policySent'; deviceId: number; etag: string }
  | ({ kind: 'policyStatus'; deviceId: number } & Parameters<Store['setPolicyStatus']>[1]);

export interface RollupSum {
  /** device id, or bucket start for per-hour sums */
  key: number;
  activeMs: number;
  idleOnMs: number;
  idleOffMs: number;
  asleepMs: number;
  offMs: number;
  energyWh: number;
  wasteWh: number;
}

export interface FleetSum extends RollupSum {
  /** the group id, as `key` */
  groupId: number;
  deviceClass: DeviceClass;
}

/** An audit log entry (ops/audit.ts): who changed what through the API, and when. */
export interface AuditEntry {
  id: number;
  at: number;
  /** user id, or null for an anonymous call (login, enrollment) */
  userId: number | null;
  username: string | null;
  role: string | null;
  /** 'session' | 'token' | 'cli' | null */
  via: string | null;
  ip: string;
  method: string;
  /** the route pattern, e.g. /api/v1/devices/:id */
  route: string;
  /** the id in the path, if any */
  targetId: number | null;
  status: number;
  /** the request body with secrets redacted, at most 2 KB of JSON */
  details: unknown;
}

/** an audit entry to store: `details` undefined is stored as none */
export type AuditRecord = Omit<AuditEntry, 'id'>;

export interface AuditQuery {
  limit: number;
  /** entries with a smaller id (the next page) */
  before?: number;
  targetId?: number;
  /** entries whose route starts with this */
  route?: string;
}

/** Everything stored about one device, as stored (column names as in the database). */
export interface DeviceExport {
  /** every column of the device except its token hash; JSON columns parsed */
  device: Record<string, unknown>;
  retirement: { retired_at: number; reason: string | null } | null;
  intervals: Record<string, unknown>[];
  hourlyRollups: Record<string, unknown>[];
  dailyRollups: Record<string, unknown>[];
  batteryReadings: Record<string, unknown>[];
  /** the imported purchase record (date, price, warranty end), or null */
  purchase: Record<string, unknown> | null;
  /** the blocker history: name, kind, possible, blocks, start, end */
  blockerSpans: Record<string, unknown>[];
  /** the recorded policy-status events: kind, etag, ok, error codes, at */
  policyStatusHistory: Record<string, unknown>[];
}

/** rows removed by an erasure, per kind; `devices` is 1 when the device went */
export interface DeviceErasure {
  intervals: number;
  hourlyRollups: number;
  dailyRollups: number;
  blockerSpans: number;
  policyStatusEvents: number;
  devices: number;
}
/** the seven amounts of a rollup row (ms per state, Wh) */
export interface RollupAmounts {
  activeMs: number;
  idleOnMs: number;
  idleOffMs: number;
  asleepMs: number;
  offMs: number;
  energyWh: number;
  wasteWh: number;
}

/** what the ingest domain reads of a device before judging its reports (Store.ingestState) */
export interface IngestDeviceState {
  deviceId: number;
  /** the highest seq stored (reports up to it are duplicates) */
  maxSeq: number;
  /** the latest interval end stored */
  maxEnd: number;
  groupId: number;
  deviceClass: DeviceClass | null;
  detectedClass: DeviceClass;
  desktopPreset: DesktopPreset | null;
  monitors: MonitorSize[] | null;
  counters: AgentCounters | null;
  /** the stored interval that starts last (a report usually continues it), or null */
  lastInterval: Interval | null;
}

/** The fields a device must still have when a batch is committed; anything else is a conflict. */
export interface IngestExpect {
  maxSeq: number;
  groupId: number;
  deviceClass: DeviceClass | null;
  detectedClass: DeviceClass;
  desktopPreset: DesktopPreset | null;
  monitors: MonitorSize[] | null;
}

/** one device's new high-water marks and report extras, written when it still matches `expect` */
export interface IngestDeviceAdvance {
  deviceId: number;
  expect: IngestExpect;
  maxSeq: number;
  maxEnd: number;
  lastSeen: number;
  blockers?: { value: Blocker[]; at: number } | undefined;
  /** the merged counters (the domain adds the report's to the stored ones) */
  counters?: { value: AgentCounters; at: number } | undefined;
}

/** everything one ingest batch writes (Store.commitIngest) */
export interface IngestWrite {
  /** small per-device writes that ride along with the batch, applied first, in order */
  updates: readonly DeviceUpdate[];
  devices: readonly IngestDeviceAdvance[];
  /** stored intervals whose end moves (a report continues them); keyed by (deviceId, start) */
  extend: readonly { deviceId: number; start: number; end: number }[];
  /** new raw intervals */
  insert: readonly StoredInterval[];
  /** deltas added to rollup_hour (bucket = UTC hour start) and rollup_day (UTC day start) */
  deviceHours: readonly DeviceRollupDelta[];
  deviceDays: readonly DeviceRollupDelta[];
  /** deltas added to the fleet rollups per (bucket, direct group, effective device class) */
  fleetHours: readonly FleetRollupDelta[];
  fleetDays: readonly FleetRollupDelta[];
  /** deltas added to the whole fleet per UTC hour */
  boardHours: readonly BoardRollupDelta[];
  /** blocker spans opened and closed by the batch's reports; absent = none */
  blockerSpans?: BlockerSpanWrite | undefined;
}

export interface DeviceRollupDelta extends RollupAmounts {
  deviceId: number;
  bucket: number;
}

export interface FleetRollupDelta extends RollupAmounts {
  bucket: number;
  groupId: number;
  deviceClass: DeviceClass;
}

export interface BoardRollupDelta extends RollupAmounts {
  bucket: number;
}

// the store's errors live in errors.ts; re-exported here for callers that import the interface
export { ConflictError, IngestConflictError, LimitReachedError } from './errors.js';
