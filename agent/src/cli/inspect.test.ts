import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from './inspect.js';

const fixtures = new URL('../../fixtures/captured/', import.meta.url).pathname;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  return { out, err };
}

describe('sluimer-agent inspect', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the powercfg /q summary as JSON (CRLF input)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
    const file = join(dir, 'q.txt');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      file,
      readFileSync(`${fixtures}windows/windows-powercfg-q-custom-scheme.txt`, 'utf8').replace(/\n/g, '\r\n'),
    );
    const io = capture();
    expect(await command(['windows', 'powercfg-query', file])).toBe(0);
    expect(JSON.parse(io.out.join('\n'))).toEqual({
      sleepAfterSec: { ac: 0, battery: 0 },
      displayOffAfterSec: { ac: 0, battery: 600 },
      brightnessPct: { ac: 100, battery: 100 },
    });
  });

  it('prints blockers for requests, assertions and inhibit lists', async () => {
    const io = capture();
    expect(
      await command([
        'windows',
        'powercfg-requests',
        `${fixtures}windows/windows-powercfg-requests-usoworker.txt`,
      ]),
    ).toBe(0);
    expect(
      await command(['macos', 'pmset-assertions', `${fixtures}macos/macos-pmset-g-assertions-2025.txt`]),
    ).toBe(0);
    expect(
      await command(['linux', 'inhibit-list', `${fixtures}linux/linux-systemd-inhibit-list-gnome.txt`]),
    ).toBe(0);
    expect(
      await command(['macos', 'pmset-custom', `${fixtures}macos/macos-pmset-g-custom-macbook.txt`]),
    ).toBe(0);
    const docs = io.out.map((o) => JSON.parse(o));
    expect(docs[0].blockers[0].name).toBe('MoUsoCoreWorker.exe');
    expect(docs[1].blockers.map((b: { name: string }) => b.name)).toEqual(['caffeinate']);
    expect(docs[2].blockers.map((b: { name: string; mode: string }) => [b.name, b.mode])).toEqual([
      ['prevent-sleep', 'block'],
    ]);
    expect(docs[3].sleepAfterSec).toEqual({ ac: 0, battery: 60 });
    expect(Object.keys(docs[2])).toEqual(['blockers']);
    expect(
      await command(['linux', 'inhibit-list-all', `${fixtures}linux/linux-systemd-inhibit-list-gnome.txt`]),
    ).toBe(0);
    expect(JSON.parse(io.out.at(-1)!).inhibitors).toHaveLength(6);
  });

  it('exits 2 and lists the valid choices for an unknown os or command', async () => {
    const io = capture();
    expect(await command(['beos', 'x', 'y'])).toBe(2);
    expect(io.err.join('\n')).toMatch(/Unknown os "beos"\. Valid: windows, macos, linux/);
    expect(await command(['linux', 'powercfg-query', 'y'])).toBe(2);
    expect(io.err.join('\n')).toMatch(/Valid for linux: inhibit-list/);
    expect(await command([])).toBe(2);
  });

  it('says clearly when the file cannot be read', async () => {
    const io = capture();
    expect(await command(['linux', 'inhibit-list', '/nonexistent/capture.txt'])).toBe(1);
    expect(io.err.join('\n')).toBe('Cannot read "/nonexistent/capture.txt": the file does not exist.');
    expect(await command(['linux', 'inhibit-list', tmpdir()])).toBe(1);
    expect(io.err.at(-1)).toMatch(/it is a directory/);
  });
});
