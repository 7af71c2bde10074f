import type Database from 'better-sqlite3';

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
