import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsole } from '../index.js';
import { DB_FILE, SqliteStore } from '../store/sqlite.js';
import { ADMIN_PASSWORD } from '../test-support.js';
import { backupDatabase, restoreDatabase } from './backup.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluimer-modes-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('file modes at rest', () => {
  it('creates the data folder 0700 and the database, -wal and -shm 0600, whatever the umask', async () => {
    const old = process.umask(0o022);
    try {
      const dir = join(tempDir(), 'data');
      const store = new SqliteStore({ dataDir: dir });
      await store.createUser({ username: 'a', passwordHash: 'x', role: 'admin', now: 1 });
      expect(mode(dir)).toBe(0o700);
      for (const f of ['', '-wal', '-shm']) expect(mode(join(dir, DB_FILE + f)), f || 'db').toBe(0o600);
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('tightens an existing folder and database on start and says so in the log, leaving other files alone', async () => {
    const dir = join(tempDir(), 'data');
    const first = new SqliteStore({ dataDir: dir });
    await first.close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, DB_FILE), 0o644);
    writeFileSync(join(dir, `${DB_FILE}.before-restore-2026`), 'old copy', { mode: 0o644 });
    writeFileSync(join(dir, 'README.txt'), 'not ours', { mode: 0o644 });
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const c = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      adminPassword: ADMIN_PASSWORD,
      logger,
      webDist: join(dir, 'no-web'),
    });
    try {
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, DB_FILE))).toBe(0o600);
      expect(mode(join(dir, `${DB_FILE}.before-restore-2026`))).toBe(0o600);
      expect(mode(join(dir, 'README.txt'))).toBe(0o644);
      const warning = lines.map((l) => JSON.parse(l)).find((l) => /modes tightened/.test(l.msg));
      expect(warning?.changed).toEqual([
        `${dir}: 0755 → 0700`,
        `${join(dir, DB_FILE)}: 0644 → 0600`,
        `${join(dir, `${DB_FILE}.before-restore-2026`)}: 0644 → 0600`,
      ]);
    } finally {
      await c.close();
    }
  });

  it('writes backups and restored databases 0600', async () => {
    const old = process.umask(0o022);
    try {
      const dir = join(tempDir(), 'data');
      const store = new SqliteStore({ dataDir: dir });
      await store.close();
      const backups = join(tempDir(), 'backups');
      mkdirSync(backups);
      const r = await backupDatabase(dir, join(backups, 'nightly.sqlite'));
      expect(mode(r.file)).toBe(0o600);
      const other = join(tempDir(), 'restored');
      const restored = restoreDatabase(other, r.file);
      expect(mode(other)).toBe(0o700);
      expect(mode(restored.file)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});
