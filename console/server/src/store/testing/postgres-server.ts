import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';

/**
 * A private PostgreSQL server for tests: `initdb` in a temporary folder, listening only on a Unix
 * socket in that folder (no TCP port at all), stopped and removed by `stop()`. PostgreSQL refuses to
 * run as root, so when the tests run as root the server runs as the `postgres` user (or `nobody`)
 * and the folder is handed to that user.
 *
 * The server trades durability for speed (fsync off): it holds test data only.
 */
export interface PostgresServer {
  /** connection URL of the `postgres` maintenance database */
  readonly url: string;
  /** the socket folder (the URL's `host`) */
  readonly socketDir: string;
  /** a new empty database on this server; returns its URL */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** Where the PostgreSQL server binaries are: SLUIMER_PG_BIN, or Debian's newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(): string | undefined {
  const given = process.env.SLUIMER_PG_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? given : undefined;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** uid and gid of a local user, from /etc/passwd */
function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

let databases = 0;

/** Starts a private server; the caller stops it (afterAll). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'sluimer-pg-'));
  const data = join(dir, 'data');
  const runAs =
    process.getuid?.() === 0 ? (userIds('postgres') ?? userIds('nobody') ?? undefined) : undefined;
  if (process.getuid?.() === 0 && !runAs) throw new Error('running as root and no postgres or nobody user');
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chmodSync(dir, 0o700);
  }
  const as = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', PGTZ: 'UTC' };
  const run = (cmd: string, args: string[]) => {
    try {
      execFileSync(join(bin, cmd), args, { ...as, env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer };
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
      throw new Error(`${cmd} failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}\n${log}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions', '-N']);
  const options = [
    "-c listen_addresses=''",
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
    '-c shared_buffers=16MB',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], {
      ...as,
      env,
      stdio: 'ignore',
    });
    rmSync(dir, { recursive: true, force: true });
  };
  // a test run that dies still takes its server down
  process.once('exit', stopNow);
  const urlOf = (db: string) => `postgres://postgres@localhost/${db}?host=${encodeURIComponent(dir)}`;
  const url = urlOf('postgres');
  return {
    url,
    socketDir: dir,
    async createDatabase() {
      databases += 1;
      const name = `sluimer_test_${process.pid}_${databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop() {
      process.removeListener('exit', stopNow);
      stopNow();
    },
  };
}

const MISSING =
  'PostgreSQL server binaries not found (install Debian package postgresql, or set SLUIMER_PG_BIN to the folder with initdb)';

/**
 * `describe` for tests that need a PostgreSQL server. Without the binaries the suite is skipped with
 * the reason said, except in CI (`CI` set), where that is a failure: CI installs postgresql.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresBinDir()) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has a PostgreSQL server to run against', () => {
        throw new Error(`${MISSING}; CI must install it (.ci/apt-packages.txt)`);
      });
    });
  } else {
    describe.skip(`${name} — skipped: ${MISSING}`, body);
  }
}
