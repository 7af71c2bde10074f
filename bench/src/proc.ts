import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root, from bench/dist or bench/src. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ConsoleProcess {
  url: string;
  port: number;
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far (for failure messages) */
  output(): string;
  /** SIGTERM and wait for exit */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit */
  kill(): Promise<void>;
}

/**
 * Runs the built console (`node console/bin/sluimer-console.js`) as its own process on 127.0.0.1
 * and resolves once it logs the address it listens on.
 */
export async function startConsoleProcess(opts: {
  dataDir: string;
  adminPassword: string;
  port?: number;
  logLevel?: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ConsoleProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [`${REPO_ROOT}console/bin/sluimer-console.js`, ...(opts.args ?? [])],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SLUIMER_PORT: String(port),
        SLUIMER_HOST: '127.0.0.1',
        SLUIMER_DATA: opts.dataDir,
        SLUIMER_ADMIN_PASSWORD: opts.adminPassword,
        SLUIMER_LOG_LEVEL: opts.logLevel ?? 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`console did not start within ${opts.timeoutMs ?? 20_000} ms:\n${out}`)),
      opts.timeoutMs ?? 20_000,
    );
    const poll = setInterval(async () => {
      try {
        const res = await fetch(`${url}/api/v1/health`);
        if (res.ok) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      } catch {
        // not up yet
      }
    }, 100);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`console exited with ${code} before it was up:\n${out}`));
    });
  });
  return {
    url,
    port,
    child,
    pid: child.pid as number,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; USER_HZ = 100). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Bytes a process has caused to be written to storage so far (Linux /proc/<pid>/io). */
export function writeBytes(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const m = /write_bytes:\s+(\d+)/.exec(io);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Voluntary + involuntary context switches: a proxy for wake-ups. */
export function contextSwitches(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const v = /voluntary_ctxt_switches:\s+(\d+)/.exec(status);
  const n = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status);
  return Number(v?.[1] ?? 0) + Number(n?.[1] ?? 0);
}

/**
 * Seconds the process's threads spent runnable but waiting for a CPU (Linux schedstat). On a shared
 * machine this shows how much of a phase was lost to other processes, not to the process itself.
 */
export function runQueueWaitSec(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/);
        ns += Number(wait ?? 0);
      } catch {
        // thread ended
      }
    }
  } catch {
    return Number.NaN;
  }
  return ns / 1e9;
}
