import { DAY_MS } from '@sluimer/shared';
import type { Store } from '../store/types.js';
import type { AuditLog } from './audit.js';

/** audit entries are kept this long (at least as long as the raw-data retention) */
export const AUDIT_RETENTION_DAYS = 365;

/**
 * Housekeeping next to the console's hourly raw-interval pruning (index.ts): forgets audit entries
 * past their retention and lets the store tidy its storage (SQLite folds the WAL back into the
 * database file and truncates it, so the WAL does not keep the disk space of a busy day). Runs every
 * `everyMs` (default 15 min).
 */
export function startMaintenance(opts: {
  store: Store;
  audit: AuditLog;
  now: () => number;
  log: {
    info(obj: object, msg: string): void;
    debug(msg: string): void;
    error(obj: object, msg: string): void;
  };
  everyMs?: number;
}): { run(): Promise<void>; stop(): void } {
  const run = async () => {
    try {
      const settings = await opts.store.getSettings();
      const days = Math.max(AUDIT_RETENTION_DAYS, settings.rawRetentionDays);
      const removed = await opts.audit.prune(opts.now() - days * DAY_MS);
      if (removed) opts.log.info({ removed }, 'pruned audit entries past retention');
      const { postponed } = await opts.store.housekeeping();
      if (postponed) opts.log.debug('storage housekeeping postponed: readers busy');
    } catch (err) {
      opts.log.error({ err }, 'database maintenance failed');
    }
  };
  const timer = setInterval(run, opts.everyMs ?? 15 * 60_000);
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}

const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED)/;

/**
 * PostgreSQL's SQLSTATEs for the same trouble: 08 connection lost, 53 out of disk, memory or
 * connections, 57P0x server shutting down or starting, 25006 a read-only server (a standby).
 */
const POSTGRES_STATES = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-4]|25006)$/;

/** whether an error comes from the storage (disk full, read-only, I/O, database unreachable) rather than from the request */
export function isStorageError(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown } | null;
  const code = e?.code;
  if (typeof code !== 'string') return false;
  // the database server cannot be reached at all (refused, socket missing, timed out)
  if (e?.syscall === 'connect') return true;
  return STORAGE_CODES.test(code) || POSTGRES_STATES.test(code);
}
