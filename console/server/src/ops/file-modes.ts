import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * File modes of what the console keeps on disk (docs/security.md, "Passwords and files at rest"):
 * the data folder 0700 and every file in it (the database, its -wal and -shm, copies kept by a
 * restore) 0600, so other accounts on the server cannot read password hashes, token hashes or
 * device data. Backups get 0600 too. On Windows modes mean little; the folder's ACL decides there.
 */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

const skip = process.platform === 'win32';

/** Creates a file that does not exist yet with mode 0600 (SQLite would make it 0644). */
export function createPrivateFile(path: string): void {
  if (skip) return;
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
}

/** Sets 0600 on a file that is more open than that; returns whether it changed anything. */
export function tightenFile(path: string): boolean {
  if (skip) return false;
  let mode: number;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return false;
    mode = st.mode & 0o777;
  } catch {
    return false;
  }
  if ((mode & 0o077) === 0) return false;
  chmodSync(path, DATA_FILE_MODE);
  return true;
}

/**
 * Creates the data folder with 0700, or tightens an existing one and the console's files directly
 * in it: those whose name starts with `filePrefix` (the database, -wal, -shm, kept copies). Files
 * of others that happen to share the folder are left alone; the folder at 0700 keeps other
 * accounts out of everything below it anyway. Returns what it changed, as `path: old → new` lines
 * for the log.
 */
export function secureDataDir(dir: string, filePrefix: string): string[] {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  if (skip) return [];
  const changed: string[] = [];
  const dirMode = lstatSync(dir).mode & 0o777;
  if (dirMode !== DATA_DIR_MODE) {
    chmodSync(dir, DATA_DIR_MODE);
    changed.push(`${dir}: ${octal(dirMode)} → ${octal(DATA_DIR_MODE)}`);
  }
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(filePrefix)) continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    const mode = st.mode & 0o777;
    if (st.isFile() && tightenFile(path)) changed.push(`${path}: ${octal(mode)} → ${octal(DATA_FILE_MODE)}`);
  }
  return changed;
}

const octal = (mode: number) => `0${mode.toString(8)}`;
