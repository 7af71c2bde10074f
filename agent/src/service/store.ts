import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, SluimerError } from '@sluimer/shared';
import Database from 'better-sqlite3';

/**
 * Small JSON documents in the data directory: the install id, the device token, the saved original
 * settings, the last policy. Written atomically (temp file, fsync, rename) with mode 0600, because
 * the device token is a credential. `MemoryStore` keeps them in memory (tests, fleet simulation).
 */
export interface KeyStore {
  read<T>(name: string): T | null;
  write(name: string, value: unknown): void;
  remove(name: string): void;
  /** where the documents live, for messages */
  readonly location: string;
}

export class FileStore implements KeyStore {
  /**
   * The text each document was last read or written with: a write of the same text is skipped, so a
   * caller that saves on every sample (the tray bridge's nudge state) costs no file write, fsync or
   * wake-up of the disk while nothing changed.
   */
  private readonly known = new Map<string, string>();

  constructor(readonly location: string) {
    mkdirSync(location, { recursive: true, mode: 0o700 });
    // also when it already existed (an older agent, an installer's umask): the device token lives here
    ownerOnly(location, 0o700);
    if (process.platform !== 'win32') {
      for (const f of readdirSync(location)) if (f.endsWith('.json')) ownerOnly(join(location, f), 0o600);
    }
  }

  read<T>(name: string): T | null {
    try {
      const text = readFileSync(join(this.location, `${name}.json`), 'utf8');
      const value = JSON.parse(text) as T;
      this.known.set(name, text);
      return value;
    } catch (err) {
      this.known.delete(name);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  write(name: string, value: unknown): void {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    if (this.known.get(name) === text) return;
    this.known.delete(name); // unknown until the rename below is done
    const file = join(this.location, `${name}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.known.set(name, text);
    try {
      const dir = openSync(this.location, 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // directories cannot be opened for fsync on Windows; the rename is still atomic there
    }
  }

  remove(name: string): void {
    this.known.delete(name);
    rmSync(join(this.location, `${name}.json`), { force: true });
  }
}

/** Unix modes; on Windows the folder's ACL applies (docs/deployment.md) and chmod changes nothing. */
function ownerOnly(path: string, mode: number): void {
  if (process.platform === 'win32') return;
  chmodSync(path, mode);
}

export class MemoryStore implements KeyStore {
  readonly location = 'memory';
  private readonly docs = new Map<string, string>();

  read<T>(name: string): T | null {
    const v = this.docs.get(name);
    return v === undefined ? null : (JSON.parse(v) as T);
  }

  write(name: string, value: unknown): void {
    this.docs.set(name, JSON.stringify(value));
  }

  remove(name: string): void {
    this.docs.delete(name);
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Makes sure only one agent uses a data dir: two trackers writing one outbox would report
 * overlapping intervals. An exclusive SQLite lock on `agent.lock`, held while the agent runs; the OS
 * releases it when the process dies, so a crash never leaves a stale lock behind.
 */
export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownerOnly(dir, 0o700);
  const db = new Database(join(dir, 'agent.lock'), { timeout: 0 });
  ownerOnly(join(dir, 'agent.lock'), 0o600);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new SluimerError(
        ErrorCode.Conflict,
        `Er draait al een Sluimer-agent met de gegevensmap ${dir}; stop die eerst of kies een andere --data. / Another Sluimer agent is already running with the data dir ${dir}; stop it first or use another --data.`,
        { dataDir: dir },
      );
    }
    throw err;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
