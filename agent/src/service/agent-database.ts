import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The service's one SQLite file (`outbox.sqlite`): the report queue (outbox.ts), the device's measuring
 * state (device-state.ts) and its clock bookkeeping (clock-record.ts) each keep their own rows here,
 * so that a report and the state that produced it commit in one transaction: an agent killed with
 * kill -9 loses neither and counts nothing twice (agent/README.md "What a killed agent can lose").
 */
export class AgentDatabase {
  private constructor(readonly sqlite: Database.Database) {}

  /** Opens (or creates) the file at `path`; `':memory:'` keeps it in memory (tests, fleet simulation). */
  static open(path: string): AgentDatabase {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    if (path !== ':memory:') {
      // device-level data only, but nobody else on the machine needs to read it (SQLite gives the
      // -wal/-shm files the same mode)
      chmodSync(path, 0o600);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // a few hundred KiB of reports at most: SQLite's default 2 MiB page cache is resident memory
      // the service does not need
      db.pragma('cache_size = -256');
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS reports (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        intervals INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    `);
    return new AgentDatabase(db);
  }

  /** a small durable value by key (the `meta` table) */
  get(k: string): string | undefined {
    const row = this.sqlite.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined;
    return row?.v;
  }

  set(k: string, v: string): void {
    this.sqlite
      .prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v')
      .run(k, v);
  }

  delete(k: string): void {
    this.sqlite.prepare('DELETE FROM meta WHERE k = ?').run(k);
  }

  /** Runs `fn` in one transaction (nested calls become savepoints): all of it is written, or none. */
  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  /**
   * Runs `fn` in one transaction whose commit is written to the WAL but not fsynced: for a write whose
   * loss in a power cut costs only a repetition. The next ordinary commit syncs the WAL, and this one
   * with it. Saves the device a disk flush (and its wake-up) at every report's ack.
   */
  transactionUnsynced<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return fn();
    this.sqlite.pragma('synchronous = NORMAL');
    try {
      return this.transaction(fn);
    } finally {
      this.sqlite.pragma('synchronous = FULL');
    }
  }

  close(): void {
    this.sqlite.close();
  }
}
