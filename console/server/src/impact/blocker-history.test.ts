import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../store/migrations.js';
import { SqliteStore } from '../store/sqlite.js';
import { blockerHistoryLimitation } from './blocker-history.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the blocker-history limitation', () => {
  const began = Date.UTC(2026, 10, 16, 9); // Monday 16 November 2026, 10:00 in Amsterdam

  it('is dropped for a period that starts when the history began or later', () => {
    expect(blockerHistoryLimitation(began, began)).toBeUndefined();
    expect(blockerHistoryLimitation(began + DAY_MS, began)).toBeUndefined();
    expect(blockerHistoryLimitation(began, 0)).toBeUndefined();
  });

  it('stays, with the day the history began, for a period that starts before it', () => {
    const l = blockerHistoryLimitation(began - 7 * DAY_MS, began);
    expect(l?.code).toBe('blocker_history_not_recorded');
    expect(l?.message).toContain('ma 16 nov 2026');
    expect(l?.message).toContain('Mon, 16 Nov 2026');
  });

  it('begins at the upgrade for a console that already had reports, and at 0 for a new one', async () => {
    const step = MIGRATIONS.findIndex((m) => m.name === 'blocker and policy status history');
    expect(step).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-blocker-history-'));
    dirs.push(dir);
    const old = new SqliteStore({ dataDir: dir, migrateTo: step });
    old.db.exec(`
      INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'School', 'school', 0);
      INSERT INTO devices (id, install_id, token_hash, group_id, hostname, inventory, detected_class, enrolled_at)
        VALUES (7, 'install-7', 'hash-7', 1, 'pc-7', '{}', 'desktop', 0);
      INSERT INTO intervals (device_id, start, "end", state) VALUES (7, 1000, 2000, 'active');
    `);
    await old.close();
    const before = Date.now();
    const upgraded = new SqliteStore({ dataDir: dir });
    const from = await upgraded.blockerHistoryFrom();
    expect(await upgraded.policyStatusHistoryFrom()).toBe(from);
    await upgraded.close();
    expect(from).toBeGreaterThanOrEqual(before - 1000);
    expect(from).toBeLessThanOrEqual(Date.now() + 1000);
    const fresh = new SqliteStore({ dataDir: ':memory:' });
    expect(await fresh.blockerHistoryFrom()).toBe(0);
    await fresh.close();
  });
});
