import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from './store.js';

describe('FileStore', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-store-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  // every write is a new file renamed over the old one, so an unchanged inode means nothing was written
  const inode = (file: string) => statSync(file).ino;

  it('does not write a document again when its value did not change', () => {
    const dir = fresh();
    const store = new FileStore(dir);
    store.write('nudges', { shown: [] });
    const first = inode(join(dir, 'nudges.json'));
    store.write('nudges', { shown: [] });
    expect(inode(join(dir, 'nudges.json'))).toBe(first);
    store.write('nudges', { shown: [1] });
    expect(inode(join(dir, 'nudges.json'))).not.toBe(first);
    expect(store.read('nudges')).toEqual({ shown: [1] });
  });

  it('does not rewrite a document it read with the same value at start', () => {
    const dir = fresh();
    new FileStore(dir).write('totals', { a: 1 });
    const before = inode(join(dir, 'totals.json'));
    const store = new FileStore(dir);
    expect(store.read('totals')).toEqual({ a: 1 });
    store.write('totals', { a: 1 });
    expect(inode(join(dir, 'totals.json'))).toBe(before);
  });

  it('writes a removed document again even when the value is the same as before', () => {
    const dir = fresh();
    const store = new FileStore(dir);
    store.write('summary', { x: 1 });
    store.remove('summary');
    store.write('summary', { x: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual({ x: 1 });
  });
});
