import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './proc.js';

/**
 * A private PostgreSQL server for the benchmark's PostgreSQL mode: initdb in a temporary folder,
 * listening on loopback only, stopped and removed afterwards. Uses Debian's postgresql binaries
 * (/usr/lib/postgresql/<version>/bin) or those on PATH.
 */
export interface BenchPostgres {
  url: string;
  /** pid of the postmaster; its children are the backends */
  pid: number;
  stop(): void;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  throw new Error('PostgreSQL is not installed (initdb not found); apt-get install postgresql');
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'sluimer-bench-pg-'));
  const data = join(dir, 'data');
  // initdb refuses to run as root: run the server as the unprivileged `postgres` user when we are root
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length) execFileSync('chown', ['postgres', dir]);
  const run = (cmd: string, args: string[]) =>
    execFileSync(asUser[0] ?? cmd, asUser.length ? [...asUser.slice(1), cmd, ...args] : args, {
      stdio: 'pipe',
    });
  run(join(bin, 'initdb'), ['-D', data, '-U', 'sluimer', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // settings for a benchmark on one machine: enough connections for the console pools, fsync on
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB`,
    'start',
  ]);
  run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'sluimer', 'sluimer']);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://sluimer@127.0.0.1:${port}/sluimer`,
    pid,
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** CPU seconds used so far by the postmaster and its live children (backends, WAL writer, …) */
export function postgresCpuSeconds(postmaster: number): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (Number(name) === postmaster || ppid === postmaster)
        total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
