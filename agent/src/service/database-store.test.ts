import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentDatabase } from './agent-database.js';
import { DatabaseStore } from './database-store.js';
import { FileStore } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluimer-dbstore-'));
  dirs.push(d);
  return d;
};

describe('documents in the agent database', () => {
  it('keeps what was written across a restart, each name apart, and forgets a removed one', () => {
    const dir = tempDir();
    const db = AgentDatabase.open(join(dir, 'outbox.sqlite'));
    const store = new DatabaseStore(db, 'tray');
    store.write('totals', { '2026-12-03T08': { idleMs: 60_000 } });
    store.write('nudges', { shown: [] });
    store.remove('nudges');
    db.close();
    const again = new DatabaseStore(AgentDatabase.open(join(dir, 'outbox.sqlite')), 'tray');
    expect(again.read('totals')).toEqual({ '2026-12-03T08': { idleMs: 60_000 } });
    expect(again.read('nudges')).toBeNull();
    expect(
      new DatabaseStore(AgentDatabase.open(join(dir, 'outbox.sqlite')), 'other').read('totals'),
    ).toBeNull();
  });

  it('takes over the files an older agent wrote: read until written here, then the file is gone', () => {
    const dir = tempDir();
    const files = new FileStore(join(dir, 'tray'));
    files.write('totals', { old: 1 });
    files.write('summary', { kept: true });
    const store = new DatabaseStore(AgentDatabase.open(':memory:'), 'tray', files);
    expect(store.read('totals')).toEqual({ old: 1 });
    store.write('totals', { old: 1, now: 2 });
    expect(readdirSync(join(dir, 'tray'))).toEqual(['summary.json']);
    expect(store.read('totals')).toEqual({ old: 1, now: 2 });
    expect(store.read('summary')).toEqual({ kept: true });
  });

  it('writes an unchanged document no more than once', () => {
    const db = AgentDatabase.open(':memory:');
    const store = new DatabaseStore(db, 'tray');
    let writes = 0;
    const set = db.set.bind(db);
    db.set = (k, v) => {
      writes++;
      set(k, v);
    };
    store.write('nudges', { shown: [] });
    store.write('nudges', { shown: [] });
    store.write('nudges', { shown: [1] });
    expect(writes).toBe(2);
  });
});
