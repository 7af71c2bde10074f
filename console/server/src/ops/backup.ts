import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/migrations.js';
import { DB_FILE } from '../store/sqlite.js';
import { createPrivateFile, DATA_FILE_MODE, secureDataDir } from './file-modes.js';

/**
 * Online backup and restore of the console database (docs/reliability.md).
 *
 * `backup` uses SQLite's online backup API through its own connection, so it works while the console
 * runs and agents report: the copy is one consistent moment (every report in it complete, with the
 * seq that goes with it). The copy is written next to the target and renamed into place when it is
 * complete and passes `PRAGMA integrity_check`.
 *
 * `restore` needs the console stopped: it checks the backup, keeps the current database aside as
 * `<file>.before-restore-<time>` and puts the backup in its place. Agents keep numbering above what
 * they sent, so new reports are stored; reports the console acknowledged between the backup and the
 * restore are gone from the agents' outboxes, so those intervals are lost: back up often.
 */
export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
  schemaVersion: number;
}

function check(db: Database.Database, what: string): number {
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw new Error(`${what} is beschadigd / is damaged: ${String(integrity)}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < 1 || version > MIGRATIONS.length) {
    throw new Error(
      `${what} heeft schemaversie ${version}; deze console kent 1–${MIGRATIONS.length} / ` +
        `${what} has schema version ${version}; this console knows 1–${MIGRATIONS.length}`,
    );
  }
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'devices'").get();
  if (!tables) throw new Error(`${what} is geen Sluimer-database / is not a Sluimer database`);
  return version;
}

export async function backupDatabase(dataDir: string, target: string): Promise<BackupResult> {
  const source = join(resolve(dataDir), DB_FILE);
  if (!existsSync(source)) {
    throw new Error(`Geen database in / no database in ${dataDir} (${DB_FILE}); check SLUIMER_DATA`);
  }
  const out = resolve(target);
  if (out === source) throw new Error('Het doel is de database zelf / the target is the database itself');
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  // a backup holds the same password and token hashes as the database: 0600 from the first byte
  createPrivateFile(partial);
  const started = Date.now();
  const db = new Database(source, { fileMustExist: true });
  let pages = 0;
  try {
    db.pragma('busy_timeout = 5000');
    // a few hundred pages per step, so the console's writers keep going between steps
    await db.backup(partial, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return 200;
      },
    });
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  let schemaVersion: number;
  try {
    schemaVersion = check(copy, 'De back-up / the backup');
    copy.pragma('journal_mode = DELETE');
  } catch (err) {
    copy.close();
    rmSync(partial, { force: true });
    throw err;
  }
  copy.close();
  if (process.platform !== 'win32') chmodSync(partial, DATA_FILE_MODE);
  renameSync(partial, out);
  return { file: out, bytes: statSync(out).size, pages, ms: Date.now() - started, schemaVersion };
}

/** Puts a backup in place of the database in `dataDir`. The console must be stopped. */
export function restoreDatabase(
  dataDir: string,
  backup: string,
  now = Date.now(),
): { file: string; keptAs: string | null } {
  const from = resolve(backup);
  if (!existsSync(from)) throw new Error(`Back-up niet gevonden / backup not found: ${from}`);
  const probe = new Database(from, { readonly: true, fileMustExist: true });
  try {
    check(probe, 'De back-up / the backup');
  } finally {
    probe.close();
  }
  const dir = resolve(dataDir);
  secureDataDir(dir, DB_FILE);
  const dbFile = join(dir, DB_FILE);
  let keptAs: string | null = null;
  if (existsSync(dbFile)) {
    // the running console holds the file open; fold its WAL in first so the kept copy is whole
    const current = new Database(dbFile, { fileMustExist: true });
    try {
      current.pragma('busy_timeout = 2000');
      current.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      current.close();
    }
    keptAs = `${dbFile}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dbFile, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  const tmp = `${dbFile}.restoring`;
  copyFileSync(from, tmp);
  if (process.platform !== 'win32') chmodSync(tmp, DATA_FILE_MODE);
  renameSync(tmp, dbFile);
  return { file: dbFile, keptAs };
}

/** `sluimer-console backup <file>` and `sluimer-console restore <file>`; returns the exit code. */
export async function backupCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: { write(text: string): unknown },
  err: { write(text: string): unknown },
): Promise<number> {
  const [cmd, file, ...rest] = argv;
  if (!file || rest.length) {
    err.write(
      `Gebruik / usage: sluimer-console ${cmd} <bestand/file>   (database in SLUIMER_DATA, default ./data)\n`,
    );
    return 2;
  }
  const dataDir = resolve(env.SLUIMER_DATA || './data');
  try {
    if (cmd === 'backup') {
      const r = await backupDatabase(dataDir, file);
      out.write(
        `Back-up gemaakt / backup written: ${r.file} (${r.bytes} bytes, schema ${r.schemaVersion}, ${r.ms} ms)\n`,
      );
    } else {
      const r = restoreDatabase(dataDir, file);
      out.write(
        `Teruggezet / restored: ${r.file}${r.keptAs ? `; vorige database bewaard als / previous database kept as ${r.keptAs}` : ''}\n` +
          'Start de console opnieuw / start the console again.\n',
      );
    }
    return 0;
  } catch (e) {
    err.write(`${cmd} mislukt / failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
