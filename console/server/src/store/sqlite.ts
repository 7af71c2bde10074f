import { join } from 'node:path';
import {
  type AgentCounters,
  type AppliedSettings,
  batteryHealthPct,
  DAY_MS,
  DEFAULT_ENERGY_SETTINGS,
  type Interval,
  type Inventory,
  type PolicyError,
  type PolicySettings,
  PolicySettingsSchema,
  type Role,
  type SchoolCalendar,
  SchoolCalendarSchema,
  type Settings,
  SettingsSchema,
} from '@sluimer/shared';
import Database from 'better-sqlite3';
import { deviceTotalWatts } from '../energy/energy-profile.js';
import { createPrivateFile, secureDataDir, tightenFile } from '../ops/file-modes.js';
import { type ID_TABLES, MIGRATIONS, migrate } from './migrations.js';
import { EnergyRecompute } from './recompute.js';
import {
  type ApiTokenListItem,
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  BATTERY_MONTHS_KEPT,
  type BatteryReading,
  type BlockerSpanRecord,
  type BlockerSpanWrite,
  ConflictError,
  type DeviceErasure,
  type DeviceExport,
  type DevicePatch,
  type DevicePolicyTarget,
  type DeviceRecord,
  type DeviceUpdate,
  type EnrollSecretRecord,
  type FleetSum,
  type GroupKind,
  type GroupPatch,
  type GroupRecord,
  IngestConflictError,
  type IngestDeviceState,
  type IngestWrite,
  LimitReachedError,
  type NewGroup,
  type NewPolicyHistory,
  POLICY_STATUS_EVENTS_PER_DEVICE_DAY,
  type PolicyHistoryRecord,
  type PolicyRecord,
  type PolicyStatusEvent,
  type PurchaseInput,
  type PurchaseRecord,
  type RollupAmounts,
  type RollupSum,
  type Store,
  type StoredInterval,
  type StoredSchoolCalendar,
  type UserRecord,
} from './types.js';

export const DEFAULT_SETTINGS: Settings = {
  priceEurPerKwh: DEFAULT_ENERGY_SETTINGS.priceEurPerKwh,
  gridKgPerKwh: DEFAULT_ENERGY_SETTINGS.gridKgPerKwh,
  rawRetentionDays: 90,
};

export const DB_FILE = 'sluimer-console.sqlite';

/** rows per multi-row INSERT of intervals (6 parameters each) */
const INSERT_ROWS = 50;

export { ConflictError, LimitReachedError } from './errors.js';

type Row = Record<string, unknown>;

export const json = <T>(v: unknown, fallback: T): T =>
  typeof v === 'string' ? (JSON.parse(v) as T) : fallback;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** a policy_status_history row (either engine) as the store hands it out */
export function statusEventOf(r: Row): PolicyStatusEvent {
  return {
    deviceId: Number(r.device_id),
    kind: r.kind === 'hello' ? 'hello' : 'status',
    etag: str(r.etag),
    ok: r.ok === null || r.ok === undefined ? null : Number(r.ok) === 1,
    errorCodes: json<string[]>(r.error_codes, []),
    at: Number(r.at),
  };
}

/** a blocker_spans row (either engine) as the store hands it out */
export function spanOf(r: Row): BlockerSpanRecord {
  return {
    id: Number(r.id),
    deviceId: Number(r.device_id),
    name: String(r.name),
    kind: r.kind as BlockerSpanRecord['kind'],
    possible: Number(r.possible) === 1,
    blocks: json<string[] | null>(r.blocks, null),
    start: Number(r.start),
    end: r.end === null || r.end === undefined ? null : Number(r.end),
  };
}

export function toUser(r: Row): UserRecord {
  return {
    id: Number(r.id),
    username: String(r.username),
    passwordHash: String(r.password_hash),
    role: r.role as Role,
    createdAt: Number(r.created_at),
  };
}

export function toGroup(r: Row): GroupRecord {
  return {
    id: Number(r.id),
    parentId: num(r.parent_id),
    name: String(r.name),
    kind: r.kind as GroupKind,
    timeZone: str(r.time_zone),
    excludedReason: str(r.excluded_reason),
    policyId: num(r.policy_id),
    createdAt: Number(r.created_at),
  };
}

export function toSecret(r: Row): EnrollSecretRecord {
  return {
    id: Number(r.id),
    groupId: Number(r.group_id),
    note: str(r.note),
    createdAt: Number(r.created_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
    deviceLimit: num(r.device_limit),
    devicesEnrolled: Number(r.devices_enrolled ?? 0),
  };
}

export function toPolicy(r: Row): PolicyRecord {
  return {
    id: Number(r.id),
    name: String(r.name),
    description: str(r.description),
    settings: JSON.parse(String(r.settings)) as PolicySettings,
    updatedAt: Number(r.updated_at),
  };
}

export function toPolicyTarget(r: Row): DevicePolicyTarget {
  return {
    id: Number(r.id),
    groupId: Number(r.group_id),
    policyId: num(r.policy_id),
    excludedReason: str(r.excluded_reason),
  };
}

export function toDevice(r: Row): DeviceRecord {
  return {
    id: Number(r.id),
    installId: String(r.install_id),
    groupId: Number(r.group_id),
    hostname: String(r.hostname),
    name: str(r.name),
    inventory: json(r.inventory, {}),
    detectedClass: r.detected_class as DeviceRecord['detectedClass'],
    classReview: str(r.class_review),
    deviceClass: (r.device_class ?? null) as DeviceRecord['deviceClass'],
    desktopPreset: (r.desktop_preset ?? null) as DeviceRecord['desktopPreset'],
    monitors: json(r.monitors, null),
    policyId: num(r.policy_id),
    excludedReason: str(r.excluded_reason),
    agentVersion: str(r.agent_version),
    maxSeq: Number(r.max_seq),
    maxEnd: Number(r.max_end),
    enrolledAt: Number(r.enrolled_at),
    lastSeen: num(r.last_seen),
    policyEtagSent: str(r.policy_etag_sent),
    helloEtag: str(r.hello_etag),
    helloAt: num(r.hello_at),
    policyStatus:
      r.status_etag === null || r.status_etag === undefined
        ? null
        : {
            ok: r.status_ok === 1,
            etag: String(r.status_etag),
            applied: json<AppliedSettings>(r.status_applied, {}),
            errors: json<PolicyError[]>(r.status_errors, []),
            at: Number(r.status_at),
          },
    blockers: json(r.blockers, []),
    blockersAt: num(r.blockers_at),
    counters: json(r.counters, null),
    countersAt: num(r.counters_at),
  };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String(err.code).startsWith('SQLITE_CONSTRAINT_UNIQUE');
}

export interface SqliteStoreOptions {
  /** directory of the database file (created when missing); ':memory:' for a throwaway store */
  dataDir: string;
  /** for tests: stop after this many migrations */
  migrateTo?: number;
  /** the clock of the energy recompute's retention window (default Date.now) */
  now?: () => number;
}

/** The embedded store: one SQLite file in WAL mode, synchronous=FULL, foreign keys on. */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly path: string;
  private settingsCache: Settings | undefined;
  private prepared: ReturnType<typeof prepare> | undefined;

  constructor(options: SqliteStoreOptions) {
    if (options.dataDir === ':memory:') {
      this.path = ':memory:';
    } else {
      // 0700 folder, 0600 files: SQLite gives -wal and -shm the mode of the database file
      secureDataDir(options.dataDir, DB_FILE);
      this.path = join(options.dataDir, DB_FILE);
      createPrivateFile(this.path);
    }
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    if (this.path !== ':memory:') for (const f of ['-wal', '-shm']) tightenFile(this.path + f);
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    const version = migrate(this.db, options.migrateTo);
    this.now = options.now ?? Date.now;
    if (version === MIGRATIONS.length) this.energy.kick(); // resume a recompute cut short by a restart
  }

  private readonly now: () => number;
  private energyRecompute: EnergyRecompute | undefined;
  /** recomputes stored energy after class, preset, monitor or watt corrections (store/recompute.ts) */
  get energy(): EnergyRecompute {
    this.energyRecompute ??= new EnergyRecompute(
      this.db,
      () => this.settingsSync(),
      () => this.now(),
    );
    return this.energyRecompute;
  }

  /** a key of the watts a device's stored energy depends on, under these settings */
  private wattsKeyOf(id: number, settings: Settings): string | undefined {
    const r = this.s.getDeviceProfile.get(id) as Row | undefined;
    return r ? wattsKey(r, settings) : undefined;
  }

  /** prepared statements, made on first use (a store stopped at an older migration only serves raw SQL) */
  private get s(): ReturnType<typeof prepare> {
    this.prepared ??= prepare(this.db);
    return this.prepared;
  }

  async close(): Promise<void> {
    this.energyRecompute?.stop();
    if (this.db.open) this.db.close();
  }

  // ---- users ----
  async countUsers() {
    return Number((this.s.countUsers.get() as Row).n);
  }
  async createUser(u: { username: string; passwordHash: string; role: Role; now: number }) {
    try {
      const info = this.s.insertUser.run(u.username, u.passwordHash, u.role, u.now);
      return (await this.getUser(Number(info.lastInsertRowid)))!;
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`user ${u.username} exists`);
      throw err;
    }
  }
  async getUser(id: number) {
    const r = this.s.getUser.get(id) as Row | undefined;
    return r ? toUser(r) : undefined;
  }
  async getUserByName(username: string) {
    const r = this.s.getUserByName.get(username) as Row | undefined;
    return r ? toUser(r) : undefined;
  }
  async listUsers() {
    return (this.s.listUsers.all() as Row[]).map(toUser);
  }
  async updateUser(id: number, patch: { role?: Role; passwordHash?: string }) {
    if (patch.role) this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(patch.role, id);
    if (patch.passwordHash)
      this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(patch.passwordHash, id);
    return this.getUser(id);
  }
  async deleteUser(id: number) {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }
  async createSession(s: { idHash: string; userId: number; now: number; expiresAt: number }) {
    this.s.insertSession.run(s.idHash, s.userId, s.now, s.expiresAt);
  }
  async getSessionUser(idHash: string, now: number) {
    const r = this.s.getSessionUser.get(idHash, now) as Row | undefined;
    return r ? toUser(r) : undefined;
  }
  async deleteSession(idHash: string) {
    this.s.deleteSession.run(idHash);
  }
  async deleteUserSessions(userId: number) {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }
  async rehashPassword(id: number, oldHash: string, newHash: string) {
    return (
      this.db
        .prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?')
        .run(newHash, id, oldHash).changes > 0
    );
  }
  async createApiToken(t: {
    userId: number;
    name: string;
    tokenHash: string;
    now: number;
    expiresAt: number;
  }) {
    const info = this.db
      .prepare(
        'INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(t.userId, t.name, t.tokenHash, t.now, t.expiresAt);
    return {
      id: Number(info.lastInsertRowid),
      userId: t.userId,
      name: t.name,
      createdAt: t.now,
      expiresAt: t.expiresAt,
      lastUsedAt: null,
    };
  }
  async authenticateApiToken(tokenHash: string, now: number) {
    const r = this.s.getTokenUser.get(tokenHash) as Row | undefined;
    if (!r) return undefined;
    const expired = r.token_expires_at !== null && Number(r.token_expires_at) <= now;
    // a write per request would cost a disk sync each; a minute's precision is plenty
    if (!expired && now - Number(r.token_last_used_at ?? 0) > 60_000) this.s.touchToken.run(now, tokenHash);
    return { user: toUser(r), expired };
  }
  async listApiTokens(filter: { userId?: number } = {}): Promise<ApiTokenListItem[]> {
    const rows = this.db
      .prepare(
        `SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         ${filter.userId === undefined ? '' : 'WHERE t.user_id = ?'} ORDER BY t.id`,
      )
      .all(...(filter.userId === undefined ? [] : [filter.userId])) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      userId: Number(r.user_id),
      username: String(r.username),
      name: String(r.name),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      lastUsedAt: num(r.last_used_at),
    }));
  }
  async deleteApiToken(userId: number, id: number) {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }
  async revokeApiToken(id: number) {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0;
  }
  async revokeUserApiTokens(userId: number) {
    return this.db.prepare('DELETE FROM api_tokens WHERE user_id = ?').run(userId).changes;
  }
  async pruneApiTokens(before: number) {
    return this.db.prepare('DELETE FROM api_tokens WHERE expires_at < ?').run(before).changes;
  }

  // ---- groups ----
  async listGroups() {
    return (this.db.prepare('SELECT * FROM groups ORDER BY id').all() as Row[]).map(toGroup);
  }
  async getGroup(id: number) {
    const r = this.db.prepare('SELECT * FROM groups WHERE id = ?').get(id) as Row | undefined;
    return r ? toGroup(r) : undefined;
  }
  async createGroup(g: NewGroup) {
    const info = this.db
      .prepare(
        `INSERT INTO groups (id, parent_id, name, kind, time_zone, excluded_reason, created_at)
         VALUES (${nextId('groups')}, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.parentId, g.name, g.kind, g.timeZone, g.excludedReason, g.now);
    return (await this.getGroup(Number(info.lastInsertRowid)))!;
  }
  async updateGroup(id: number, patch: GroupPatch) {
    const cols: Record<string, unknown> = {};
    if (patch.name !== undefined) cols.name = patch.name;
    if (patch.kind !== undefined) cols.kind = patch.kind;
    if (patch.timeZone !== undefined) cols.time_zone = patch.timeZone;
    if (patch.excludedReason !== undefined) cols.excluded_reason = patch.excludedReason;
    if (patch.parentId !== undefined) cols.parent_id = patch.parentId;
    this.updateRow('groups', id, cols);
    return this.getGroup(id);
  }
  async deleteGroup(id: number) {
    return this.db.transaction((): 'deleted' | 'not_found' | 'not_empty' => {
      if (!this.db.prepare('SELECT 1 FROM groups WHERE id = ?').get(id)) return 'not_found';
      const used =
        this.db.prepare('SELECT 1 FROM groups WHERE parent_id = ? LIMIT 1').get(id) ??
        this.db.prepare('SELECT 1 FROM devices WHERE group_id = ? LIMIT 1').get(id);
      if (used) return 'not_empty';
      this.db.prepare('DELETE FROM groups WHERE id = ?').run(id);
      return 'deleted';
    })();
  }
  async createEnrollSecret(s: {
    groupId: number;
    secretHash: string;
    note?: string | undefined;
    expiresAt: number | null;
    deviceLimit?: number | null | undefined;
    now: number;
  }) {
    const info = this.db
      .prepare(
        'INSERT INTO enroll_secrets (group_id, secret_hash, note, created_at, expires_at, device_limit) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.groupId, s.secretHash, s.note ?? null, s.now, s.expiresAt, s.deviceLimit ?? null);
    return toSecret(this.db.prepare(`${SECRET_SELECT} WHERE e.id = ?`).get(info.lastInsertRowid) as Row);
  }
  async listEnrollSecrets(groupId?: number) {
    const rows =
      groupId === undefined
        ? this.db.prepare(`${SECRET_SELECT} ORDER BY e.id`).all()
        : this.db.prepare(`${SECRET_SELECT} WHERE e.group_id = ? ORDER BY e.id`).all(groupId);
    return (rows as Row[]).map(toSecret);
  }
  async findEnrollSecret(secretHash: string) {
    const r = this.db.prepare(`${SECRET_SELECT} WHERE e.secret_hash = ?`).get(secretHash) as Row | undefined;
    return r ? toSecret(r) : undefined;
  }
  async revokeEnrollSecret(id: number, now: number) {
    this.db
      .prepare('UPDATE enroll_secrets SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?')
      .run(now, id);
    const r = this.db.prepare(`${SECRET_SELECT} WHERE e.id = ?`).get(id) as Row | undefined;
    return r ? toSecret(r) : undefined;
  }

  // ---- devices ----
  async enrollDevice(d: Parameters<Store['enrollDevice']>[0]) {
    return this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT id, enroll_secret_id FROM devices WHERE install_id = ?')
        .get(d.installId) as Row | undefined;
      const secret = d.secret;
      if (secret && secret.deviceLimit !== null && num(existing?.enroll_secret_id) !== secret.id) {
        // checked and written in one transaction, so parallel enrollments cannot overshoot the limit
        const n = Number(
          (
            this.db
              .prepare('SELECT COUNT(*) AS n FROM devices WHERE enroll_secret_id = ?')
              .get(secret.id) as Row
          ).n,
        );
        if (n >= secret.deviceLimit)
          throw new LimitReachedError(
            `enroll secret ${secret.id} has enrolled ${n} of ${secret.deviceLimit} devices`,
          );
      }
      if (secret)
        this.db
          .prepare('UPDATE devices SET enroll_secret_id = ? WHERE install_id = ?')
          .run(secret.id, d.installId);
      if (existing) {
        const settings = this.settingsSync();
        const before = this.wattsKeyOf(Number(existing.id), settings);
        this.db
          .prepare(
            `UPDATE devices SET token_hash = ?, group_id = ?, hostname = ?, inventory = ?, detected_class = ?,
             class_review = ? WHERE id = ?`,
          )
          .run(
            d.tokenHash,
            d.groupId,
            d.hostname,
            JSON.stringify(d.inventory),
            d.detectedClass,
            d.classReview ?? null,
            existing.id,
          );
        if (this.wattsKeyOf(Number(existing.id), settings) !== before)
          this.energy.request([Number(existing.id)]);
        return { deviceId: Number(existing.id), created: false };
      }
      const info = this.db
        .prepare(
          `INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, class_review,
           enrolled_at, enroll_secret_id) VALUES (${nextId('devices')}, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          d.installId,
          d.tokenHash,
          d.groupId,
          d.hostname,
          JSON.stringify(d.inventory),
          d.detectedClass,
          d.classReview ?? null,
          d.now,
          secret?.id ?? null,
        );
      return { deviceId: Number(info.lastInsertRowid), created: true };
    })();
  }
  async getDevice(id: number) {
    const r = this.s.getDevice.get(id) as Row | undefined;
    return r ? toDevice(r) : undefined;
  }
  async getDeviceByTokenHash(tokenHash: string) {
    const r = this.s.getDeviceByToken.get(tokenHash) as Row | undefined;
    return r ? toDevice(r) : undefined;
  }
  async listDevices(filter?: { groupIds?: number[]; afterId?: number; limit?: number }) {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter?.groupIds) {
      where.push('group_id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(filter.groupIds));
    }
    if (filter?.afterId) {
      where.push('id > ?');
      args.push(filter.afterId);
    }
    const sql = `SELECT * FROM devices${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${
      filter?.limit !== undefined ? ' LIMIT ?' : ''
    }`;
    if (filter?.limit !== undefined) args.push(filter.limit);
    return (this.db.prepare(sql).all(...args) as Row[]).map(toDevice);
  }
  async policyTargets(ids: readonly number[]) {
    if (ids.length === 0) return [];
    return (
      this.db
        .prepare(
          'SELECT id, group_id, policy_id, excluded_reason FROM devices WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
        )
        .all(JSON.stringify(ids)) as Row[]
    ).map(toPolicyTarget);
  }
  async timelinePage(deviceId: number, from: number, to: number, limit: number) {
    const out: StoredInterval[] = [];
    // intervals of one device never overlap: only the last one starting before `from` can reach into it
    const first = this.s.touching.get(deviceId, from) as Row | undefined;
    if (first && Number(first.end) > from) out.push(toInterval(deviceId, first));
    const rows = this.s.forwards.all(deviceId, from, to, limit + 1 - out.length) as Row[];
    for (const r of rows) out.push(toInterval(deviceId, r));
    const more = out.length > limit;
    if (more) out.length = limit;
    return { intervals: out, more };
  }
  async updateDevice(id: number, patch: DevicePatch) {
    const settings = this.settingsSync();
    const before = this.wattsKeyOf(id, settings);
    const cols: Record<string, unknown> = {};
    if (patch.name !== undefined) cols.name = patch.name;
    if (patch.groupId !== undefined) cols.group_id = patch.groupId;
    if (patch.deviceClass !== undefined) cols.device_class = patch.deviceClass;
    if (patch.desktopPreset !== undefined) cols.desktop_preset = patch.desktopPreset;
    if (patch.monitors !== undefined)
      cols.monitors = patch.monitors === null ? null : JSON.stringify(patch.monitors);
    if (patch.excludedReason !== undefined) cols.excluded_reason = patch.excludedReason;
    this.updateRow('devices', id, cols);
    if (before !== undefined && this.wattsKeyOf(id, settings) !== before) this.energy.request([id]);
    return this.getDevice(id);
  }
  async recordHello(id: number, h: Parameters<Store['recordHello']>[1]) {
    this.recordHelloSync(id, h);
  }
  private recordHelloSync(id: number, h: Parameters<Store['recordHello']>[1]) {
    const settings = this.settingsSync();
    const before = h.detectedClass ? this.wattsKeyOf(id, settings) : undefined;
    this.s.recordHello.run(
      h.agentVersion,
      h.policyEtag ?? null,
      h.now,
      h.now,
      h.inventory ? JSON.stringify(h.inventory) : null,
      h.detectedClass ?? null,
      h.inventory ? 1 : null,
      h.classReview ?? null,
      id,
    );
    // a newly detected class (no override set) changes the device's watts
    if (before !== undefined && this.wattsKeyOf(id, settings) !== before) this.energy.request([id]);
    if (h.inventory) this.recordBatterySync(id, h.inventory, h.now);
    if (h.policyEtag)
      this.recordStatusEvent({ kind: 'hello', etag: h.policyEtag, ok: null, errorCodes: [], at: h.now }, id);
  }
  async recordInventory(id: number, inv: Parameters<Store['recordInventory']>[1]) {
    this.recordInventorySync(id, inv);
  }
  private recordInventorySync(id: number, inv: Parameters<Store['recordInventory']>[1]) {
    const settings = this.settingsSync();
    const before = inv.detectedClass ? this.wattsKeyOf(id, settings) : undefined;
    this.s.recordInventory.run(
      JSON.stringify(inv.inventory),
      inv.detectedClass ?? null,
      inv.classReview ?? null,
      id,
    );
    if (before !== undefined && this.wattsKeyOf(id, settings) !== before) this.energy.request([id]);
    this.recordBatterySync(id, inv.inventory, inv.now);
  }
  /** the month's battery reading (the latest wins), and readings past the retention deleted */
  private recordBatterySync(id: number, inventory: Inventory, now: number) {
    const health = batteryHealthPct(inventory.battery);
    if (health === null) return;
    const d = new Date(now);
    const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (BATTERY_MONTHS_KEPT - 1), 1));
    const oldest = `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
    this.s.upsertBattery.run(id, month, health, inventory.battery?.cycleCount ?? null, now);
    this.s.pruneBattery.run(id, oldest);
  }
  async batteryReadings(id: number): Promise<BatteryReading[]> {
    return (this.s.batteryReadings.all(id) as Row[]).map((r) => ({
      month: String(r.month),
      healthPct: Number(r.health_pct),
      cycleCount: r.cycle_count === null ? null : Number(r.cycle_count),
      at: Number(r.at),
    }));
  }
  async setLastSeen(id: number, at: number) {
    this.s.setLastSeen.run(at, id);
  }
  async setPolicySent(id: number, etag: string) {
    this.s.setPolicySent.run(etag, id);
  }
  async setPolicyStatus(id: number, st: Parameters<Store['setPolicyStatus']>[1]) {
    this.setPolicyStatusSync(id, st);
  }
  private setPolicyStatusSync(id: number, st: Parameters<Store['setPolicyStatus']>[1]) {
    this.recordStatusEvent(
      { kind: 'status', etag: st.etag, ok: st.ok, errorCodes: st.errors.map((e) => e.code), at: st.at },
      id,
    );
    this.s.setPolicyStatus.run(
      st.ok ? 1 : 0,
      st.etag,
      JSON.stringify(st.applied),
      JSON.stringify(st.errors),
      st.at,
      st.at,
      id,
    );
  }
  async recentIntervals(deviceId: number, limit: number) {
    const rows = this.db
      .prepare(
        'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? ORDER BY start DESC LIMIT ?',
      )
      .all(deviceId, limit) as Row[];
    return rows.map((r) => toInterval(deviceId, r));
  }

  // ---- policies ----
  async listPolicies() {
    return (this.db.prepare('SELECT * FROM policies ORDER BY id').all() as Row[]).map(toPolicy);
  }
  async getPolicy(id: number) {
    const r = this.db.prepare('SELECT * FROM policies WHERE id = ?').get(id) as Row | undefined;
    return r ? toPolicy(r) : undefined;
  }
  async createPolicy(p: {
    name: string;
    description?: string | undefined;
    settings: PolicySettings;
    now: number;
  }) {
    const info = this.db
      .prepare(
        `INSERT INTO policies (id, name, description, settings, updated_at) VALUES (${nextId('policies')}, ?, ?, ?, ?)`,
      )
      .run(p.name, p.description ?? null, JSON.stringify(p.settings), p.now);
    return (await this.getPolicy(Number(info.lastInsertRowid)))!;
  }
  async updatePolicy(
    id: number,
    p: { name: string; description?: string | undefined; settings: PolicySettings; now: number },
  ) {
    this.db
      .prepare('UPDATE policies SET name = ?, description = ?, settings = ?, updated_at = ? WHERE id = ?')
      .run(p.name, p.description ?? null, JSON.stringify(p.settings), p.now, id);
    return this.getPolicy(id);
  }
  async deletePolicy(id: number) {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE groups SET policy_id = NULL WHERE policy_id = ?').run(id);
      this.db.prepare('UPDATE devices SET policy_id = NULL WHERE policy_id = ?').run(id);
      return this.db.prepare('DELETE FROM policies WHERE id = ?').run(id).changes > 0;
    })();
  }
  async assignPolicy(policyId: number | null, target: { groupIds: number[]; deviceIds: number[] }) {
    this.db.transaction(() => {
      const g = this.db.prepare('UPDATE groups SET policy_id = ? WHERE id = ?');
      for (const id of target.groupIds) g.run(policyId, id);
      const d = this.db.prepare('UPDATE devices SET policy_id = ? WHERE id = ?');
      for (const id of target.deviceIds) d.run(policyId, id);
    })();
  }

  // ---- ingest (persistence only; the rules are in ingest/) ----
  async ingestState(deviceIds: readonly number[]): Promise<Map<number, IngestDeviceState>> {
    const out = new Map<number, IngestDeviceState>();
    for (const id of deviceIds) {
      if (out.has(id)) continue;
      const r = this.s.getDeviceIngest.get(id) as Row | undefined;
      if (!r) continue;
      const last = this.s.lastInterval.get(id) as Row | undefined;
      out.set(id, {
        deviceId: id,
        maxSeq: Number(r.max_seq),
        maxEnd: Number(r.max_end),
        groupId: Number(r.group_id),
        deviceClass: (r.device_class ?? null) as DeviceRecord['deviceClass'],
        detectedClass: r.detected_class as DeviceRecord['detectedClass'],
        desktopPreset: (r.desktop_preset ?? null) as DeviceRecord['desktopPreset'],
        monitors: json(r.monitors, null),
        counters: json<AgentCounters | null>(r.counters, null),
        lastInterval: last ? plainInterval(last) : null,
      });
    }
    return out;
  }

  async commitIngest(batch: IngestWrite): Promise<void> {
    const s = this.s;
    this.db.transaction(() => {
      for (const u of batch.updates) this.applyUpdate(u);
      for (const d of batch.devices) {
        const e = d.expect;
        const changed = s.advanceDevice.run(
          d.maxSeq,
          d.maxEnd,
          d.lastSeen,
          d.deviceId,
          e.maxSeq,
          e.groupId,
          e.deviceClass ?? '',
          e.detectedClass,
          e.desktopPreset ?? '',
          e.monitors === null ? '' : JSON.stringify(e.monitors),
        ).changes;
        // throwing rolls the whole batch back: the domain reads again and recomputes
        if (changed === 0) throw new IngestConflictError(d.deviceId);
        if (d.blockers) s.setBlockers.run(JSON.stringify(d.blockers.value), d.blockers.at, d.deviceId);
        if (d.counters) s.setCounters.run(JSON.stringify(d.counters.value), d.counters.at, d.deviceId);
      }
      for (const x of batch.extend) s.extendInterval.run(x.end, x.deviceId, x.start);
      this.insertIntervals(batch.insert);
      for (const r of batch.deviceHours) s.upsertHour.run(r.deviceId, r.bucket, ...amountArgs(r));
      for (const r of batch.deviceDays) s.upsertDay.run(r.deviceId, r.bucket, ...amountArgs(r));
      for (const r of batch.fleetHours)
        s.upsertFleetHour.run(r.bucket, r.groupId, r.deviceClass, ...amountArgs(r));
      for (const r of batch.fleetDays)
        s.upsertFleetDay.run(r.bucket, r.groupId, r.deviceClass, ...amountArgs(r));
      for (const r of batch.boardHours) s.upsertBoardHour.run(r.bucket, ...amountArgs(r));
      if (batch.blockerSpans) this.writeBlockerSpans(batch.blockerSpans);
    })();
  }

  /** closes and opens blocker spans (inside commitIngest's transaction); inserts past the day cap are left out */
  private writeBlockerSpans(w: BlockerSpanWrite): void {
    const close = this.db.prepare(
      'UPDATE blocker_spans SET "end" = ? WHERE id = ? AND device_id = ? AND "end" IS NULL',
    );
    for (const c of w.close) close.run(c.end, c.id, c.deviceId);
    if (w.insert.length === 0) return;
    const count = this.db.prepare(
      'SELECT COUNT(*) AS n FROM blocker_spans WHERE device_id = ? AND start >= ? AND start < ?',
    );
    const insert = this.db.prepare(
      'INSERT INTO blocker_spans (device_id, name, kind, possible, blocks, start, "end") VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const r of w.insert) {
      const day = Math.floor(r.start / DAY_MS) * DAY_MS;
      const n = Number((count.get(r.deviceId, day, day + DAY_MS) as Row).n);
      if (n >= w.maxPerDeviceDay) continue;
      insert.run(
        r.deviceId,
        r.name,
        r.kind,
        r.possible ? 1 : 0,
        r.blocks ? JSON.stringify(r.blocks) : null,
        r.start,
        r.end,
      );
    }
  }

  private applyUpdate(u: DeviceUpdate): void {
    switch (u.kind) {
      case 'hello':
        this.recordHelloSync(u.deviceId, u);
        break;
      case 'inventory':
        this.recordInventorySync(u.deviceId, u);
        break;
      case 'lastSeen':
        this.s.setLastSeen.run(u.at, u.deviceId);
        break;
      case 'policySent':
        this.s.setPolicySent.run(u.etag, u.deviceId);
        break;
      case 'policyStatus':
        this.setPolicyStatusSync(u.deviceId, u);
        break;
    }
  }

  /** inserts intervals with multi-row INSERTs (one statement per up to INSERT_ROWS rows) */
  private insertIntervals(list: readonly StoredInterval[]): void {
    const args: (number | string | null)[] = [];
    for (let i = 0; i < list.length; i += INSERT_ROWS) {
      const n = Math.min(INSERT_ROWS, list.length - i);
      args.length = 0;
      for (let k = i; k < i + n; k++) {
        const iv = list[k]!;
        args.push(iv.deviceId, iv.start, iv.end, iv.state, iv.display ?? null, iv.power ?? null);
      }
      let st = this.insertRows[n];
      if (!st) {
        st = this.db.prepare(
          `INSERT INTO intervals (device_id, start, "end", state, display, power) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
        );
        this.insertRows[n] = st;
      }
      st.run(args);
    }
  }
  private readonly insertRows: Database.Statement[] = [];

  async pruneRawIntervals(before: number) {
    // per device along the primary key, yielding between devices so ingest keeps flowing
    const ids = (this.db.prepare('SELECT id FROM devices ORDER BY id').all() as Row[]).map((r) =>
      Number(r.id),
    );
    const del = this.db.prepare('DELETE FROM intervals WHERE device_id = ? AND start < ? AND "end" < ?');
    let removed = 0;
    for (const id of ids) {
      if (!this.db.open) break;
      removed += del.run(id, before, before).changes;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return removed;
  }
  async pruneSessions(now: number) {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  // ---- usage ----
  async sumRollupsByDevice(kind: 'hour' | 'day', from: number, to: number, deviceIds: number[]) {
    const table = kind === 'hour' ? 'rollup_hour' : 'rollup_day';
    const col = kind === 'hour' ? 'hour' : 'day';
    // along the primary key: one range per device
    const sql = `SELECT device_id AS key, ${SUMS} FROM ${table}
      WHERE device_id IN (SELECT value FROM json_each(?)) AND ${col} >= ? AND ${col} < ? GROUP BY device_id`;
    return (this.db.prepare(sql).all(JSON.stringify(deviceIds), from, to) as Row[]).map(toSum);
  }
  async sumRollupsByBucket(kind: 'hour' | 'day', from: number, to: number, deviceIds: number[]) {
    const table = kind === 'hour' ? 'rollup_hour' : 'rollup_day';
    const col = kind === 'hour' ? 'hour' : 'day';
    // along the primary key: one range per device
    const sql = `SELECT ${col} AS key, ${SUMS} FROM ${table}
      WHERE device_id IN (SELECT value FROM json_each(?)) AND ${col} >= ? AND ${col} < ? GROUP BY ${col}`;
    return (this.db.prepare(sql).all(JSON.stringify(deviceIds), from, to) as Row[]).map(toSum);
  }
  async sumHourRollupsAt(hours: number[], deviceIds: number[]) {
    if (hours.length === 0 || deviceIds.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM rollup_hour
      WHERE device_id IN (SELECT value FROM json_each(?)) AND hour IN (SELECT value FROM json_each(?)) GROUP BY hour`;
    return (this.db.prepare(sql).all(JSON.stringify(deviceIds), JSON.stringify(hours)) as Row[]).map(toSum);
  }
  async sumFleetByBucket(kind: 'hour' | 'day', from: number, to: number, groupIds: number[]) {
    if (groupIds.length === 0) return [];
    const table = kind === 'hour' ? 'fleet_hour' : 'fleet_day';
    const col = kind === 'hour' ? 'hour' : 'day';
    // along the primary key (time first): rows come out in bucket order, no sort
    const sql = `SELECT ${col} AS key, ${SUMS} FROM ${table}
      WHERE ${col} >= ? AND ${col} < ? AND group_id IN (SELECT value FROM json_each(?)) GROUP BY ${col}`;
    return (this.db.prepare(sql).all(from, to, JSON.stringify(groupIds)) as Row[]).map(toSum);
  }
  async sumBoardHours(from: number, to: number) {
    const sql = `SELECT hour AS key, ${SUMS} FROM board_hour WHERE hour >= ? AND hour < ? GROUP BY hour`;
    return (this.db.prepare(sql).all(from, to) as Row[]).map(toSum);
  }
  async sumBoardHoursAt(hours: number[]) {
    if (hours.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM board_hour WHERE hour IN (SELECT value FROM json_each(?)) GROUP BY hour`;
    return (this.db.prepare(sql).all(JSON.stringify(hours)) as Row[]).map(toSum);
  }
  async sumFleetHoursAt(hours: number[], groupIds: number[]) {
    if (hours.length === 0 || groupIds.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM fleet_hour
      WHERE hour IN (SELECT value FROM json_each(?)) AND group_id IN (SELECT value FROM json_each(?)) GROUP BY hour`;
    return (this.db.prepare(sql).all(JSON.stringify(hours), JSON.stringify(groupIds)) as Row[]).map(toSum);
  }
  async sumFleetByGroupClass(kind: 'hour' | 'day', from: number, to: number, groupIds: number[]) {
    if (groupIds.length === 0) return [];
    const table = kind === 'hour' ? 'fleet_hour' : 'fleet_day';
    const col = kind === 'hour' ? 'hour' : 'day';
    const sql = `SELECT group_id AS key, device_class AS c, ${SUMS} FROM ${table}
      WHERE ${col} >= ? AND ${col} < ? AND group_id IN (SELECT value FROM json_each(?)) GROUP BY group_id, device_class`;
    return (this.db.prepare(sql).all(from, to, JSON.stringify(groupIds)) as Row[]).map(
      (r): FleetSum => ({ ...toSum(r), groupId: Number(r.key), deviceClass: r.c as FleetSum['deviceClass'] }),
    );
  }
  async intervalsOverlapping(deviceIds: number[], from: number, to: number) {
    // the what-if panel reads four weeks × 300 devices (~90,000 rows) per keystroke: one range query
    // per device along the primary key, rows as arrays (no per-row object from the driver), and one
    // object per interval. Intervals of one device never overlap, so those starting in [from, to)
    // plus the last one starting before it, if it reaches in, are exactly those overlapping.
    const out: StoredInterval[] = [];
    const before = Math.min(from, to);
    for (const id of deviceIds) {
      for (const r of this.s.startingIn.all(id, from, to) as RawInterval[]) out.push(rawInterval(id, r));
      const first = this.s.lastBefore.get(id, before) as RawInterval | undefined;
      if (first && Number(first[1]) > from) out.push(rawInterval(id, first));
    }
    return out;
  }

  // ---- settings ----
  async getSettings() {
    return this.settingsSync();
  }
  private settingsSync(): Settings {
    if (!this.settingsCache) {
      const r = this.db.prepare("SELECT value FROM settings WHERE key = 'deployment'").get() as
        | Row
        | undefined;
      const stored = r ? SettingsSchema.partial().safeParse(JSON.parse(String(r.value))) : undefined;
      this.settingsCache = { ...DEFAULT_SETTINGS, ...(stored?.success ? stored.data : {}) } as Settings;
    }
    return this.settingsCache;
  }
  async putSettings(settings: Settings) {
    const old = this.settingsSync();
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('deployment', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(JSON.stringify(settings));
    this.settingsCache = undefined;
    const next = this.settingsSync();
    if (
      JSON.stringify([old.classWatts, old.monitorWatts]) !==
      JSON.stringify([next.classWatts, next.monitorWatts])
    ) {
      // class or monitor watts changed: recompute the devices whose watts changed
      const rows = this.db
        .prepare('SELECT id, device_class, detected_class, desktop_preset, monitors FROM devices')
        .all() as Row[];
      this.energy.request(
        rows.filter((r) => wattsKey(r, old) !== wattsKey(r, next)).map((r) => Number(r.id)),
      );
    }
    return next;
  }

  // ---- device lifecycle (issue 11) ----
  async putPurchases(rows: readonly PurchaseInput[], now: number): Promise<number> {
    const upsert = this.db.prepare(
      `INSERT INTO device_purchases (device_id, purchase_date, price_cents, warranty_end, imported_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET purchase_date = excluded.purchase_date,
       price_cents = excluded.price_cents, warranty_end = excluded.warranty_end, imported_at = excluded.imported_at`,
    );
    // one transaction: a row that fails (e.g. a device deleted meanwhile) leaves nothing behind
    return this.db.transaction(() => {
      for (const r of rows) upsert.run(r.deviceId, r.purchaseDate, r.priceCents, r.warrantyEnd, now);
      return rows.length;
    })();
  }

  async listPurchases(deviceIds?: readonly number[]): Promise<PurchaseRecord[]> {
    const cols = 'device_id, purchase_date, price_cents, warranty_end, imported_at';
    const rows = (
      deviceIds === undefined
        ? this.db.prepare(`SELECT ${cols} FROM device_purchases ORDER BY device_id`).all()
        : this.inChunks(deviceIds, (ph) => `SELECT ${cols} FROM device_purchases WHERE device_id IN (${ph})`)
    ) as Row[];
    return rows.map((r) => ({
      deviceId: Number(r.device_id),
      purchaseDate: String(r.purchase_date),
      priceCents: r.price_cents === null ? null : Number(r.price_cents),
      warrantyEnd: r.warranty_end === null ? null : String(r.warranty_end),
      importedAt: Number(r.imported_at),
    }));
  }

  async batteryReadingsOf(deviceIds: readonly number[]): Promise<Map<number, BatteryReading[]>> {
    const rows = this.inChunks(
      deviceIds,
      (ph) =>
        `SELECT device_id, month, health_pct, cycle_count, at FROM battery_readings WHERE device_id IN (${ph}) ORDER BY device_id, month`,
    ) as Row[];
    const out = new Map<number, BatteryReading[]>();
    for (const r of rows) {
      const id = Number(r.device_id);
      const list = out.get(id) ?? [];
      out.set(id, list);
      list.push({
        month: String(r.month),
        healthPct: Number(r.health_pct),
        cycleCount: r.cycle_count === null ? null : Number(r.cycle_count),
        at: Number(r.at),
      });
    }
    return out;
  }

  async addBatteryHistory(deviceId: number, readings: readonly BatteryReading[]): Promise<number> {
    const insert = this.db.prepare(
      `INSERT INTO battery_readings (device_id, month, health_pct, cycle_count, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, month) DO NOTHING`,
    );
    return this.db.transaction(() => {
      let added = 0;
      for (const r of readings)
        added += insert.run(deviceId, r.month, r.healthPct, r.cycleCount, r.at).changes;
      return added;
    })();
  }

  /** runs a query with `IN (?, …)` over ids in chunks below SQLite's parameter limit */
  private inChunks(ids: readonly number[], sql: (placeholders: string) => string): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(...this.db.prepare(sql(chunk.map(() => '?').join(', '))).all(...chunk));
    }
    return out;
  }

  // ---- impact: school calendars, policy history, waste per device-hour (issue 10) ----
  async getSchoolCalendar(groupId: number) {
    const r = this.db.prepare('SELECT * FROM school_calendars WHERE group_id = ?').get(groupId) as
      | Row
      | undefined;
    return r ? toSchoolCalendar(r) : undefined;
  }
  async listSchoolCalendars() {
    return (this.db.prepare('SELECT * FROM school_calendars ORDER BY group_id').all() as Row[]).map(
      toSchoolCalendar,
    );
  }
  async putSchoolCalendar(
    groupId: number,
    calendar: SchoolCalendar,
    now: number,
  ): Promise<StoredSchoolCalendar> {
    this.db
      .prepare(
        `INSERT INTO school_calendars (group_id, calendar, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (group_id) DO UPDATE SET calendar = excluded.calendar, updated_at = excluded.updated_at`,
      )
      .run(groupId, JSON.stringify(calendar), now);
    return { groupId, calendar, updatedAt: now };
  }
  async deleteSchoolCalendar(groupId: number) {
    return this.db.prepare('DELETE FROM school_calendars WHERE group_id = ?').run(groupId).changes > 0;
  }
  async listPolicyHistory(filter: { groupIds?: number[]; deviceIds?: number[] } = {}) {
    const where: string[] = [];
    const args: number[] = [];
    // ids come from the caller as numbers; bound as parameters, never spliced in
    if (filter.groupIds) {
      where.push(`group_id IN (${filter.groupIds.map(() => '?').join(', ') || 'NULL'})`);
      args.push(...filter.groupIds);
    }
    if (filter.deviceIds) {
      where.push(`device_id IN (${filter.deviceIds.map(() => '?').join(', ') || 'NULL'})`);
      args.push(...filter.deviceIds);
    }
    const sql = `SELECT * FROM policy_history${where.length ? ` WHERE ${where.join(' OR ')}` : ''} ORDER BY at, id`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toPolicyHistory);
  }
  async appendPolicyHistory(rows: readonly NewPolicyHistory[]) {
    const ins = this.db.prepare(
      `INSERT INTO policy_history (group_id, device_id, policy_id, policy_name, audit_only, excluded_reason, settings, etag, at, first_record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        ins.run(
          r.groupId,
          r.deviceId,
          r.policyId,
          r.policyName,
          r.auditOnly ? 1 : 0,
          r.excludedReason,
          JSON.stringify(r.settings),
          r.etag,
          r.at,
          r.firstRecord ? 1 : 0,
        );
      }
    })();
  }
  async datePolicyHistory(ids: readonly number[], at: number) {
    const q = this.db.prepare('UPDATE policy_history SET at = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) q.run(at, id);
    })();
  }
  async wastePerDeviceHour(deviceIds: number[], from: number, to: number) {
    const q = this.db.prepare(
      'SELECT hour, waste_wh FROM rollup_hour WHERE device_id = ? AND hour >= ? AND hour < ? ORDER BY hour',
    );
    const out: { deviceId: number; hour: number; wasteWh: number }[] = [];
    for (const id of deviceIds) {
      for (const r of q.iterate(id, from, to) as IterableIterator<Row>) {
        out.push({ deviceId: id, hour: Number(r.hour), wasteWh: Number(r.waste_wh) });
      }
    }
    return out;
  }

  // ---- blocker history ----
  async openBlockerSpans(deviceIds: readonly number[]) {
    const q = this.db.prepare(
      'SELECT * FROM blocker_spans WHERE device_id = ? AND "end" IS NULL ORDER BY start, id',
    );
    const out: BlockerSpanRecord[] = [];
    for (const id of new Set(deviceIds)) for (const r of q.all(id) as Row[]) out.push(spanOf(r));
    return out;
  }
  async blockerSpansOverlapping(deviceIds: readonly number[], from: number, to: number) {
    // along the (device_id, start) index; a span starting before `from` qualifies by its end
    const q = this.db.prepare(
      'SELECT * FROM blocker_spans WHERE device_id = ? AND start < ? AND ("end" IS NULL OR "end" > ?) ORDER BY start, id',
    );
    const out: BlockerSpanRecord[] = [];
    for (const id of new Set(deviceIds)) for (const r of q.all(id, to, from) as Row[]) out.push(spanOf(r));
    return out;
  }
  async blockerHistoryFrom() {
    return this.historyFrom('blocker_spans');
  }
  async policyStatusHistoryFrom() {
    return this.historyFrom('policy_status');
  }
  private historyFrom(name: string): number {
    const r = this.db.prepare('SELECT began_at FROM history_start WHERE name = ?').get(name) as
      | Row
      | undefined;
    return r ? Number(r.began_at) : 0;
  }
  async policyStatusHistory(deviceIds: readonly number[], to: number) {
    const q = this.db.prepare(
      'SELECT * FROM policy_status_history WHERE device_id = ? AND at < ? ORDER BY at, id',
    );
    const out: PolicyStatusEvent[] = [];
    for (const id of new Set(deviceIds)) for (const r of q.all(id, to) as Row[]) out.push(statusEventOf(r));
    return out;
  }
  async prunePolicyStatusHistory(before: number) {
    return this.db
      .prepare(
        `DELETE FROM policy_status_history WHERE at < ? AND id NOT IN
           (SELECT MAX(id) FROM policy_status_history GROUP BY device_id, kind)`,
      )
      .run(before).changes;
  }
  /** one policy-status event, unless the device has its day's share already */
  private recordStatusEvent(e: Omit<PolicyStatusEvent, 'deviceId'>, id: number): void {
    const day = Math.floor(e.at / DAY_MS) * DAY_MS;
    this.db
      .prepare(
        `INSERT INTO policy_status_history (device_id, kind, etag, ok, error_codes, at)
         SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM policy_status_history
           WHERE device_id = ? AND at >= ? AND at < ?) < ?`,
      )
      .run(
        id,
        e.kind,
        e.etag,
        e.ok === null ? null : e.ok ? 1 : 0,
        JSON.stringify(e.errorCodes),
        e.at,
        id,
        day,
        day + DAY_MS,
        POLICY_STATUS_EVENTS_PER_DEVICE_DAY,
      );
  }
  async pruneBlockerSpans(before: number) {
    return this.db.prepare('DELETE FROM blocker_spans WHERE "end" IS NOT NULL AND "end" < ?').run(before)
      .changes;
  }

  private updateRow(table: 'groups' | 'devices', id: number, cols: Record<string, unknown>) {
    const keys = Object.keys(cols);
    if (keys.length === 0) return;
    this.db
      .prepare(`UPDATE ${table} SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`)
      .run(...keys.map((k) => cols[k]), id);
  }

  // ---- operations: audit log, retirement, AVG export and erasure, housekeeping ----

  async appendAudit(entry: AuditRecord): Promise<void> {
    insertAuditRow(this.db, entry);
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.targetId !== undefined) {
      where.push('target_id = ?');
      args.push(q.targetId);
    }
    if (q.route !== undefined) {
      where.push('route LIKE ?');
      args.push(`${q.route}%`);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    args.push(q.limit);
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      userId: r.user_id === null ? null : Number(r.user_id),
      username: (r.username as string | null) ?? null,
      role: (r.role as string | null) ?? null,
      via: (r.via as string | null) ?? null,
      ip: String(r.ip),
      method: String(r.method),
      route: String(r.route),
      targetId: r.target_id === null ? null : Number(r.target_id),
      status: Number(r.status),
      details: typeof r.details === 'string' ? JSON.parse(r.details) : null,
    }));
  }

  async pruneAudit(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before).changes;
  }

  async retireDevice(id: number, r: { at: number; reason: string | null; tokenHash: string }): Promise<void> {
    const db = this.db;
    db.transaction(() => {
      db.prepare('UPDATE devices SET token_hash = ? WHERE id = ?').run(r.tokenHash, id);
      db.prepare(
        `INSERT INTO device_retirements (device_id, retired_at, reason) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET retired_at = excluded.retired_at, reason = excluded.reason`,
      ).run(id, r.at, r.reason);
    })();
  }

  async exportDevice(id: number): Promise<DeviceExport | undefined> {
    const db = this.db;
    const device = db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    if (!device) return undefined;
    const { token_hash: _secret, ...columns } = device;
    const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    for (const k of ['inventory', 'monitors', 'status_applied', 'status_errors', 'blockers', 'counters'])
      if (k in columns) columns[k] = parseJson(columns[k]);
    const all = (sql: string) => db.prepare(sql).all(id) as Row[];
    return {
      device: columns,
      retirement:
        (db.prepare('SELECT retired_at, reason FROM device_retirements WHERE device_id = ?').get(id) as
          | DeviceExport['retirement']
          | undefined) ?? null,
      intervals: all(
        'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? ORDER BY start',
      ),
      hourlyRollups: all('SELECT * FROM rollup_hour WHERE device_id = ? ORDER BY hour'),
      dailyRollups: all('SELECT * FROM rollup_day WHERE device_id = ? ORDER BY day'),
      batteryReadings: all(
        'SELECT month, health_pct, cycle_count, at FROM battery_readings WHERE device_id = ? ORDER BY month',
      ),
      purchase:
        (db
          .prepare(
            'SELECT purchase_date, price_cents, warranty_end, imported_at FROM device_purchases WHERE device_id = ?',
          )
          .get(id) as Record<string, unknown> | undefined) ?? null,
      blockerSpans: all(
        'SELECT name, kind, possible, blocks, start, "end" FROM blocker_spans WHERE device_id = ? ORDER BY start, id',
      ).map((r) => ({ ...r, possible: r.possible === 1, blocks: json(r.blocks, null) })),
      policyStatusHistory: all(
        'SELECT kind, etag, ok, error_codes, at FROM policy_status_history WHERE device_id = ? ORDER BY at, id',
      ).map((r) => ({ ...r, error_codes: json(r.error_codes, []) })),
    };
  }

  async eraseDevice(id: number): Promise<DeviceErasure> {
    const db = this.db;
    return db.transaction(() => {
      const intervals = db.prepare('DELETE FROM intervals WHERE device_id = ?').run(id).changes;
      const hours = db.prepare('DELETE FROM rollup_hour WHERE device_id = ?').run(id).changes;
      const days = db.prepare('DELETE FROM rollup_day WHERE device_id = ?').run(id).changes;
      const blockerSpans = db.prepare('DELETE FROM blocker_spans WHERE device_id = ?').run(id).changes;
      const policyStatusEvents = db
        .prepare('DELETE FROM policy_status_history WHERE device_id = ?')
        .run(id).changes;
      db.prepare('DELETE FROM device_retirements WHERE device_id = ?').run(id);
      const devices = db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes;
      return {
        intervals,
        hourlyRollups: hours,
        dailyRollups: days,
        blockerSpans,
        policyStatusEvents,
        devices,
      };
    })();
  }

  async housekeeping(): Promise<{ postponed: boolean }> {
    if (this.path === ':memory:' || !this.db.open) return { postponed: false };
    const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
    return { postponed: !!r?.busy };
  }
}

/**
 * One audit row, written synchronously so that `sluimer-console reset-password` (ops/reset-password.ts,
 * which works on the database file while no console runs) can record inside its own transaction.
 */
export function insertAuditRow(db: Database.Database, e: AuditRecord): void {
  db.prepare(
    `INSERT INTO audit_log (at, user_id, username, role, via, ip, method, route, target_id, status, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.at,
    e.userId,
    e.username,
    e.role,
    e.via,
    e.ip,
    e.method,
    e.route,
    e.targetId,
    e.status,
    e.details === undefined ? null : JSON.stringify(e.details),
  );
}

export function wattsKey(r: Row, settings: Settings): string {
  return JSON.stringify(
    deviceTotalWatts(
      {
        deviceClass: (r.device_class ?? null) as DeviceRecord['deviceClass'],
        detectedClass: r.detected_class as DeviceRecord['detectedClass'],
        desktopPreset: (r.desktop_preset ?? null) as DeviceRecord['desktopPreset'],
        monitors: json(r.monitors, null),
      },
      settings,
    ),
  );
}

export function toSchoolCalendar(r: Row): StoredSchoolCalendar {
  // stored only after validation; parsed again so a hand-edited row cannot reach the replay unchecked
  return {
    groupId: Number(r.group_id),
    calendar: SchoolCalendarSchema.parse(JSON.parse(String(r.calendar))),
    updatedAt: Number(r.updated_at),
  };
}

export function toPolicyHistory(r: Row): PolicyHistoryRecord {
  const settings = PolicySettingsSchema.safeParse(JSON.parse(String(r.settings)));
  return {
    id: Number(r.id),
    groupId: r.group_id === null ? null : Number(r.group_id),
    deviceId: r.device_id === null ? null : Number(r.device_id),
    policyId: r.policy_id === null ? null : Number(r.policy_id),
    policyName: r.policy_name === null ? null : String(r.policy_name),
    auditOnly: Number(r.audit_only) === 1,
    excludedReason: r.excluded_reason === null ? null : String(r.excluded_reason),
    settings: settings.success ? settings.data : {},
    etag: String(r.etag),
    at: Number(r.at),
    firstRecord: Number(r.first_record) === 1,
  };
}

/** enroll secrets with the number of devices enrolled through each */
export const SECRET_SELECT = `SELECT e.*, (SELECT COUNT(*) FROM devices d WHERE d.enroll_secret_id = e.id) AS devices_enrolled
  FROM enroll_secrets e`;

const SUMS = `SUM(active_ms) AS a, SUM(idle_on_ms) AS i1, SUM(idle_off_ms) AS i0, SUM(asleep_ms) AS s,
  SUM(off_ms) AS o, SUM(energy_wh) AS e, SUM(waste_wh) AS w`;

export function toSum(r: Row): RollupSum {
  return {
    key: Number(r.key),
    activeMs: Number(r.a),
    idleOnMs: Number(r.i1),
    idleOffMs: Number(r.i0),
    asleepMs: Number(r.s),
    offMs: Number(r.o),
    energyWh: Number(r.e),
    wasteWh: Number(r.w),
  };
}

export function toInterval(deviceId: number, r: Row): StoredInterval {
  return { deviceId, ...plainInterval(r) };
}

/** an intervals row read with `.raw(true)`: start, end, state, display, power */
type RawInterval = [number | bigint, number | bigint, string, string | null, string | null];

/**
 * The same interval as toInterval, built straight from a raw row as one literal per combination of
 * display and power: every field sits in the object itself, as with toInterval's spread (adding
 * display or power to a four-field literal afterwards slowed the replay that reads them).
 */
function rawInterval(deviceId: number, r: RawInterval): StoredInterval {
  const start = Number(r[0]);
  const end = Number(r[1]);
  const state = r[2] as Interval['state'];
  const display = r[3] as 'on' | 'off' | null;
  const power = r[4] as 'ac' | 'battery' | null;
  if (display) {
    return power ? { deviceId, start, end, state, display, power } : { deviceId, start, end, state, display };
  }
  return power ? { deviceId, start, end, state, power } : { deviceId, start, end, state };
}

export function plainInterval(r: Row): Interval {
  const iv: Interval = { start: Number(r.start), end: Number(r.end), state: r.state as Interval['state'] };
  if (r.display) iv.display = r.display as 'on' | 'off';
  if (r.power) iv.power = r.power as 'ac' | 'battery';
  return iv;
}

function amountArgs(r: RollupAmounts): [number, number, number, number, number, number, number] {
  return [r.activeMs, r.idleOnMs, r.idleOffMs, r.asleepMs, r.offMs, r.energyWh, r.wasteWh];
}

const UPSERT_SET = `active_ms = active_ms + excluded.active_ms, idle_on_ms = idle_on_ms + excluded.idle_on_ms,
  idle_off_ms = idle_off_ms + excluded.idle_off_ms, asleep_ms = asleep_ms + excluded.asleep_ms,
  off_ms = off_ms + excluded.off_ms, energy_wh = energy_wh + excluded.energy_wh,
  waste_wh = waste_wh + excluded.waste_wh`;

/**
 * The id a new row of `table` gets: past the highest it ever had (`id_high_water`, migrations.ts
 * 'ids never reused (SQLite)'), so an erased device's (or deleted group's, user's, policy's) id is
 * never given to a new one. Also past the table's own highest, should the mark ever lag.
 */
function nextId(table: (typeof ID_TABLES)[number]): string {
  return `(SELECT MAX(COALESCE((SELECT last_id FROM id_high_water WHERE name = '${table}'), 0),
    COALESCE((SELECT MAX(id) FROM ${table}), 0)) + 1)`;
}

function prepare(db: Database.Database) {
  return {
    countUsers: db.prepare('SELECT COUNT(*) AS n FROM users'),
    insertUser: db.prepare(
      `INSERT INTO users (id, username, password_hash, role, created_at) VALUES (${nextId('users')}, ?, ?, ?, ?)`,
    ),
    getUser: db.prepare('SELECT * FROM users WHERE id = ?'),
    getUserByName: db.prepare('SELECT * FROM users WHERE username = ?'),
    listUsers: db.prepare('SELECT * FROM users ORDER BY id'),
    insertSession: db.prepare(
      'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ),
    getSessionUser: db.prepare(
      'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?',
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    getTokenUser: db.prepare(
      `SELECT u.*, t.last_used_at AS token_last_used_at, t.expires_at AS token_expires_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
    ),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?'),
    getDevice: db.prepare('SELECT * FROM devices WHERE id = ?'),
    getDeviceByToken: db.prepare('SELECT * FROM devices WHERE token_hash = ?'),
    getDeviceProfile: db.prepare(
      'SELECT device_class, detected_class, desktop_preset, monitors FROM devices WHERE id = ?',
    ),
    setLastSeen: db.prepare('UPDATE devices SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?'),
    setPolicySent: db.prepare('UPDATE devices SET policy_etag_sent = ? WHERE id = ?'),
    setPolicyStatus: db.prepare(
      `UPDATE devices SET status_ok = ?, status_etag = ?, status_applied = ?, status_errors = ?, status_at = ?,
       last_seen = ? WHERE id = ?`,
    ),
    recordHello: db.prepare(
      `UPDATE devices SET agent_version = ?, hello_etag = ?, hello_at = ?, last_seen = ?,
       inventory = COALESCE(?, inventory), detected_class = COALESCE(?, detected_class),
       class_review = CASE WHEN ? IS NULL THEN class_review ELSE ? END WHERE id = ?`,
    ),
    recordInventory: db.prepare(
      `UPDATE devices SET inventory = ?, detected_class = COALESCE(?, detected_class),
       class_review = ? WHERE id = ?`,
    ),
    upsertBattery: db.prepare(
      `INSERT INTO battery_readings (device_id, month, health_pct, cycle_count, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, month) DO UPDATE SET health_pct = excluded.health_pct,
       cycle_count = excluded.cycle_count, at = excluded.at WHERE excluded.at >= battery_readings.at`,
    ),
    pruneBattery: db.prepare('DELETE FROM battery_readings WHERE device_id = ? AND month < ?'),
    batteryReadings: db.prepare(
      'SELECT month, health_pct, cycle_count, at FROM battery_readings WHERE device_id = ? ORDER BY month',
    ),
    getDeviceIngest: db.prepare(
      'SELECT max_seq, max_end, group_id, device_class, detected_class, desktop_preset, monitors, counters FROM devices WHERE id = ?',
    ),
    touching: db.prepare(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? AND start < ? ORDER BY start DESC LIMIT 1',
    ),
    forwards: db.prepare(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? AND start >= ? AND start < ? ORDER BY start LIMIT ?',
    ),
    extendInterval: db.prepare('UPDATE intervals SET "end" = ? WHERE device_id = ? AND start = ?'),
    prevInterval: db.prepare(
      'SELECT start, "end" FROM intervals WHERE device_id = ? AND start < ? ORDER BY start DESC LIMIT 1',
    ),
    // intervalsOverlapping: newest first, as arrays [start, end, state, display, power]
    startingIn: db
      .prepare(
        'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? AND start >= ? AND start < ? ORDER BY start DESC',
      )
      .raw(true),
    lastBefore: db
      .prepare(
        'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? AND start < ? ORDER BY start DESC LIMIT 1',
      )
      .raw(true),
    insertInterval: db.prepare(
      'INSERT INTO intervals (device_id, start, "end", state, display, power) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    upsertHour: db.prepare(
      `INSERT INTO rollup_hour (device_id, hour, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, hour) DO UPDATE SET ${UPSERT_SET}`,
    ),
    upsertFleetHour: db.prepare(
      `INSERT INTO fleet_hour (hour, group_id, device_class, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour, group_id, device_class) DO UPDATE SET ${UPSERT_SET}`,
    ),
    upsertFleetDay: db.prepare(
      `INSERT INTO fleet_day (day, group_id, device_class, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, group_id, device_class) DO UPDATE SET ${UPSERT_SET}`,
    ),
    upsertBoardHour: db.prepare(
      `INSERT INTO board_hour (hour, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour) DO UPDATE SET ${UPSERT_SET}`,
    ),
    upsertDay: db.prepare(
      `INSERT INTO rollup_day (device_id, day, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, day) DO UPDATE SET ${UPSERT_SET}`,
    ),
    // guarded: the batch was computed from this seq, group, class and watts profile
    advanceDevice: db.prepare(
      `UPDATE devices SET max_seq = ?, max_end = ?, last_seen = ? WHERE id = ? AND max_seq = ? AND group_id = ?
       AND COALESCE(device_class, '') = ? AND detected_class = ? AND COALESCE(desktop_preset, '') = ?
       AND COALESCE(monitors, '') = ?`,
    ),
    lastInterval: db.prepare(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? ORDER BY start DESC LIMIT 1',
    ),
    setBlockers: db.prepare('UPDATE devices SET blockers = ?, blockers_at = ? WHERE id = ?'),
    setCounters: db.prepare('UPDATE devices SET counters = ?, counters_at = ? WHERE id = ?'),
  };
}
