import type { AgentCounters, PolicySettings, Role, SchoolCalendar, Settings } from '@sluimer/shared';
import { batteryHealthPct, DAY_MS, SettingsSchema } from '@sluimer/shared';
import pg from 'pg';
import { MIGRATIONS, migrationSql } from './migrations.js';
import { PostgresEnergyRecompute } from './postgres-recompute.js';
import {
  DEFAULT_SETTINGS,
  json,
  plainInterval,
  SECRET_SELECT,
  spanOf,
  statusEventOf,
  toDevice,
  toGroup,
  toInterval,
  toPolicy,
  toPolicyHistory,
  toPolicyTarget,
  toSchoolCalendar,
  toSecret,
  toSum,
  toUser,
  wattsKey,
} from './sqlite.js';
import {
  type ApiTokenListItem,
  BATTERY_MONTHS_KEPT,
  type BatteryReading,
  type BlockerSpanWrite,
  ConflictError,
  type DevicePatch,
  type DeviceRecord,
  type DeviceUpdate,
  type FleetSum,
  type GroupPatch,
  IngestConflictError,
  type IngestDeviceState,
  type IngestWrite,
  LimitReachedError,
  type NewGroup,
  type NewPolicyHistory,
  POLICY_STATUS_EVENTS_PER_DEVICE_DAY,
  type PolicyHistoryRecord,
  type PolicyStatusEvent,
  type PurchaseInput,
  type PurchaseRecord,
  type RollupAmounts,
  type Store,
  type StoredInterval,
  type StoredSchoolCalendar,
} from './types.js';

type Row = Record<string, unknown>;
type Queryable = pg.Pool | pg.PoolClient;

/** `postgres://…` or `postgresql://…`: SLUIMER_DATABASE_URL selects the PostgreSQL store */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Times and ids are BIGINT (milliseconds since 1970 do not fit 32 bits) and sums of them NUMERIC;
 * node-postgres hands both over as strings by default. Every value the console stores stays below
 * 2^53, so they are read as numbers. Set per pool, not globally.
 */
function numericTypes(): pg.CustomTypesConfig {
  const t = new pg.TypeOverrides();
  t.setTypeParser(20, Number); // int8
  t.setTypeParser(1700, Number); // numeric
  return t;
}

/** an audit entry to store (ops/audit.ts); `details` is already redacted, undefined is stored as none */
interface AuditRecordPg {
  at: number;
  userId: number | null;
  username: string | null;
  role: string | null;
  via: string | null;
  ip: string;
  method: string;
  route: string;
  targetId: number | null;
  status: number;
  details: unknown;
}

/** arbitrary fixed key of the advisory lock that lets one process at a time migrate */
const MIGRATE_LOCK = 0x51_75_1e_e7;

/**
 * Brings a PostgreSQL database up to `target` migrations (default: all), the same list as SQLite's
 * (store/migrations.ts). `schema_version` holds how many have run. Several console processes may
 * start at once: an advisory lock lets one migrate while the others wait, then find nothing to do.
 */
export async function migratePostgres(pool: pg.Pool, target = MIGRATIONS.length): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const r = await c.query('SELECT version FROM schema_version');
      if (r.rowCount === 0) await c.query('INSERT INTO schema_version (version) VALUES (0)');
      const current = r.rowCount === 0 ? 0 : Number(r.rows[0].version);
      if (current > MIGRATIONS.length) {
        throw new Error(
          `De database heeft schemaversie ${current}, nieuwer dan deze console (${MIGRATIONS.length}); werk de console bij. / ` +
            `The database has schema version ${current}, newer than this console (${MIGRATIONS.length}); upgrade the console.`,
        );
      }
      for (let v = current; v < target; v++) {
        await c.query('BEGIN');
        try {
          await c.query(migrationSql(MIGRATIONS[v]!, 'postgres'));
          await c.query('UPDATE schema_version SET version = $1', [v + 1]);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK');
          throw new Error(`migration ${v + 1} (${MIGRATIONS[v]!.name}) failed: ${(err as Error).message}`);
        }
      }
      return Math.max(current, target);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } finally {
    c.release();
  }
}

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (a Unix socket folder as `?host=/path`) */
  url: string;
  /** connections in the pool (default 10) */
  poolSize?: number;
  /** for tests: stop after this many migrations */
  migrateTo?: number;
  /** the clock of the energy recompute's retention window (default Date.now) */
  now?: () => number;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === '23505';
}

/**
 * The store for large deployments: one PostgreSQL database, possibly shared by several console
 * processes. Nothing is cached in the process (settings included), so what one process writes the
 * next read of any process sees. `pool` stays reachable so a notifier (LISTEN/NOTIFY between
 * console processes) can take its own connection from it.
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly now: () => number;
  /** transactions that queued an energy recompute: the worker is started once they commit */
  private readonly queuedIn = new WeakSet<pg.PoolClient>();

  private constructor(
    pool: pg.Pool,
    now: () => number,
    private readonly url: string,
  ) {
    this.pool = pool;
    this.now = now;
  }

  /** a connection outside the pool, for what must hold one open (LISTEN: store/bus.ts) */
  newClient(): pg.Client {
    return new pg.Client({
      connectionString: this.url,
      types: numericTypes(),
      application_name: 'sluimer-console',
    });
  }

  private energyRecompute: PostgresEnergyRecompute | undefined;
  /** recomputes stored energy after class, preset, monitor or watt corrections (postgres-recompute.ts) */
  get energy(): PostgresEnergyRecompute {
    this.energyRecompute ??= new PostgresEnergyRecompute(this, () => this.now());
    return this.energyRecompute;
  }

  /** connects and migrates; throws (with the server's reason) when the database cannot be reached */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: numericTypes(),
      application_name: 'sluimer-console',
    });
    // an idle connection the server drops (restart, failover) must not crash the process
    pool.on('error', () => {});
    let version: number;
    try {
      version = await migratePostgres(pool, options.migrateTo);
    } catch (err) {
      await pool.end();
      throw err;
    }
    const store = new PostgresStore(pool, options.now ?? Date.now, options.url);
    if (version === MIGRATIONS.length) store.energy.kick(); // resume a recompute cut short by a restart
    return store;
  }

  async close(): Promise<void> {
    // the chunk in progress finishes (it is one transaction); the rest stays queued for the next start
    this.energyRecompute?.stop();
    await this.energyRecompute?.idle();
    if (!this.pool.ended) await this.pool.end();
  }

  private async rows(sql: string, args: unknown[] = [], q: Queryable = this.pool): Promise<Row[]> {
    return (await q.query(sql, args)).rows as Row[];
  }
  private async row(sql: string, args: unknown[] = [], q: Queryable = this.pool): Promise<Row | undefined> {
    return (await q.query(sql, args)).rows[0] as Row | undefined;
  }
  private async changes(sql: string, args: unknown[] = [], q: Queryable = this.pool): Promise<number> {
    return (await q.query(sql, args)).rowCount ?? 0;
  }

  /** runs `fn` in one transaction on one connection; rolled back when it throws */
  async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      if (this.queuedIn.delete(c)) this.energy.kick();
      return out;
    } catch (err) {
      this.queuedIn.delete(c);
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  // ---- users ----
  async countUsers() {
    return Number((await this.row('SELECT COUNT(*) AS n FROM users'))!.n);
  }
  async createUser(u: { username: string; passwordHash: string; role: Role; now: number }) {
    try {
      const r = await this.row(
        'INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
        [u.username, u.passwordHash, u.role, u.now],
      );
      return toUser(r!);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`user ${u.username} exists`);
      throw err;
    }
  }
  async getUser(id: number) {
    const r = await this.row('SELECT * FROM users WHERE id = $1', [id]);
    return r ? toUser(r) : undefined;
  }
  async getUserByName(username: string) {
    const r = await this.row('SELECT * FROM users WHERE username = $1', [username]);
    return r ? toUser(r) : undefined;
  }
  async listUsers() {
    return (await this.rows('SELECT * FROM users ORDER BY id')).map(toUser);
  }
  async updateUser(id: number, patch: { role?: Role; passwordHash?: string }) {
    if (patch.role) await this.changes('UPDATE users SET role = $1 WHERE id = $2', [patch.role, id]);
    if (patch.passwordHash)
      await this.changes('UPDATE users SET password_hash = $1 WHERE id = $2', [patch.passwordHash, id]);
    return this.getUser(id);
  }
  async deleteUser(id: number) {
    return (await this.changes('DELETE FROM users WHERE id = $1', [id])) > 0;
  }
  async createSession(s: { idHash: string; userId: number; now: number; expiresAt: number }) {
    await this.changes(
      'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [s.idHash, s.userId, s.now, s.expiresAt],
    );
  }
  async getSessionUser(idHash: string, now: number) {
    const r = await this.row(
      'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2',
      [idHash, now],
    );
    return r ? toUser(r) : undefined;
  }
  async deleteSession(idHash: string) {
    await this.changes('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }
  async deleteUserSessions(userId: number) {
    await this.changes('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }
  async rehashPassword(id: number, oldHash: string, newHash: string) {
    return (
      (await this.changes('UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3', [
        newHash,
        id,
        oldHash,
      ])) > 0
    );
  }
  async createApiToken(t: {
    userId: number;
    name: string;
    tokenHash: string;
    now: number;
    expiresAt: number;
  }) {
    const r = await this.row(
      'INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [t.userId, t.name, t.tokenHash, t.now, t.expiresAt],
    );
    return {
      id: Number(r!.id),
      userId: t.userId,
      name: t.name,
      createdAt: t.now,
      expiresAt: t.expiresAt,
      lastUsedAt: null,
    };
  }
  async authenticateApiToken(tokenHash: string, now: number) {
    const r = await this.row(
      `SELECT u.*, t.last_used_at AS token_last_used_at, t.expires_at AS token_expires_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    if (!r) return undefined;
    const expired = r.token_expires_at !== null && Number(r.token_expires_at) <= now;
    // a write per request is wasted work; a minute's precision is plenty
    if (!expired && now - Number(r.token_last_used_at ?? 0) > 60_000)
      await this.changes('UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2', [now, tokenHash]);
    return { user: toUser(r), expired };
  }
  async listApiTokens(filter: { userId?: number } = {}): Promise<ApiTokenListItem[]> {
    const rows = await this.rows(
      `SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
       ${filter.userId === undefined ? '' : 'WHERE t.user_id = $1'} ORDER BY t.id`,
      filter.userId === undefined ? [] : [filter.userId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      userId: Number(r.user_id),
      username: String(r.username),
      name: String(r.name),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    }));
  }
  async deleteApiToken(userId: number, id: number) {
    return (await this.changes('DELETE FROM api_tokens WHERE id = $1 AND user_id = $2', [id, userId])) > 0;
  }
  async revokeApiToken(id: number) {
    return (await this.changes('DELETE FROM api_tokens WHERE id = $1', [id])) > 0;
  }
  async revokeUserApiTokens(userId: number) {
    return this.changes('DELETE FROM api_tokens WHERE user_id = $1', [userId]);
  }
  async pruneApiTokens(before: number) {
    return this.changes('DELETE FROM api_tokens WHERE expires_at < $1', [before]);
  }

  // ---- groups ----
  async listGroups() {
    return (await this.rows('SELECT * FROM groups ORDER BY id')).map(toGroup);
  }
  async getGroup(id: number) {
    const r = await this.row('SELECT * FROM groups WHERE id = $1', [id]);
    return r ? toGroup(r) : undefined;
  }
  async createGroup(g: NewGroup) {
    const r = await this.row(
      `INSERT INTO groups (parent_id, name, kind, time_zone, excluded_reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [g.parentId, g.name, g.kind, g.timeZone, g.excludedReason, g.now],
    );
    return toGroup(r!);
  }
  async updateGroup(id: number, patch: GroupPatch) {
    const cols: Record<string, unknown> = {};
    if (patch.name !== undefined) cols.name = patch.name;
    if (patch.kind !== undefined) cols.kind = patch.kind;
    if (patch.timeZone !== undefined) cols.time_zone = patch.timeZone;
    if (patch.excludedReason !== undefined) cols.excluded_reason = patch.excludedReason;
    if (patch.parentId !== undefined) cols.parent_id = patch.parentId;
    await this.updateRow('groups', id, cols);
    return this.getGroup(id);
  }
  async deleteGroup(id: number) {
    return this.transaction(async (c): Promise<'deleted' | 'not_found' | 'not_empty'> => {
      // locked, so a device enrolled into it meanwhile cannot be left without a group
      if (!(await this.row('SELECT 1 FROM groups WHERE id = $1 FOR UPDATE', [id], c))) return 'not_found';
      const used =
        (await this.row('SELECT 1 FROM groups WHERE parent_id = $1 LIMIT 1', [id], c)) ??
        (await this.row('SELECT 1 FROM devices WHERE group_id = $1 LIMIT 1', [id], c));
      if (used) return 'not_empty';
      await this.changes('DELETE FROM groups WHERE id = $1', [id], c);
      return 'deleted';
    });
  }
  async createEnrollSecret(s: {
    groupId: number;
    secretHash: string;
    note?: string | undefined;
    expiresAt: number | null;
    deviceLimit?: number | null | undefined;
    now: number;
  }) {
    const r = await this.row(
      `INSERT INTO enroll_secrets (group_id, secret_hash, note, created_at, expires_at, device_limit)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [s.groupId, s.secretHash, s.note ?? null, s.now, s.expiresAt, s.deviceLimit ?? null],
    );
    return toSecret((await this.row(`${SECRET_SELECT} WHERE e.id = $1`, [r!.id]))!);
  }
  async listEnrollSecrets(groupId?: number) {
    const rows =
      groupId === undefined
        ? await this.rows(`${SECRET_SELECT} ORDER BY e.id`)
        : await this.rows(`${SECRET_SELECT} WHERE e.group_id = $1 ORDER BY e.id`, [groupId]);
    return rows.map(toSecret);
  }
  async findEnrollSecret(secretHash: string) {
    const r = await this.row(`${SECRET_SELECT} WHERE e.secret_hash = $1`, [secretHash]);
    return r ? toSecret(r) : undefined;
  }
  async revokeEnrollSecret(id: number, now: number) {
    await this.changes('UPDATE enroll_secrets SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [
      now,
      id,
    ]);
    const r = await this.row(`${SECRET_SELECT} WHERE e.id = $1`, [id]);
    return r ? toSecret(r) : undefined;
  }

  // ---- devices ----
  async enrollDevice(d: Parameters<Store['enrollDevice']>[0]) {
    const settings = await this.getSettings();
    const out = await this.transaction(async (c) => {
      // one enrollment per install id at a time (the same device enrolling twice at once), and one
      // per limited secret, so parallel enrollments cannot overshoot its limit
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`install:${d.installId}`]);
      const secret = d.secret;
      if (secret && secret.deviceLimit !== null)
        await c.query('SELECT 1 FROM enroll_secrets WHERE id = $1 FOR UPDATE', [secret.id]);
      const existing = await this.row(
        'SELECT id, enroll_secret_id, device_class, detected_class, desktop_preset, monitors FROM devices WHERE install_id = $1',
        [d.installId],
        c,
      );
      if (secret && secret.deviceLimit !== null && (existing?.enroll_secret_id ?? null) !== secret.id) {
        const n = Number(
          (await this.row('SELECT COUNT(*) AS n FROM devices WHERE enroll_secret_id = $1', [secret.id], c))!
            .n,
        );
        if (n >= secret.deviceLimit)
          throw new LimitReachedError(
            `enroll secret ${secret.id} has enrolled ${n} of ${secret.deviceLimit} devices`,
          );
      }
      if (existing) {
        const after = await this.row(
          `UPDATE devices SET token_hash = $1, group_id = $2, hostname = $3, inventory = $4, detected_class = $5,
           class_review = $6, enroll_secret_id = COALESCE($7, enroll_secret_id) WHERE id = $8
           RETURNING device_class, detected_class, desktop_preset, monitors`,
          [
            d.tokenHash,
            d.groupId,
            d.hostname,
            JSON.stringify(d.inventory),
            d.detectedClass,
            d.classReview ?? null,
            secret?.id ?? null,
            existing.id,
          ],
          c,
        );
        const changed = wattsKey(existing, settings) !== wattsKey(after!, settings);
        return { deviceId: Number(existing.id), created: false, changed };
      }
      const r = await this.row(
        `INSERT INTO devices (install_id, token_hash, group_id, hostname, inventory, detected_class, class_review,
         enrolled_at, enroll_secret_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          d.installId,
          d.tokenHash,
          d.groupId,
          d.hostname,
          JSON.stringify(d.inventory),
          d.detectedClass,
          d.classReview ?? null,
          d.now,
          secret?.id ?? null,
        ],
        c,
      );
      return { deviceId: Number(r!.id), created: true, changed: false };
    });
    if (out.changed) await this.requestEnergyRecompute([out.deviceId]);
    return { deviceId: out.deviceId, created: out.created };
  }
  async getDevice(id: number) {
    const r = await this.row('SELECT * FROM devices WHERE id = $1', [id]);
    return r ? toDevice(r) : undefined;
  }
  async getDeviceByTokenHash(tokenHash: string) {
    const r = await this.row('SELECT * FROM devices WHERE token_hash = $1', [tokenHash]);
    return r ? toDevice(r) : undefined;
  }
  async listDevices(filter?: { groupIds?: number[]; afterId?: number; limit?: number }) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter?.groupIds) {
      args.push(filter.groupIds);
      where.push(`group_id = ANY($${args.length}::bigint[])`);
    }
    if (filter?.afterId) {
      args.push(filter.afterId);
      where.push(`id > $${args.length}`);
    }
    let sql = `SELECT * FROM devices${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    if (filter?.limit !== undefined) {
      args.push(filter.limit);
      sql += ` LIMIT $${args.length}`;
    }
    return (await this.rows(sql, args)).map(toDevice);
  }
  async policyTargets(ids: readonly number[]) {
    if (ids.length === 0) return [];
    const rows = await this.rows(
      'SELECT id, group_id, policy_id, excluded_reason FROM devices WHERE id = ANY($1::bigint[]) ORDER BY id',
      [ids],
    );
    return rows.map(toPolicyTarget);
  }
  async timelinePage(deviceId: number, from: number, to: number, limit: number) {
    const out: StoredInterval[] = [];
    // intervals of one device never overlap: only the last one starting before `from` can reach into it
    const first = await this.row(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = $1 AND start < $2 ORDER BY start DESC LIMIT 1',
      [deviceId, from],
    );
    if (first && Number(first.end) > from) out.push(toInterval(deviceId, first));
    const rows = await this.rows(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = $1 AND start >= $2 AND start < $3 ORDER BY start LIMIT $4',
      [deviceId, from, to, limit + 1 - out.length],
    );
    for (const r of rows) out.push(toInterval(deviceId, r));
    const more = out.length > limit;
    if (more) out.length = limit;
    return { intervals: out, more };
  }
  async updateDevice(id: number, patch: DevicePatch) {
    const settings = await this.getSettings();
    const cols: Record<string, unknown> = {};
    if (patch.name !== undefined) cols.name = patch.name;
    if (patch.groupId !== undefined) cols.group_id = patch.groupId;
    if (patch.deviceClass !== undefined) cols.device_class = patch.deviceClass;
    if (patch.desktopPreset !== undefined) cols.desktop_preset = patch.desktopPreset;
    if (patch.monitors !== undefined)
      cols.monitors = patch.monitors === null ? null : JSON.stringify(patch.monitors);
    if (patch.excludedReason !== undefined) cols.excluded_reason = patch.excludedReason;
    const changed = await this.transaction(async (c) => {
      const before = await this.row('SELECT * FROM devices WHERE id = $1 FOR UPDATE', [id], c);
      if (!before) return false;
      const after = (await this.updateRow('devices', id, cols, c)) ?? before;
      return wattsKey(before, settings) !== wattsKey(after, settings);
    });
    if (changed) await this.requestEnergyRecompute([id]);
    return this.getDevice(id);
  }
  async recordHello(id: number, h: Parameters<Store['recordHello']>[1]) {
    await this.recordHelloOn(this.pool, id, h);
  }
  private async recordHelloOn(q: Queryable, id: number, h: Parameters<Store['recordHello']>[1]) {
    const r = await this.row(
      `WITH old AS (SELECT id, ${PROFILE} FROM devices WHERE id = $7 FOR UPDATE)
       UPDATE devices d SET agent_version = $1, hello_etag = $2, hello_at = $3, last_seen = $3,
       inventory = COALESCE($4::text, d.inventory), detected_class = COALESCE($5::text, d.detected_class),
       class_review = CASE WHEN $4::text IS NULL THEN d.class_review ELSE $6::text END
       FROM old WHERE d.id = old.id RETURNING ${PROFILE_BEFORE_AFTER}`,
      [
        h.agentVersion,
        h.policyEtag ?? null,
        h.now,
        h.inventory ? JSON.stringify(h.inventory) : null,
        h.detectedClass ?? null,
        h.classReview ?? null,
        id,
      ],
      q,
    );
    // a newly detected class (no override set) changes the device's watts
    if (r && h.detectedClass) await this.recomputeIfWattsChanged(q, id, r);
    if (h.inventory) await this.recordBattery(q, id, h.inventory, h.now);
    if (h.policyEtag)
      await this.recordStatusEvent(
        q,
        { kind: 'hello', etag: h.policyEtag, ok: null, errorCodes: [], at: h.now },
        id,
      );
  }
  async recordInventory(id: number, inv: Parameters<Store['recordInventory']>[1]) {
    await this.recordInventoryOn(this.pool, id, inv);
  }
  private async recordInventoryOn(q: Queryable, id: number, inv: Parameters<Store['recordInventory']>[1]) {
    const r = await this.row(
      `WITH old AS (SELECT id, ${PROFILE} FROM devices WHERE id = $4 FOR UPDATE)
       UPDATE devices d SET inventory = $1, detected_class = COALESCE($2::text, d.detected_class), class_review = $3
       FROM old WHERE d.id = old.id RETURNING ${PROFILE_BEFORE_AFTER}`,
      [JSON.stringify(inv.inventory), inv.detectedClass ?? null, inv.classReview ?? null, id],
      q,
    );
    if (r && inv.detectedClass) await this.recomputeIfWattsChanged(q, id, r);
    await this.recordBattery(q, id, inv.inventory, inv.now);
  }
  /** queues an energy recompute when the profile columns before (`old_*`) and after give other watts */
  private async recomputeIfWattsChanged(q: Queryable, id: number, r: Row) {
    const settings = await this.getSettings(q);
    const before = Object.fromEntries(PROFILE_COLS.map((c) => [c, r[`old_${c}`]]));
    if (wattsKey(before, settings) !== wattsKey(r, settings)) await this.requestEnergyRecompute([id], q);
  }
  /** the month's battery reading (the latest wins), and readings past the retention deleted */
  private async recordBattery(
    q: Queryable,
    id: number,
    inventory: Parameters<Store['recordInventory']>[1]['inventory'],
    now: number,
  ) {
    const health = batteryHealthPct(inventory.battery);
    if (health === null) return;
    const d = new Date(now);
    const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (BATTERY_MONTHS_KEPT - 1), 1));
    const oldest = `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
    await this.changes(
      `INSERT INTO battery_readings (device_id, month, health_pct, cycle_count, at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (device_id, month) DO UPDATE SET health_pct = excluded.health_pct,
       cycle_count = excluded.cycle_count, at = excluded.at WHERE excluded.at >= battery_readings.at`,
      [id, month, health, inventory.battery?.cycleCount ?? null, now],
      q,
    );
    await this.changes('DELETE FROM battery_readings WHERE device_id = $1 AND month < $2', [id, oldest], q);
  }
  async batteryReadings(id: number): Promise<BatteryReading[]> {
    const rows = await this.rows(
      'SELECT month, health_pct, cycle_count, at FROM battery_readings WHERE device_id = $1 ORDER BY month',
      [id],
    );
    return rows.map((r) => ({
      month: String(r.month),
      healthPct: Number(r.health_pct),
      cycleCount: r.cycle_count === null ? null : Number(r.cycle_count),
      at: Number(r.at),
    }));
  }
  async setLastSeen(id: number, at: number) {
    await this.changes('UPDATE devices SET last_seen = GREATEST(COALESCE(last_seen, 0), $1) WHERE id = $2', [
      at,
      id,
    ]);
  }
  async setPolicySent(id: number, etag: string) {
    await this.changes('UPDATE devices SET policy_etag_sent = $1 WHERE id = $2', [etag, id]);
  }
  async setPolicyStatus(id: number, st: Parameters<Store['setPolicyStatus']>[1]) {
    await this.setPolicyStatusOn(this.pool, id, st);
  }
  private async setPolicyStatusOn(q: Queryable, id: number, st: Parameters<Store['setPolicyStatus']>[1]) {
    await this.recordStatusEvent(
      q,
      { kind: 'status', etag: st.etag, ok: st.ok, errorCodes: st.errors.map((e) => e.code), at: st.at },
      id,
    );
    await this.changes(
      `UPDATE devices SET status_ok = $1, status_etag = $2, status_applied = $3, status_errors = $4, status_at = $5,
       last_seen = $5 WHERE id = $6`,
      [st.ok ? 1 : 0, st.etag, JSON.stringify(st.applied), JSON.stringify(st.errors), st.at, id],
      q,
    );
  }
  async recentIntervals(deviceId: number, limit: number) {
    const rows = await this.rows(
      'SELECT start, "end", state, display, power FROM intervals WHERE device_id = $1 ORDER BY start DESC LIMIT $2',
      [deviceId, limit],
    );
    return rows.map((r) => toInterval(deviceId, r));
  }

  // ---- policies ----
  async listPolicies() {
    return (await this.rows('SELECT * FROM policies ORDER BY id')).map(toPolicy);
  }
  async getPolicy(id: number) {
    const r = await this.row('SELECT * FROM policies WHERE id = $1', [id]);
    return r ? toPolicy(r) : undefined;
  }
  async createPolicy(p: {
    name: string;
    description?: string | undefined;
    settings: PolicySettings;
    now: number;
  }) {
    const r = await this.row(
      'INSERT INTO policies (name, description, settings, updated_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [p.name, p.description ?? null, JSON.stringify(p.settings), p.now],
    );
    return toPolicy(r!);
  }
  async updatePolicy(
    id: number,
    p: { name: string; description?: string | undefined; settings: PolicySettings; now: number },
  ) {
    const r = await this.row(
      'UPDATE policies SET name = $1, description = $2, settings = $3, updated_at = $4 WHERE id = $5 RETURNING *',
      [p.name, p.description ?? null, JSON.stringify(p.settings), p.now, id],
    );
    return r ? toPolicy(r) : undefined;
  }
  async deletePolicy(id: number) {
    return this.transaction(async (c) => {
      await this.changes('UPDATE groups SET policy_id = NULL WHERE policy_id = $1', [id], c);
      await this.changes('UPDATE devices SET policy_id = NULL WHERE policy_id = $1', [id], c);
      return (await this.changes('DELETE FROM policies WHERE id = $1', [id], c)) > 0;
    });
  }
  async assignPolicy(policyId: number | null, target: { groupIds: number[]; deviceIds: number[] }) {
    await this.transaction(async (c) => {
      await this.changes(
        'UPDATE groups SET policy_id = $1 WHERE id = ANY($2::bigint[])',
        [policyId, target.groupIds],
        c,
      );
      await this.changes(
        'UPDATE devices SET policy_id = $1 WHERE id = ANY($2::bigint[])',
        [policyId, target.deviceIds],
        c,
      );
    });
  }

  // ---- ingest (persistence only: the rules are in ingest/) ----
  async ingestState(deviceIds: readonly number[]): Promise<Map<number, IngestDeviceState>> {
    const out = new Map<number, IngestDeviceState>();
    if (deviceIds.length === 0) return out;
    // one round trip for the whole batch: each device with its newest interval (an index probe each)
    const rows = await this.rows(
      `SELECT d.id, d.max_seq, d.max_end, d.group_id, d.device_class, d.detected_class, d.desktop_preset,
              d.monitors, d.counters, l.start, l."end", l.state, l.display, l.power
       FROM devices d LEFT JOIN LATERAL (
         SELECT start, "end", state, display, power FROM intervals
         WHERE device_id = d.id ORDER BY start DESC LIMIT 1) l ON true
       WHERE d.id = ANY($1::bigint[])`,
      [[...new Set(deviceIds)]],
    );
    for (const r of rows) {
      const id = Number(r.id);
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
        lastInterval: r.start === null ? null : plainInterval(r),
      });
    }
    return out;
  }

  async commitIngest(batch: IngestWrite): Promise<void> {
    // Several console processes write the shared rollup rows (board_hour above all), so two batches
    // can deadlock; PostgreSQL then aborts one. Nothing of it was written, so it is simply run again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transaction((c) => this.writeIngest(c, batch));
        return;
      } catch (err) {
        const code = err instanceof Error && 'code' in err ? String(err.code) : '';
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        throw err;
      }
    }
  }

  /**
   * One batch in one transaction: the device updates (a few statements), then everything else in ONE
   * statement of data-modifying CTEs, whatever the batch's size: arrays are sent as parameters and
   * unnested by the server. Each round trip to the server costs a wait for a CPU on a busy machine,
   * so a batch costs BEGIN, that statement and COMMIT (before, one statement per table: up to nine).
   * Rows are written in key order so concurrent batches lock shared rollup rows in the same order.
   * The statement answers which devices advanced; fewer than sent is a conflict (another writer
   * moved one of them on), and throwing rolls the whole transaction back.
   */
  private async writeIngest(c: pg.PoolClient, batch: IngestWrite): Promise<void> {
    await this.applyUpdates(c, batch.updates);
    const args: unknown[] = [];
    /** array parameters, as the argument list of an unnest() */
    const arrays = (columns: [type: string, values: unknown[]][]) =>
      columns
        .map(([type, values]) => {
          args.push(values);
          return `$${args.length}::${type}[]`;
        })
        .join(', ');
    const ctes: string[] = [];
    let ids: number[] = [];
    if (batch.devices.length > 0) {
      const ds = [...batch.devices].sort((a, b) => a.deviceId - b.deviceId);
      ids = ds.map((d) => d.deviceId);
      if (new Set(ids).size !== ids.length)
        throw new Error('commitIngest: a device appears twice in one batch');
      const e = ds.map((d) => d.expect);
      const u = arrays([
        ['bigint', ids],
        ['bigint', ds.map((d) => d.maxSeq)],
        ['bigint', ds.map((d) => d.maxEnd)],
        ['bigint', ds.map((d) => d.lastSeen)],
        ['text', ds.map((d) => (d.blockers ? JSON.stringify(d.blockers.value) : null))],
        ['bigint', ds.map((d) => d.blockers?.at ?? null)],
        ['text', ds.map((d) => (d.counters ? JSON.stringify(d.counters.value) : null))],
        ['bigint', ds.map((d) => d.counters?.at ?? null)],
        ['bigint', e.map((x) => x.maxSeq)],
        ['bigint', e.map((x) => x.groupId)],
        ['text', e.map((x) => x.deviceClass ?? '')],
        ['text', e.map((x) => x.detectedClass)],
        ['text', e.map((x) => x.desktopPreset ?? '')],
        ['text', e.map((x) => (x.monitors === null ? '' : JSON.stringify(x.monitors)))],
      ]);
      ctes.push(`advanced AS (
        UPDATE devices d SET max_seq = u.max_seq, max_end = u.max_end, last_seen = u.last_seen,
           blockers = CASE WHEN u.blockers_at IS NULL THEN d.blockers ELSE u.blockers END,
           blockers_at = COALESCE(u.blockers_at, d.blockers_at),
           counters = CASE WHEN u.counters_at IS NULL THEN d.counters ELSE u.counters END,
           counters_at = COALESCE(u.counters_at, d.counters_at)
         FROM unnest(${u})
           AS u(id, max_seq, max_end, last_seen, blockers, blockers_at, counters, counters_at,
                expect_seq, expect_group, expect_class, expect_detected, expect_preset, expect_monitors)
         WHERE d.id = u.id AND d.max_seq = u.expect_seq AND d.group_id = u.expect_group
           AND COALESCE(d.device_class, '') = u.expect_class AND d.detected_class = u.expect_detected
           AND COALESCE(d.desktop_preset, '') = u.expect_preset AND COALESCE(d.monitors, '') = u.expect_monitors
         RETURNING d.id)`);
    }
    // the other writes happen only when every device advanced: on a conflict nothing but the
    // (rolled back) advance is written, and a deleted device's rows never reach the rollup tables
    const allAdvanced = ids.length > 0 ? `(SELECT count(*) FROM advanced) = ${ids.length}` : 'true';
    if (batch.extend.length > 0) {
      const xs = [...batch.extend].sort((a, b) => a.deviceId - b.deviceId || a.start - b.start);
      const u = arrays([
        ['bigint', xs.map((x) => x.deviceId)],
        ['bigint', xs.map((x) => x.start)],
        ['bigint', xs.map((x) => x.end)],
      ]);
      ctes.push(`extended AS (
        UPDATE intervals i SET "end" = u."end"
         FROM unnest(${u}) AS u(device_id, start, "end")
         WHERE i.device_id = u.device_id AND i.start = u.start AND ${allAdvanced})`);
    }
    if (batch.insert.length > 0) {
      const ivs = batch.insert;
      const u = arrays([
        ['bigint', ivs.map((i) => i.deviceId)],
        ['bigint', ivs.map((i) => i.start)],
        ['bigint', ivs.map((i) => i.end)],
        ['text', ivs.map((i) => i.state)],
        ['text', ivs.map((i) => i.display ?? null)],
        ['text', ivs.map((i) => i.power ?? null)],
      ]);
      ctes.push(`inserted AS (
        INSERT INTO intervals (device_id, start, "end", state, display, power)
         SELECT * FROM unnest(${u}) AS u(device_id, start, "end", state, display, power)
         WHERE ${allAdvanced})`);
    }
    /**
     * adds rollup deltas: rows with the same key are summed first (an upsert may touch a row once
     * per statement) and written in key order
     */
    const rollup = <T extends RollupAmounts>(
      table: string,
      keys: readonly string[],
      rows: readonly T[],
      keyOf: (r: T) => (number | string)[],
    ) => {
      if (rows.length === 0) return;
      const u = arrays([
        ...keys.map((k, i): [string, unknown[]] => [
          k === 'device_class' ? 'text' : 'bigint',
          rows.map((r) => keyOf(r)[i]),
        ]),
        ['bigint', rows.map((r) => r.activeMs)],
        ['bigint', rows.map((r) => r.idleOnMs)],
        ['bigint', rows.map((r) => r.idleOffMs)],
        ['bigint', rows.map((r) => r.asleepMs)],
        ['bigint', rows.map((r) => r.offMs)],
        ['float8', rows.map((r) => r.energyWh)],
        ['float8', rows.map((r) => r.wasteWh)],
      ]);
      const k = keys.join(', ');
      const amounts = AMOUNTS.split(', ');
      ctes.push(`${table}_added AS (
        INSERT INTO ${table} (${k}, ${AMOUNTS})
         SELECT ${k}, ${amounts.map((a) => `SUM(${a})`).join(', ')}
         FROM unnest(${u}) AS u(${k}, ${AMOUNTS})
         WHERE ${allAdvanced}
         GROUP BY ${k} ORDER BY ${k}
         ON CONFLICT (${k}) DO UPDATE SET ${amounts.map((a) => `${a} = ${table}.${a} + excluded.${a}`).join(', ')})`);
    };
    rollup('rollup_hour', ['device_id', 'hour'], batch.deviceHours, (r) => [r.deviceId, r.bucket]);
    rollup('rollup_day', ['device_id', 'day'], batch.deviceDays, (r) => [r.deviceId, r.bucket]);
    rollup('fleet_hour', ['hour', 'group_id', 'device_class'], batch.fleetHours, (r) => [
      r.bucket,
      r.groupId,
      r.deviceClass,
    ]);
    rollup('fleet_day', ['day', 'group_id', 'device_class'], batch.fleetDays, (r) => [
      r.bucket,
      r.groupId,
      r.deviceClass,
    ]);
    rollup('board_hour', ['hour'], batch.boardHours, (r) => [r.bucket]);
    if (ctes.length > 0) {
      // every CTE runs to completion whether the final SELECT reads it or not
      const advanced = await this.rows(
        `WITH ${ctes.join(',\n')}
         SELECT ${ids.length > 0 ? 'id FROM advanced' : 'NULL AS id WHERE false'}`,
        args,
        c,
      );
      if (advanced.length !== ids.length) {
        // throwing rolls the whole batch back: the domain reads again and recomputes
        const done = new Set(advanced.map((r) => Number(r.id)));
        throw new IngestConflictError(ids.find((id) => !done.has(id))!);
      }
    }
    if (batch.blockerSpans) await this.writeBlockerSpans(c, batch.blockerSpans);
  }

  /**
   * Closes and opens blocker spans in two statements. The day cap counts what is stored plus the new
   * rows before each (in start order), so an insert past the cap is left out.
   */
  private async writeBlockerSpans(c: pg.PoolClient, w: BlockerSpanWrite): Promise<void> {
    if (w.close.length > 0) {
      const xs = [...w.close].sort((a, b) => a.deviceId - b.deviceId || a.id - b.id);
      await c.query(
        `UPDATE blocker_spans b SET "end" = u."end"
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, device_id, "end")
         WHERE b.id = u.id AND b.device_id = u.device_id AND b."end" IS NULL`,
        [xs.map((x) => x.id), xs.map((x) => x.deviceId), xs.map((x) => x.end)],
      );
    }
    if (w.insert.length === 0) return;
    const rs = w.insert;
    await c.query(
      `INSERT INTO blocker_spans (device_id, name, kind, possible, blocks, start, "end")
       SELECT u.device_id, u.name, u.kind, u.possible, u.blocks, u.start, u."end"
       FROM (SELECT n.*, (n.start / $8::bigint) * $8::bigint AS day,
                    row_number() OVER (PARTITION BY n.device_id, n.start / $8::bigint ORDER BY n.start, n.ord) AS k
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[])
               WITH ORDINALITY AS n(device_id, name, kind, possible, blocks, start, "end", ord)) u
       WHERE u.k + (SELECT COUNT(*) FROM blocker_spans b
                    WHERE b.device_id = u.device_id AND b.start >= u.day AND b.start < u.day + $8::bigint) <= $9
       ORDER BY u.device_id, u.start`,
      [
        rs.map((r) => r.deviceId),
        rs.map((r) => r.name),
        rs.map((r) => r.kind),
        rs.map((r) => (r.possible ? 1 : 0)),
        rs.map((r) => (r.blocks ? JSON.stringify(r.blocks) : null)),
        rs.map((r) => r.start),
        rs.map((r) => r.end),
        DAY_MS,
        w.maxPerDeviceDay,
      ],
    );
  }

  private async applyUpdates(c: pg.PoolClient, updates: readonly DeviceUpdate[]): Promise<void> {
    for (let i = 0; i < updates.length; ) {
      const u = updates[i]!;
      if (u.kind === 'lastSeen' || u.kind === 'policySent' || u.kind === 'policyStatus') {
        let j = i;
        while (j < updates.length && updates[j]!.kind === u.kind) j++;
        const run = updates.slice(i, j) as Extract<DeviceUpdate, { kind: typeof u.kind }>[];
        if (u.kind === 'lastSeen') {
          const seen = run as Extract<DeviceUpdate, { kind: 'lastSeen' }>[];
          await c.query(
            `UPDATE devices d SET last_seen = GREATEST(COALESCE(d.last_seen, 0), u.at)
             FROM (SELECT id, MAX(at) AS at FROM unnest($1::bigint[], $2::bigint[]) AS t(id, at) GROUP BY id) u
             WHERE d.id = u.id`,
            [seen.map((x) => x.deviceId), seen.map((x) => x.at)],
          );
        } else if (u.kind === 'policyStatus') {
          // after a push every agent answers at once: one statement for the run, not one per device;
          // the last status of a device wins, as if written one after another
          const all = run as Extract<DeviceUpdate, { kind: 'policyStatus' }>[];
          await this.recordStatusEvents(c, all);
          const last = new Map<number, Extract<DeviceUpdate, { kind: 'policyStatus' }>>();
          for (const x of all) last.set(x.deviceId, x);
          const sts = [...last.values()];
          await c.query(
            `UPDATE devices d SET status_ok = u.ok, status_etag = u.etag, status_applied = u.applied,
               status_errors = u.errors, status_at = u.at, last_seen = u.at
             FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[])
               AS u(id, ok, etag, applied, errors, at)
             WHERE d.id = u.id`,
            [
              sts.map((x) => x.deviceId),
              sts.map((x) => (x.ok ? 1 : 0)),
              sts.map((x) => x.etag),
              sts.map((x) => JSON.stringify(x.applied)),
              sts.map((x) => JSON.stringify(x.errors)),
              sts.map((x) => x.at),
            ],
          );
        } else {
          // the last mark of a device wins, as if written one after another
          const last = new Map<number, string>();
          for (const x of run as Extract<DeviceUpdate, { kind: 'policySent' }>[])
            last.set(x.deviceId, x.etag);
          await c.query(
            `UPDATE devices d SET policy_etag_sent = u.etag
             FROM unnest($1::bigint[], $2::text[]) AS u(id, etag) WHERE d.id = u.id`,
            [[...last.keys()], [...last.values()]],
          );
        }
        i = j;
        continue;
      }
      if (u.kind === 'hello') await this.recordHelloOn(c, u.deviceId, u);
      else await this.recordInventoryOn(c, u.deviceId, u);
      i++;
    }
  }

  // ---- operations: audit log, retirement, AVG export and erasure, housekeeping ----
  // (the shapes of the Store's operations methods: audit entries as ops/audit.ts writes them)

  async appendAudit(e: AuditRecordPg): Promise<void> {
    await this.changes(
      `INSERT INTO audit_log (at, user_id, username, role, via, ip, method, route, target_id, status, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
  }
  /** newest first */
  async listAudit(q: { limit: number; before?: number; targetId?: number; route?: string }) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      args.push(q.before);
      where.push(`id < $${args.length}`);
    }
    if (q.targetId !== undefined) {
      args.push(q.targetId);
      where.push(`target_id = $${args.length}`);
    }
    if (q.route !== undefined) {
      args.push(q.route);
      where.push(`starts_with(route, $${args.length})`);
    }
    args.push(q.limit);
    const rows = await this.rows(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map((r) => ({
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
      details: typeof r.details === 'string' ? (JSON.parse(r.details) as unknown) : null,
    }));
  }
  async pruneAudit(before: number): Promise<number> {
    return this.changes('DELETE FROM audit_log WHERE at < $1', [before]);
  }
  /** the device's token is replaced by `tokenHash` (one no token matches) and the retirement kept, or replaced */
  async retireDevice(id: number, r: { at: number; reason: string | null; tokenHash: string }): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('UPDATE devices SET token_hash = $1 WHERE id = $2', [r.tokenHash, id]);
      await c.query(
        `INSERT INTO device_retirements (device_id, retired_at, reason) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET retired_at = excluded.retired_at, reason = excluded.reason`,
        [id, r.at, r.reason],
      );
    });
  }
  /** everything stored about one device (AVG art. 15/20), token hash left out; undefined when unknown */
  async exportDevice(id: number) {
    // one snapshot: a report stored meanwhile shows up everywhere or nowhere
    return this.transaction(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const device = await this.row('SELECT * FROM devices WHERE id = $1', [id], c);
      if (!device) return undefined;
      const { token_hash: _secret, ...columns } = device;
      for (const k of ['inventory', 'monitors', 'status_applied', 'status_errors', 'blockers', 'counters'])
        if (typeof columns[k] === 'string') columns[k] = JSON.parse(columns[k] as string);
      const all = (sql: string) => this.rows(sql, [id], c);
      const retirement = await this.row(
        'SELECT retired_at, reason FROM device_retirements WHERE device_id = $1',
        [id],
        c,
      );
      return {
        device: columns,
        retirement: retirement
          ? {
              retired_at: Number(retirement.retired_at),
              reason: (retirement.reason as string | null) ?? null,
            }
          : null,
        intervals: await all(
          'SELECT start, "end", state, display, power FROM intervals WHERE device_id = $1 ORDER BY start',
        ),
        hourlyRollups: await all('SELECT * FROM rollup_hour WHERE device_id = $1 ORDER BY hour'),
        dailyRollups: await all('SELECT * FROM rollup_day WHERE device_id = $1 ORDER BY day'),
        batteryReadings: await all(
          'SELECT month, health_pct, cycle_count, at FROM battery_readings WHERE device_id = $1 ORDER BY month',
        ),
        purchase:
          (await this.row(
            'SELECT purchase_date, price_cents, warranty_end, imported_at FROM device_purchases WHERE device_id = $1',
            [id],
            c,
          )) ?? null,
        blockerSpans: (
          await all(
            'SELECT name, kind, possible, blocks, start, "end" FROM blocker_spans WHERE device_id = $1 ORDER BY start, id',
          )
        ).map((r) => {
          const { id: _id, deviceId: _d, ...span } = spanOf({ ...r, id: 0, device_id: id });
          return span;
        }),
        policyStatusHistory: (
          await all(
            'SELECT kind, etag, ok, error_codes, at FROM policy_status_history WHERE device_id = $1 ORDER BY at, id',
          )
        ).map((r) => {
          const { deviceId: _d, errorCodes, ...e } = statusEventOf({ ...r, device_id: id });
          return { ...e, ok: r.ok === null ? null : Number(r.ok), error_codes: errorCodes };
        }),
      };
    });
  }
  /** erases one device: its intervals, rollups (the fleet and board totals lose them by trigger), retirement and the device */
  async eraseDevice(id: number) {
    return this.transaction(async (c) => {
      const intervals = await this.changes('DELETE FROM intervals WHERE device_id = $1', [id], c);
      const hourlyRollups = await this.changes('DELETE FROM rollup_hour WHERE device_id = $1', [id], c);
      const dailyRollups = await this.changes('DELETE FROM rollup_day WHERE device_id = $1', [id], c);
      const blockerSpans = await this.changes('DELETE FROM blocker_spans WHERE device_id = $1', [id], c);
      const policyStatusEvents = await this.changes(
        'DELETE FROM policy_status_history WHERE device_id = $1',
        [id],
        c,
      );
      await this.changes('DELETE FROM device_retirements WHERE device_id = $1', [id], c);
      const devices = await this.changes('DELETE FROM devices WHERE id = $1', [id], c);
      return { intervals, hourlyRollups, dailyRollups, blockerSpans, policyStatusEvents, devices };
    });
  }
  /** PostgreSQL looks after its own storage (autovacuum, checkpoints): nothing to do here */
  async housekeeping(): Promise<{ postponed: boolean }> {
    return { postponed: false };
  }

  // ---- retention ----
  async pruneRawIntervals(before: number) {
    // one statement: PostgreSQL's row versions let ingest go on writing while it runs
    return this.changes('DELETE FROM intervals WHERE start < $1 AND "end" < $1', [before]);
  }
  async pruneSessions(now: number) {
    return this.changes('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }

  // ---- blocker history ----
  async openBlockerSpans(deviceIds: readonly number[]) {
    if (deviceIds.length === 0) return [];
    const rows = await this.rows(
      'SELECT * FROM blocker_spans WHERE device_id = ANY($1::bigint[]) AND "end" IS NULL ORDER BY device_id, start, id',
      [[...new Set(deviceIds)]],
    );
    return rows.map(spanOf);
  }
  async blockerSpansOverlapping(deviceIds: readonly number[], from: number, to: number) {
    if (deviceIds.length === 0) return [];
    const rows = await this.rows(
      `SELECT * FROM blocker_spans WHERE device_id = ANY($1::bigint[]) AND start < $2 AND ("end" IS NULL OR "end" > $3)
       ORDER BY device_id, start, id`,
      [[...new Set(deviceIds)], to, from],
    );
    return rows.map(spanOf);
  }
  async blockerHistoryFrom() {
    return this.historyFrom('blocker_spans');
  }
  async policyStatusHistoryFrom() {
    return this.historyFrom('policy_status');
  }
  private async historyFrom(name: string): Promise<number> {
    const r = await this.row('SELECT began_at FROM history_start WHERE name = $1', [name]);
    return r ? Number(r.began_at) : 0;
  }
  async policyStatusHistory(deviceIds: readonly number[], to: number) {
    if (deviceIds.length === 0) return [];
    const rows = await this.rows(
      'SELECT * FROM policy_status_history WHERE device_id = ANY($1::bigint[]) AND at < $2 ORDER BY device_id, at, id',
      [[...new Set(deviceIds)], to],
    );
    return rows.map(statusEventOf);
  }
  async prunePolicyStatusHistory(before: number) {
    return this.changes(
      `DELETE FROM policy_status_history WHERE at < $1 AND id NOT IN
         (SELECT MAX(id) FROM policy_status_history GROUP BY device_id, kind)`,
      [before],
    );
  }
  /**
   * Every status of a run as history events in one statement, as `recordStatusEvent` one after
   * another would: the day cap counts what is stored plus the run's earlier rows of that device-day.
   */
  private async recordStatusEvents(
    c: pg.PoolClient,
    sts: readonly Extract<DeviceUpdate, { kind: 'policyStatus' }>[],
  ): Promise<void> {
    if (sts.length === 0) return;
    await c.query(
      `INSERT INTO policy_status_history (device_id, kind, etag, ok, error_codes, at)
       SELECT u.device_id, 'status', u.etag, u.ok, u.error_codes, u.at
       FROM (SELECT n.*, (n.at / $6::bigint) * $6::bigint AS day,
                    row_number() OVER (PARTITION BY n.device_id, n.at / $6::bigint ORDER BY n.ord) AS k
             FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
               WITH ORDINALITY AS n(device_id, etag, ok, error_codes, at, ord)) u
       WHERE u.k + (SELECT COUNT(*) FROM policy_status_history h
                    WHERE h.device_id = u.device_id AND h.at >= u.day AND h.at < u.day + $6::bigint) <= $7
       ORDER BY u.ord`,
      [
        sts.map((x) => x.deviceId),
        sts.map((x) => x.etag),
        sts.map((x) => (x.ok ? 1 : 0)),
        sts.map((x) => JSON.stringify(x.errors.map((e) => e.code))),
        sts.map((x) => x.at),
        DAY_MS,
        POLICY_STATUS_EVENTS_PER_DEVICE_DAY,
      ],
    );
  }
  /** one policy-status event, unless the device has its day's share already */
  private async recordStatusEvent(
    q: Queryable,
    e: Omit<PolicyStatusEvent, 'deviceId'>,
    id: number,
  ): Promise<void> {
    const day = Math.floor(e.at / DAY_MS) * DAY_MS;
    await this.changes(
      `INSERT INTO policy_status_history (device_id, kind, etag, ok, error_codes, at)
       SELECT $1::bigint, $2::text, $3::text, $4::bigint, $5::text, $6::bigint
       WHERE (SELECT COUNT(*) FROM policy_status_history
         WHERE device_id = $1::bigint AND at >= $7::bigint AND at < $8::bigint) < $9::bigint`,
      [
        id,
        e.kind,
        e.etag,
        e.ok === null ? null : e.ok ? 1 : 0,
        JSON.stringify(e.errorCodes),
        e.at,
        day,
        day + DAY_MS,
        POLICY_STATUS_EVENTS_PER_DEVICE_DAY,
      ],
      q,
    );
  }
  async pruneBlockerSpans(before: number) {
    return this.changes('DELETE FROM blocker_spans WHERE "end" IS NOT NULL AND "end" < $1', [before]);
  }

  // ---- usage ----
  async sumRollupsByDevice(kind: 'hour' | 'day', from: number, to: number, deviceIds: number[]) {
    const [table, col] = kind === 'hour' ? ['rollup_hour', 'hour'] : ['rollup_day', 'day'];
    const sql = `SELECT device_id AS key, ${SUMS} FROM ${table}
      WHERE device_id = ANY($1::bigint[]) AND ${col} >= $2 AND ${col} < $3 GROUP BY device_id ORDER BY device_id`;
    return (await this.rows(sql, [deviceIds, from, to])).map(toSum);
  }
  async sumRollupsByBucket(kind: 'hour' | 'day', from: number, to: number, deviceIds: number[]) {
    const [table, col] = kind === 'hour' ? ['rollup_hour', 'hour'] : ['rollup_day', 'day'];
    const sql = `SELECT ${col} AS key, ${SUMS} FROM ${table}
      WHERE device_id = ANY($1::bigint[]) AND ${col} >= $2 AND ${col} < $3 GROUP BY ${col} ORDER BY ${col}`;
    return (await this.rows(sql, [deviceIds, from, to])).map(toSum);
  }
  async sumHourRollupsAt(hours: number[], deviceIds: number[]) {
    if (hours.length === 0 || deviceIds.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM rollup_hour
      WHERE device_id = ANY($1::bigint[]) AND hour = ANY($2::bigint[]) GROUP BY hour ORDER BY hour`;
    return (await this.rows(sql, [deviceIds, hours])).map(toSum);
  }
  async sumFleetByBucket(kind: 'hour' | 'day', from: number, to: number, groupIds: number[]) {
    if (groupIds.length === 0) return [];
    const [table, col] = kind === 'hour' ? ['fleet_hour', 'hour'] : ['fleet_day', 'day'];
    const sql = `SELECT ${col} AS key, ${SUMS} FROM ${table}
      WHERE ${col} >= $1 AND ${col} < $2 AND group_id = ANY($3::bigint[]) GROUP BY ${col} ORDER BY ${col}`;
    return (await this.rows(sql, [from, to, groupIds])).map(toSum);
  }
  async sumBoardHours(from: number, to: number) {
    const sql = `SELECT hour AS key, ${SUMS} FROM board_hour WHERE hour >= $1 AND hour < $2 GROUP BY hour ORDER BY hour`;
    return (await this.rows(sql, [from, to])).map(toSum);
  }
  async sumBoardHoursAt(hours: number[]) {
    if (hours.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM board_hour WHERE hour = ANY($1::bigint[]) GROUP BY hour ORDER BY hour`;
    return (await this.rows(sql, [hours])).map(toSum);
  }
  async sumFleetHoursAt(hours: number[], groupIds: number[]) {
    if (hours.length === 0 || groupIds.length === 0) return [];
    const sql = `SELECT hour AS key, ${SUMS} FROM fleet_hour
      WHERE hour = ANY($1::bigint[]) AND group_id = ANY($2::bigint[]) GROUP BY hour ORDER BY hour`;
    return (await this.rows(sql, [hours, groupIds])).map(toSum);
  }
  async sumFleetByGroupClass(kind: 'hour' | 'day', from: number, to: number, groupIds: number[]) {
    if (groupIds.length === 0) return [];
    const [table, col] = kind === 'hour' ? ['fleet_hour', 'hour'] : ['fleet_day', 'day'];
    const sql = `SELECT group_id AS key, device_class AS c, ${SUMS} FROM ${table}
      WHERE ${col} >= $1 AND ${col} < $2 AND group_id = ANY($3::bigint[])
      GROUP BY group_id, device_class ORDER BY group_id, device_class`;
    return (await this.rows(sql, [from, to, groupIds])).map(
      (r): FleetSum => ({ ...toSum(r), groupId: Number(r.key), deviceClass: r.c as FleetSum['deviceClass'] }),
    );
  }
  async intervalsOverlapping(deviceIds: number[], from: number, to: number) {
    if (deviceIds.length === 0) return [];
    // intervals of one device never overlap: those starting in [from, to), plus per device the last one
    // starting before `from` when it reaches into the range (one lateral index probe per device)
    const rows = await this.rows(
      `SELECT device_id, start, "end", state, display, power FROM intervals
         WHERE device_id = ANY($1::bigint[]) AND start >= $2 AND start < $3
       UNION ALL
       SELECT p.device_id, p.start, p."end", p.state, p.display, p.power
         FROM unnest($1::bigint[]) AS d(id) CROSS JOIN LATERAL (
           SELECT device_id, start, "end", state, display, power FROM intervals
           WHERE device_id = d.id AND start < $2 ORDER BY start DESC LIMIT 1) p
         WHERE p."end" > $2
       ORDER BY device_id, start DESC`,
      [deviceIds, from, to],
    );
    return rows.map((r) => toInterval(Number(r.device_id), r));
  }

  // ---- settings ----
  async getSettings(q: Queryable = this.pool): Promise<Settings> {
    const r = await this.row("SELECT value FROM settings WHERE key = 'deployment'", [], q);
    const stored = r ? SettingsSchema.partial().safeParse(JSON.parse(String(r.value))) : undefined;
    return { ...DEFAULT_SETTINGS, ...(stored?.success ? stored.data : {}) } as Settings;
  }
  async putSettings(settings: Settings) {
    const old = await this.getSettings();
    await this.changes(
      "INSERT INTO settings (key, value) VALUES ('deployment', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [JSON.stringify(settings)],
    );
    const next = await this.getSettings();
    if (
      JSON.stringify([old.classWatts, old.monitorWatts]) !==
      JSON.stringify([next.classWatts, next.monitorWatts])
    ) {
      // class or monitor watts changed: recompute the devices whose watts changed
      const rows = await this.rows(
        'SELECT id, device_class, detected_class, desktop_preset, monitors FROM devices',
      );
      await this.requestEnergyRecompute(
        rows.filter((r) => wattsKey(r, old) !== wattsKey(r, next)).map((r) => Number(r.id)),
      );
    }
    return next;
  }

  /**
   * Queues devices whose stored energy must be recomputed (their watts changed); kept in the
   * database like SQLite's queue, so the request survives a restart and any process can do the work.
   */
  async requestEnergyRecompute(deviceIds: number[], q: Queryable = this.pool): Promise<void> {
    if (deviceIds.length === 0) return;
    await this.changes(
      `INSERT INTO energy_recompute (device_id, gen) SELECT id, 1 FROM unnest($1::bigint[]) AS t(id)
       WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = t.id)
       ON CONFLICT (device_id) DO UPDATE SET gen = energy_recompute.gen + 1`,
      [deviceIds],
      q,
    );
    // inside a transaction the worker could not see the request yet: it starts after the commit
    if (q === this.pool) this.energy.kick();
    else this.queuedIn.add(q as pg.PoolClient);
  }

  // ---- device lifecycle (issue 11) ----
  async putPurchases(rows: readonly PurchaseInput[], now: number): Promise<number> {
    // one transaction: a row that fails (e.g. a device deleted meanwhile) leaves nothing behind
    return this.transaction(async (c) => {
      for (const r of rows) {
        await c.query(
          `INSERT INTO device_purchases (device_id, purchase_date, price_cents, warranty_end, imported_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO UPDATE SET purchase_date = excluded.purchase_date,
           price_cents = excluded.price_cents, warranty_end = excluded.warranty_end, imported_at = excluded.imported_at`,
          [r.deviceId, r.purchaseDate, r.priceCents, r.warrantyEnd, now],
        );
      }
      return rows.length;
    });
  }

  async listPurchases(deviceIds?: readonly number[]): Promise<PurchaseRecord[]> {
    const cols = 'device_id, purchase_date, price_cents, warranty_end, imported_at';
    // one array parameter instead of a placeholder per id: no parameter limit to chunk around
    const rows =
      deviceIds === undefined
        ? await this.rows(`SELECT ${cols} FROM device_purchases ORDER BY device_id`)
        : await this.rows(
            `SELECT ${cols} FROM device_purchases WHERE device_id = ANY($1::bigint[]) ORDER BY device_id`,
            [[...deviceIds]],
          );
    return rows.map((r) => ({
      deviceId: Number(r.device_id),
      purchaseDate: String(r.purchase_date),
      priceCents: r.price_cents === null ? null : Number(r.price_cents),
      warrantyEnd: r.warranty_end === null ? null : String(r.warranty_end),
      importedAt: Number(r.imported_at),
    }));
  }

  async batteryReadingsOf(deviceIds: readonly number[]): Promise<Map<number, BatteryReading[]>> {
    const rows = await this.rows(
      `SELECT device_id, month, health_pct, cycle_count, at FROM battery_readings
       WHERE device_id = ANY($1::bigint[]) ORDER BY device_id, month`,
      [[...deviceIds]],
    );
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
    return this.transaction(async (c) => {
      let added = 0;
      for (const r of readings) {
        added += await this.changes(
          `INSERT INTO battery_readings (device_id, month, health_pct, cycle_count, at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (device_id, month) DO NOTHING`,
          [deviceId, r.month, r.healthPct, r.cycleCount, r.at],
          c,
        );
      }
      return added;
    });
  }

  // ---- impact: school calendars, policy history, waste per device-hour (issue 10) ----
  async getSchoolCalendar(groupId: number): Promise<StoredSchoolCalendar | undefined> {
    const r = await this.row('SELECT * FROM school_calendars WHERE group_id = $1', [groupId]);
    return r ? toSchoolCalendar(r) : undefined;
  }
  async listSchoolCalendars(): Promise<StoredSchoolCalendar[]> {
    return (await this.rows('SELECT * FROM school_calendars ORDER BY group_id')).map(toSchoolCalendar);
  }
  async putSchoolCalendar(
    groupId: number,
    calendar: SchoolCalendar,
    now: number,
  ): Promise<StoredSchoolCalendar> {
    await this.changes(
      `INSERT INTO school_calendars (group_id, calendar, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (group_id) DO UPDATE SET calendar = excluded.calendar, updated_at = excluded.updated_at`,
      [groupId, JSON.stringify(calendar), now],
    );
    return { groupId, calendar, updatedAt: now };
  }
  async deleteSchoolCalendar(groupId: number): Promise<boolean> {
    return (await this.changes('DELETE FROM school_calendars WHERE group_id = $1', [groupId])) > 0;
  }
  async listPolicyHistory(
    filter: { groupIds?: number[]; deviceIds?: number[] } = {},
  ): Promise<PolicyHistoryRecord[]> {
    const where: string[] = [];
    const args: number[][] = [];
    // ids are bound as array parameters, never spliced in; an empty list matches nothing
    if (filter.groupIds) {
      args.push(filter.groupIds);
      where.push(`group_id = ANY($${args.length}::bigint[])`);
    }
    if (filter.deviceIds) {
      args.push(filter.deviceIds);
      where.push(`device_id = ANY($${args.length}::bigint[])`);
    }
    const sql = `SELECT * FROM policy_history${where.length ? ` WHERE ${where.join(' OR ')}` : ''} ORDER BY at, id`;
    return (await this.rows(sql, args)).map(toPolicyHistory);
  }
  async appendPolicyHistory(rows: readonly NewPolicyHistory[]): Promise<void> {
    await this.transaction(async (c) => {
      for (const r of rows) {
        await c.query(
          `INSERT INTO policy_history (group_id, device_id, policy_id, policy_name, audit_only, excluded_reason, settings, etag, at, first_record)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
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
          ],
        );
      }
    });
  }
  async datePolicyHistory(ids: readonly number[], at: number): Promise<void> {
    await this.changes('UPDATE policy_history SET at = $1 WHERE id = ANY($2::bigint[])', [at, [...ids]]);
  }
  async wastePerDeviceHour(
    deviceIds: number[],
    from: number,
    to: number,
  ): Promise<{ deviceId: number; hour: number; wasteWh: number }[]> {
    const rows = await this.rows(
      `SELECT device_id, hour, waste_wh FROM rollup_hour
       WHERE device_id = ANY($1::bigint[]) AND hour >= $2 AND hour < $3 ORDER BY device_id, hour`,
      [deviceIds, from, to],
    );
    // the caller's device order, as the SQLite store gives it
    const byDevice = new Map<number, { deviceId: number; hour: number; wasteWh: number }[]>();
    for (const r of rows) {
      const id = Number(r.device_id);
      const list = byDevice.get(id) ?? [];
      byDevice.set(id, list);
      list.push({ deviceId: id, hour: Number(r.hour), wasteWh: Number(r.waste_wh) });
    }
    return [...new Set(deviceIds)].flatMap((id) => byDevice.get(id) ?? []);
  }

  /** updates the given columns; returns the row after the update (undefined: nothing to update or no row) */
  private async updateRow(
    table: 'groups' | 'devices',
    id: number,
    cols: Record<string, unknown>,
    q: Queryable = this.pool,
  ): Promise<Row | undefined> {
    const keys = Object.keys(cols);
    if (keys.length === 0) return undefined;
    return this.row(
      `UPDATE ${table} SET ${keys.map((k, i) => `${k} = $${i + 1}`).join(', ')} WHERE id = $${keys.length + 1} RETURNING *`,
      [...keys.map((k) => cols[k]), id],
      q,
    );
  }
}

/** the device columns its watts depend on (energy-profile.ts) */
const PROFILE_COLS = ['device_class', 'detected_class', 'desktop_preset', 'monitors'] as const;
const PROFILE = PROFILE_COLS.join(', ');
const PROFILE_BEFORE_AFTER = PROFILE_COLS.map((c) => `old.${c} AS old_${c}, d.${c}`).join(', ');

const AMOUNTS = 'active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh';

const SUMS = `SUM(active_ms) AS a, SUM(idle_on_ms) AS i1, SUM(idle_off_ms) AS i0, SUM(asleep_ms) AS s,
  SUM(off_ms) AS o, SUM(energy_wh) AS e, SUM(waste_wh) AS w`;
