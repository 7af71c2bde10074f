import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Test doubles and the adapter contract suite sit beside the tests, never in dist; every test file and
// test double is still type-checked by `npm run lint` (tsc -b builds tsconfig.test.json as well).
const here = import.meta.dirname;
const tsc = path.join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc');

function listFiles(project: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [tsc, '-p', path.join(here, project), '--listFilesOnly'],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) =>
        err
          ? reject(err)
          : resolve(
              stdout
                .split('\n')
                .map((l) => path.relative(here, l.trim()))
                .filter((l) => l.startsWith('src')),
            ),
    ),
  );
}

function walk(dir: string): string[] {
  return readdirSync(path.join(here, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

const TEST_ONLY = [
  /\.test\.ts$/,
  /^src\/service\/fake-console\.ts$/,
  /^src\/platform\/windows\/fake-windows\.ts$/,
  /^src\/platform\/linux\/fake-sysfs\.ts$/,
  /^src\/platform\/contract\//,
];

describe('what is built and what is type-checked', { timeout: 120_000 }, () => {
  it('builds no test file, test double or contract suite into dist', async () => {
    const built = await listFiles('tsconfig.json');
    expect(built.length).toBeGreaterThan(50);
    expect(built.filter((f) => TEST_ONLY.some((r) => r.test(f)))).toEqual([]);
  });

  it('type-checks every test file and test double', async () => {
    const checked = new Set(await listFiles('tsconfig.test.json'));
    const missing = walk('src').filter((f) => TEST_ONLY.some((r) => r.test(f)) && !checked.has(f));
    expect(missing).toEqual([]);
  });
});
