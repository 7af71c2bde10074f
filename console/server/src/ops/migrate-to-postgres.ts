import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { MIGRATIONS, migrate } from '../store/migrations.js';
import { isPostgresUrl, PostgresStore } from '../store/postgres.js';
import { DB_FILE } from '../store/sqlite.js';

type Row = Record<string, unknown>;

/**
 * The tables in an order their foreign keys allow (a row's parent is copied before it). Tables the
 * SQLite file has beyond these are copied after them; `groups` is copied parents first.
 */
const TABLE_ORDER = [
  'settings',
  'users',
  'sessions',
  'api_tokens',
  'policies',
  'groups',
  'enroll_secrets',
  'devices',
  'device_retirements',
  'battery_readings',
  'energy_recompute',
  'audit_log',
  'intervals',
  'rollup_hour',
  'rollup_day',
  'fleet_hour',
  'fleet_day',
  'board_hour',
];

/** rows per INSERT statement at most; PostgreSQL takes up to 65535 parameters per statement */
const MAX_PARAMS = 30_000;

/** the usage figures that must come out equal on both sides */
const TOTALS = ['active_ms', 'idle_on_ms', 'idle_off_ms', 'asleep_ms', 'off_ms', 'energy_wh', 'waste_wh'];
const ROLLUP_TABLES = ['rollup_hour', 'rollup_day', 'fleet_hour', 'fleet_day', 'board_hour'];

/**
 * Tables the migrations themselves fill (when each history began): an empty target has them too, so
 * they do not count as "not empty" and the source's rows replace the target's.
 */
const FILLED_BY_MIGRATIONS = new Set(['history_start']);

/**
 * Tables only SQLite has: `id_high_water` keeps the highest id SQLite ever gave out per table
 * (migrations.ts, 'ids never reused (SQLite)'). PostgreSQL's identity columns do that themselves, so it
 * is not copied; the identities are set past its marks instead (`resetIdentities`).
 */
const SQLITE_ONLY = new Set(['id_high_water']);

export interface MigrateResult {
  /** rows copied per table */
  rows: Record<string, number>;
  /** usage totals per rollup table plus raw interval time (`intervals.ms`), equal on both sides */
  totals: Record<string, number>;
  ms: number;
}

/** Refused because the target already holds a console's data; nothing was written. */
export class TargetNotEmptyError extends Error {}

/**
 * Copies the SQLite console in `dataDir` completely into the (empty) PostgreSQL database at `url`:
 * every table, ids kept, in one PostgreSQL transaction that commits only when the row counts and
 * usage totals of both sides are equal (anything else leaves the target as it was). The SQLite file is read in one read
 * transaction, so the copy is consistent; the console should be stopped so nothing written after it
 * is lost. An older SQLite file is first brought up to date (as starting the console would).
 */
export async function migrateToPostgres(dataDir: string, url: string): Promise<MigrateResult> {
  const started = Date.now();
  const file = join(resolve(dataDir), DB_FILE);
  if (!existsSync(file)) {
    throw new Error(
      `Geen database in ${dataDir}; zet SLUIMER_DATA op de datamap van de console / ` +
        `no database in ${dataDir}; set SLUIMER_DATA to the console's data folder`,
    );
  }
  const db = new Database(file, { fileMustExist: true });
  let target: PostgresStore | undefined;
  try {
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < MIGRATIONS.length) migrate(db);
    target = await PostgresStore.open({ url, poolSize: 2 });
    const tables = orderedTables(db);
    const pgTables = new Set(
      (
        await target.pool.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
        )
      ).rows.map((r) => r.table_name),
    );
    const unknown = tables.filter((t) => !pgTables.has(t));
    if (unknown.length) throw new Error(`tables missing in PostgreSQL: ${unknown.join(', ')}`);

    db.exec('BEGIN'); // one read snapshot of the whole file
    try {
      const done = await target.transaction(async (c) => {
        const filled: string[] = [];
        for (const t of tables) {
          if (FILLED_BY_MIGRATIONS.has(t)) continue;
          if ((await c.query(`SELECT 1 FROM ${q(t)} LIMIT 1`)).rowCount) filled.push(t);
        }
        if (filled.length) {
          throw new TargetNotEmptyError(
            `De PostgreSQL-database is niet leeg (${filled.join(', ')}); migreer alleen naar een lege database. / ` +
              `The PostgreSQL database is not empty (${filled.join(', ')}); migrate into an empty database only.`,
          );
        }
        for (const t of tables) if (FILLED_BY_MIGRATIONS.has(t)) await c.query(`DELETE FROM ${q(t)}`);
        const copied: Record<string, number> = {};
        for (const t of tables) copied[t] = await copyTable(db, c, t);
        await resetIdentities(c, tables, highWater(db));
        // checked before the commit: a copy that differs is rolled back
        return { copied, totals: await compare(db, c, tables) };
      });
      return { rows: done.copied, totals: done.totals, ms: Date.now() - started };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
    await target?.close();
  }
}

/** a quoted identifier (table and column names come from the SQLite file's own schema) */
const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

function orderedTables(db: Database.Database): string[] {
  const present = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as Row[]
  )
    .map((r) => String(r.name))
    .filter((t) => !SQLITE_ONLY.has(t));
  return [
    ...TABLE_ORDER.filter((t) => present.includes(t)),
    ...present.filter((t) => !TABLE_ORDER.includes(t)),
  ];
}

async function copyTable(db: Database.Database, c: pg.PoolClient, table: string): Promise<number> {
  const cols = (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as Row[]).map(
    (r) => String(r.name),
  );
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
  // a group's parent may have a higher id (a group moved under a newer one): parents first
  const order =
    table === 'groups'
      ? `WITH RECURSIVE tree(id, depth) AS (SELECT id, 0 FROM groups WHERE parent_id IS NULL
           UNION ALL SELECT g.id, t.depth + 1 FROM groups g JOIN tree t ON g.parent_id = t.id)
         SELECT g.* FROM groups g JOIN tree USING (id) ORDER BY tree.depth, g.id`
      : `SELECT ${cols.map(q).join(', ')} FROM ${q(table)}`;
  let copied = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch
      .map((_, r) => `(${cols.map((__, k) => `$${r * cols.length + k + 1}`).join(', ')})`)
      .join(', ');
    await c.query(`INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const r of db.prepare(order).iterate() as IterableIterator<Row>) {
    batch.push(cols.map((k) => r[k] ?? null));
    if (batch.length >= perStatement) await flush();
  }
  await flush();
  return copied;
}

/** the highest id SQLite ever gave out per table (also erased and deleted rows' ids) */
function highWater(db: Database.Database): Map<string, number> {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'id_high_water'").get();
  if (!has) return new Map();
  const rows = db.prepare('SELECT name, last_id FROM id_high_water').all() as Row[];
  return new Map(rows.map((r) => [String(r.name), Number(r.last_id)]));
}

/**
 * Identity columns continue after the copied ids and after every id SQLite ever gave out (`marks`),
 * so the next user or device gets a fresh one, never an erased device's.
 */
async function resetIdentities(
  c: pg.PoolClient,
  tables: string[],
  marks: ReadonlyMap<string, number>,
): Promise<void> {
  const { rows } = await c.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name = ANY($1)`,
    [tables],
  );
  for (const r of rows) {
    await c.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(MAX(${q(r.column_name)}), 0), $3::bigint) + 1, false) FROM ${q(r.table_name)}`,
      [r.table_name, r.column_name, marks.get(r.table_name) ?? 0],
    );
  }
}

/**
 * Row counts of every table and the usage totals (time per state, energy) of every rollup table and
 * of the raw intervals must be the same on both sides; throws naming what differs. Milliseconds are
 * integers and compared exactly; watt-hours are sums of floats, compared to a millionth of a Wh.
 */
async function compare(
  db: Database.Database,
  pool: pg.PoolClient,
  tables: string[],
): Promise<Record<string, number>> {
  const diffs: string[] = [];
  const totals: Record<string, number> = {};
  const check = (key: string, a: number, b: number, exact: boolean) => {
    totals[key] = a;
    if (exact ? a !== b : Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a)))
      diffs.push(`${key}: ${a} ≠ ${b}`);
  };
  for (const t of tables) {
    const a = Number((db.prepare(`SELECT COUNT(*) AS n FROM ${q(t)}`).get() as Row).n);
    const b = Number((await pool.query(`SELECT COUNT(*) AS n FROM ${q(t)}`)).rows[0].n);
    check(`${t}.rows`, a, b, true);
  }
  for (const t of ROLLUP_TABLES.filter((x) => tables.includes(x))) {
    const sql = `SELECT ${TOTALS.map((c) => `COALESCE(SUM(${c}), 0) AS ${c}`).join(', ')} FROM ${t}`;
    const a = db.prepare(sql).get() as Row;
    const b = (await pool.query(sql)).rows[0] as Row;
    for (const c of TOTALS) check(`${t}.${c}`, Number(a[c]), Number(b[c]), c.endsWith('_ms'));
  }
  const raw = 'SELECT COALESCE(SUM("end" - start), 0) AS ms FROM intervals';
  check(
    'intervals.ms',
    Number((db.prepare(raw).get() as Row).ms),
    Number((await pool.query(raw)).rows[0].ms),
    true,
  );
  if (diffs.length) {
    throw new Error(
      `De kopie wijkt af en is teruggedraaid / the copy differs and was rolled back: ${diffs.join('; ')}`,
    );
  }
  return totals;
}

const USAGE =
  'Gebruik / usage: sluimer-console migrate --to postgres://gebruiker:wachtwoord@host/database   (SQLite in SLUIMER_DATA, default ./data)\n';

/** `sluimer-console migrate --to postgres://…`; returns the exit code */
export async function migrateCommand(
  argv: string[],
  io: {
    env: NodeJS.ProcessEnv;
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown };
  },
): Promise<number> {
  const args = argv.slice(1);
  let url: string | undefined;
  if (args.length === 2 && args[0] === '--to') url = args[1];
  else if (args.length === 1 && args[0]?.startsWith('--to=')) url = args[0].slice('--to='.length);
  if (!url || !isPostgresUrl(url)) {
    io.stderr.write(USAGE);
    return 2;
  }
  const dataDir = resolve(io.env.SLUIMER_DATA || './data');
  try {
    const r = await migrateToPostgres(dataDir, url);
    const count = (t: string) => r.rows[t] ?? 0;
    io.stdout.write(
      `Gekopieerd naar PostgreSQL / copied to PostgreSQL in ${r.ms} ms: ${count('devices')} apparaten/devices, ` +
        `${count('users')} gebruikers/users, ${count('intervals')} intervallen/intervals, ` +
        `${count('rollup_hour')} uurtotalen/hourly rollups.\n` +
        `Gebruikstotalen gelijk / usage totals equal: actief/active ${r.totals['rollup_hour.active_ms']} ms, ` +
        `inactief-aan/idle-on ${r.totals['rollup_hour.idle_on_ms']} ms, ` +
        `energie/energy ${Math.round((r.totals['rollup_hour.energy_wh'] ?? 0) * 1000) / 1000} Wh.\n` +
        'Start de console met / start the console with SLUIMER_DATABASE_URL=<dezelfde/the same URL>.\n',
    );
    return 0;
  } catch (e) {
    io.stderr.write(`migrate mislukt / failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
