import type Database from 'better-sqlite3';

const COLS = 'active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh';
const sumCols = (t: string) =>
  COLS.split(', ')
    .map((c) => `SUM(${t}.${c})`)
    .join(', ');
const signedCols = (t: string, sign: '' | '-') =>
  COLS.split(', ')
    .map((c) => `${sign}${t}.${c}`)
    .join(', ');
const ADD = COLS.split(', ')
  .map((c) => `${c} = ${c} + excluded.${c}`)
  .join(', ');
const ALL_ZERO = 'active_ms = 0 AND idle_on_ms = 0 AND idle_off_ms = 0 AND asleep_ms = 0 AND off_ms = 0';
const CLASS_OF = (d: string) => `COALESCE(${d}.device_class, ${d}.detected_class)`;

function fleetTables(table: string, time: string): string {
  return `CREATE TABLE ${table} (
  ${time} INTEGER NOT NULL,
  group_id INTEGER NOT NULL,
  device_class TEXT NOT NULL,
  active_ms INTEGER NOT NULL DEFAULT 0,
  idle_on_ms INTEGER NOT NULL DEFAULT 0,
  idle_off_ms INTEGER NOT NULL DEFAULT 0,
  asleep_ms INTEGER NOT NULL DEFAULT 0,
  off_ms INTEGER NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  waste_wh REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (${time}, group_id, device_class)
) WITHOUT ROWID;`;
}

/**
 * Triggers that keep `fleet` equal to the per-device `source` rollups summed per (group, class):
 * a device's rows move along when its group or effective class changes; deleted rows (an erasure)
 * are subtracted; a deleted device takes its rows out first (its rollups then go by cascade, when
 * the device row no longer exists, so they are not subtracted twice). Rows left with no time at all
 * are removed. Ingest and the energy recompute write `fleet` themselves (batched), not by trigger.
 */
function fleetTriggers(source: string, fleet: string, time: string): string {
  const key = `(${time}, group_id, device_class)`;
  const moveOut = (d: 'OLD' | 'NEW', sign: '' | '-', id: string) => `
  INSERT INTO ${fleet} (${time}, group_id, device_class, ${COLS})
    SELECT r.${time}, ${d}.group_id, ${CLASS_OF(d)}, ${signedCols('r', sign)}
    FROM ${source} r WHERE r.device_id = ${id}
    ON CONFLICT ${key} DO UPDATE SET ${ADD};`;
  const cleanup = (id: string) => `
  DELETE FROM ${fleet} WHERE ${time} IN (SELECT ${time} FROM ${source} WHERE device_id = ${id})
    AND group_id = OLD.group_id AND device_class = ${CLASS_OF('OLD')} AND ${ALL_ZERO};`;
  return `
CREATE TRIGGER ${source}_fleet_move AFTER UPDATE OF group_id, device_class, detected_class ON devices
WHEN OLD.group_id IS NOT NEW.group_id OR ${CLASS_OF('OLD')} IS NOT ${CLASS_OF('NEW')}
BEGIN${moveOut('OLD', '-', 'NEW.id')}${moveOut('NEW', '', 'NEW.id')}${cleanup('NEW.id')}
END;
CREATE TRIGGER ${source}_fleet_device_delete BEFORE DELETE ON devices
BEGIN${moveOut('OLD', '-', 'OLD.id')}${cleanup('OLD.id')}
END;
CREATE TRIGGER ${source}_fleet_delete AFTER DELETE ON ${source}
BEGIN
  INSERT INTO ${fleet} (${time}, group_id, device_class, ${COLS})
    SELECT OLD.${time}, d.group_id, ${CLASS_OF('d')}, ${signedCols('OLD', '-')}
    FROM devices d WHERE d.id = OLD.device_id
    ON CONFLICT ${key} DO UPDATE SET ${ADD};
  DELETE FROM ${fleet} WHERE ${time} = OLD.${time} AND ${ALL_ZERO}
    AND (group_id, device_class) IN (SELECT d.group_id, ${CLASS_OF('d')} FROM devices d WHERE d.id = OLD.device_id);
END;`;
}

/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds how many have run, so a newer
 * console opens an older database and brings it up to date; never edit a migration that shipped,
 * append a new one. SQL is kept close to what PostgreSQL also accepts.
 */
export const MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: 'core schema',
    sql: `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'it', 'viewer')),
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE TABLE policies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE groups (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES groups(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  time_zone TEXT,
  excluded_reason TEXT,
  policy_id INTEGER REFERENCES policies(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE enroll_secrets (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL UNIQUE,
  note TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
);
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  install_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  group_id INTEGER NOT NULL REFERENCES groups(id),
  hostname TEXT NOT NULL,
  name TEXT,
  inventory TEXT NOT NULL,
  detected_class TEXT NOT NULL,
  class_review TEXT,
  device_class TEXT,
  desktop_preset TEXT,
  monitors TEXT,
  policy_id INTEGER REFERENCES policies(id),
  excluded_reason TEXT,
  agent_version TEXT,
  max_seq INTEGER NOT NULL DEFAULT 0,
  max_end INTEGER NOT NULL DEFAULT 0,
  enrolled_at INTEGER NOT NULL,
  last_seen INTEGER,
  policy_etag_sent TEXT,
  hello_etag TEXT,
  hello_at INTEGER,
  status_ok INTEGER,
  status_applied TEXT,
  status_errors TEXT,
  status_etag TEXT,
  status_at INTEGER,
  blockers TEXT,
  blockers_at INTEGER
);
CREATE INDEX devices_group ON devices(group_id);
CREATE TABLE intervals (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  state TEXT NOT NULL,
  display TEXT,
  power TEXT,
  PRIMARY KEY (device_id, start)
) WITHOUT ROWID;
CREATE TABLE rollup_hour (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  hour INTEGER NOT NULL,
  active_ms INTEGER NOT NULL DEFAULT 0,
  idle_on_ms INTEGER NOT NULL DEFAULT 0,
  idle_off_ms INTEGER NOT NULL DEFAULT 0,
  asleep_ms INTEGER NOT NULL DEFAULT 0,
  off_ms INTEGER NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  waste_wh REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, hour)
) WITHOUT ROWID;
CREATE INDEX rollup_hour_hour ON rollup_hour(hour);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    name: 'daily rollups and agent counters',
    sql: `
CREATE TABLE rollup_day (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  active_ms INTEGER NOT NULL DEFAULT 0,
  idle_on_ms INTEGER NOT NULL DEFAULT 0,
  idle_off_ms INTEGER NOT NULL DEFAULT 0,
  asleep_ms INTEGER NOT NULL DEFAULT 0,
  off_ms INTEGER NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  waste_wh REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, day)
) WITHOUT ROWID;
CREATE INDEX rollup_day_day ON rollup_day(day);
INSERT INTO rollup_day (device_id, day, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh)
  SELECT device_id, (hour / 86400000) * 86400000, SUM(active_ms), SUM(idle_on_ms), SUM(idle_off_ms),
         SUM(asleep_ms), SUM(off_ms), SUM(energy_wh), SUM(waste_wh)
  FROM rollup_hour GROUP BY device_id, (hour / 86400000) * 86400000;
ALTER TABLE devices ADD COLUMN counters TEXT;
ALTER TABLE devices ADD COLUMN counters_at INTEGER;
`,
  },
  {
    // usage reads rollups along the primary key (device, time); the time-only indexes cost every
    // ingest an extra b-tree write and made the planner pick slow lookups
    name: 'drop time-only rollup indexes',
    sql: `
DROP INDEX IF EXISTS rollup_hour_hour;
DROP INDEX IF EXISTS rollup_day_day;
`,
  },
  {
    // fleet-level rollups per direct group and effective device class, so usage over a whole school
    // board reads (groups x classes) rows per hour or day instead of one per device. Ingest adds to
    // them in its own transaction (store/sqlite.ts); the triggers keep them equal to the sum of the
    // per-device rollups whatever else changes the devices or deletes rollups (a device moving group
    // or class, an AVG erasure, a device row deleted with its rollups by cascade).
    name: 'fleet rollups per group and device class',
    sql: `
${fleetTables('fleet_hour', 'hour')}
${fleetTables('fleet_day', 'day')}
INSERT INTO fleet_hour (hour, group_id, device_class, ${COLS})
  SELECT r.hour, d.group_id, COALESCE(d.device_class, d.detected_class), ${sumCols('r')}
  FROM rollup_hour r JOIN devices d ON d.id = r.device_id
  GROUP BY r.hour, d.group_id, COALESCE(d.device_class, d.detected_class);
INSERT INTO fleet_day (day, group_id, device_class, ${COLS})
  SELECT r.day, d.group_id, COALESCE(d.device_class, d.detected_class), ${sumCols('r')}
  FROM rollup_day r JOIN devices d ON d.id = r.device_id
  GROUP BY r.day, d.group_id, COALESCE(d.device_class, d.detected_class);
${fleetTriggers('rollup_hour', 'fleet_hour', 'hour')}
${fleetTriggers('rollup_day', 'fleet_day', 'day')}
`,
  },
  {
    // devices whose stored energy is being recomputed after a correction (store/recompute.ts); kept in
    // the database so a restart resumes the work; gen counts requests so a newer one is not lost
    name: 'energy recompute queue',
    sql: `
CREATE TABLE energy_recompute (
  device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  gen INTEGER NOT NULL
);
`,
  },
  {
    // the whole fleet per UTC hour: hour-of-week and local-day boundaries for the whole board read one
    // row per hour instead of one per group and class (when all groups share one time zone). Group
    // and class moves leave it unchanged; erasures and deleted devices are subtracted by trigger.
    name: 'board-wide hourly rollup',
    sql: `
CREATE TABLE board_hour (
  hour INTEGER PRIMARY KEY,
  active_ms INTEGER NOT NULL DEFAULT 0,
  idle_on_ms INTEGER NOT NULL DEFAULT 0,
  idle_off_ms INTEGER NOT NULL DEFAULT 0,
  asleep_ms INTEGER NOT NULL DEFAULT 0,
  off_ms INTEGER NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  waste_wh REAL NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO board_hour (hour, ${COLS}) SELECT hour, ${sumCols('f')} FROM fleet_hour f GROUP BY hour;
CREATE TRIGGER rollup_hour_board_device_delete BEFORE DELETE ON devices
BEGIN
  INSERT INTO board_hour (hour, ${COLS})
    SELECT r.hour, ${signedCols('r', '-')} FROM rollup_hour r WHERE r.device_id = OLD.id
    ON CONFLICT (hour) DO UPDATE SET ${ADD};
END;
CREATE TRIGGER rollup_hour_board_delete AFTER DELETE ON rollup_hour
BEGIN
  INSERT INTO board_hour (hour, ${COLS})
    SELECT OLD.hour, ${signedCols('OLD', '-')} FROM devices d WHERE d.id = OLD.device_id
    ON CONFLICT (hour) DO UPDATE SET ${ADD};
END;
`,
  },
  {
    // IF NOT EXISTS: consoles from before this migration created both tables at start-up
    name: 'audit log and device retirements',
    sql: `
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER,
  username TEXT,
  role TEXT,
  via TEXT,
  ip TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  target_id INTEGER,
  status INTEGER NOT NULL,
  details TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
CREATE TABLE IF NOT EXISTS device_retirements (
  device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  retired_at INTEGER NOT NULL,
  reason TEXT
);
`,
  },
  {
    // API tokens expire (docs/security.md). Tokens made before this get 90 days from the upgrade,
    // so scripts that use them keep working for a while and show up as expiring in Settings.
    name: 'api token expiry',
    sql: `
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
UPDATE api_tokens SET expires_at = MAX(created_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000) + 7776000000
  WHERE expires_at IS NULL;
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_id);
`,
  },
  {
    // limits against abuse (docs/security.md): an enroll secret may carry a device limit, so each
    // device remembers the secret it enrolled with (the count a limit is checked against). A seq above
    // 2^31 − 1 is invalid from now on; a device that had one stored (acked before this check existed)
    // could never report again (every seq a duplicate), so its numbering starts over from 0: the
    // agent continues above welcome.ackedSeq, and a resent old report is refused by the overlap check.
    name: 'enroll secret device limit; seq repair',
    sql: `
ALTER TABLE enroll_secrets ADD COLUMN device_limit INTEGER;
ALTER TABLE devices ADD COLUMN enroll_secret_id INTEGER REFERENCES enroll_secrets(id) ON DELETE SET NULL;
CREATE INDEX devices_enroll_secret ON devices(enroll_secret_id);
UPDATE devices SET max_seq = 0 WHERE max_seq > 2147483647;
`,
  },
  {
    // issue 11: one battery reading per device and calendar month (UTC), the latest of that month,
    // for the health trend and its projection; the latest full inventory stays in devices.inventory.
    // Retention (docs/privacy.md): 96 months per device, and gone with the device.
    name: 'battery readings per month',
    sql: `
CREATE TABLE battery_readings (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  month TEXT NOT NULL,
  health_pct REAL NOT NULL,
  cycle_count INTEGER,
  at INTEGER NOT NULL,
  PRIMARY KEY (device_id, month)
) WITHOUT ROWID;
`,
  },
  {
    // issue 10: a school's own calendar (school hours, region, vacations, holidays, study days) as one
    // validated JSON document per school group (SchoolCalendarSchema); gone with the group.
    name: 'school calendars',
    sql: `
CREATE TABLE school_calendars (
  group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
  calendar TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    // issue 10: which policy governed a group (or a device with its own policy) from when, recorded by
    // the console whenever the effective policy changes, so before/after has its change dates. Rows
    // outlive deleted groups and policies on purpose (the history stays true); `first_record` marks the
    // state found when recording began (its real start is unknown).
    name: 'policy history',
    sql: `
CREATE TABLE policy_history (
  id INTEGER PRIMARY KEY,
  group_id INTEGER,
  device_id INTEGER,
  policy_id INTEGER,
  policy_name TEXT,
  audit_only INTEGER NOT NULL,
  excluded_reason TEXT,
  settings TEXT NOT NULL,
  etag TEXT NOT NULL,
  at INTEGER NOT NULL,
  first_record INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX policy_history_group ON policy_history(group_id, at);
CREATE INDEX policy_history_device ON policy_history(device_id, at);
`,
  },
];

/** Brings the database up to `target` migrations (default: all). Returns the version reached. */
export function migrate(db: Database.Database, target = MIGRATIONS.length): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `De database heeft schemaversie ${current}, nieuwer dan deze console (${MIGRATIONS.length}); werk de console bij. / ` +
        `The database has schema version ${current}, newer than this console (${MIGRATIONS.length}); upgrade the console.`,
    );
  }
  for (let v = current; v < target; v++) {
    const m = MIGRATIONS[v]!;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return Math.max(current, target);
}
