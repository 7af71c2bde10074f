import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.js';
import { LimitReachedError, SqliteStore } from './sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** the migration of this change, found by name (other migrations may be ordered before it on merge) */
const LIMITS_MIGRATION = MIGRATIONS.findIndex((m) => m.name === 'enroll secret device limit; seq repair');

describe('the enroll-limit and seq-repair migration', () => {
  it('gives a device broken by a huge stored seq its numbering back, leaves sane ones alone', async () => {
    expect(LIMITS_MIGRATION).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-migration-test-'));
    dirs.push(dir);
    const old = new SqliteStore({ dataDir: dir, migrateTo: LIMITS_MIGRATION });
    old.db.exec(`
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0);
      INSERT INTO enroll_secrets (id, group_id, secret_hash, created_at) VALUES (3, 1, 'secret-hash', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, enrolled_at, max_seq)
        VALUES (7, 'install-7', 'hash-7', 1, 'pc-7', '{}', 'desktop', 0, 9007199254740991),
               (8, 'install-8', 'hash-8', 1, 'pc-8', '{}', 'desktop', 0, 2147483647);
    `);
    await old.close();

    const store = new SqliteStore({ dataDir: dir });
    expect((await store.getDevice(7))?.maxSeq).toBe(0);
    expect((await store.getDevice(8))?.maxSeq).toBe(2147483647);
    // secrets from before have no limit and count no devices (their devices were not recorded)
    expect(await store.listEnrollSecrets(1)).toEqual([
      expect.objectContaining({ id: 3, deviceLimit: null, devicesEnrolled: 0 }),
    ]);
    const enroll = (installId: string) =>
      store.enrollDevice({
        secret: { id: 3, deviceLimit: 1 },
        installId,
        tokenHash: `t-${installId}`,
        groupId: 1,
        hostname: installId,
        inventory: {},
        detectedClass: 'desktop',
        now: 1,
      });
    await enroll('install-new-1');
    await expect(enroll('install-new-2')).rejects.toBeInstanceOf(LimitReachedError);
    expect((await store.listEnrollSecrets(1))[0]?.devicesEnrolled).toBe(1);
    await store.close();
  });
});
