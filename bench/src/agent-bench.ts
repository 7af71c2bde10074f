import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsoleClient, idOf, sleep } from '@sluimer/scripts/fleet';
import { cpuSeconds, REPO_ROOT, rssBytes, startConsoleProcess, writeBytes } from './proc.js';

/**
 * `npm run bench:agent`: the agent service's footprint on a device. Runs, side by side for the
 * same window: the agent with the simulated platform, the agent with the real Linux adapter inside
 * a throw-away Xvfb + D-Bus session (when Xvfb is installed), and a bare
 * `node -e "setInterval(()=>{},1000)"` as the yardstick, all connected to a console process.
 */

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '20' },
    out: { type: 'string' },
    'no-linux': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const log = (msg: string) =>
  process.stderr.write(`[bench:agent ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Context switches of every thread of a process: each one is a wake-up or a preemption. */
function wakeups(pid: number): number {
  let n = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      n += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      n += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      // thread ended
    }
  }
  return n;
}

/** logind inhibitor locks are file descriptors on /run/systemd/inhibit/*.ref: list any the process holds. */
function inhibitorFds(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.includes('/run/systemd/inhibit')) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function systemInhibitors(): string {
  try {
    return execFileSync('systemd-inhibit', ['--list', '--no-pager', '--no-legend'], { timeout: 5000 })
      .toString()
      .trim();
  } catch (err) {
    return `not available here (${(err as Error).message.split('\n')[0]})`;
  }
}

interface Subject {
  name: string;
  child: ChildProcess;
  output: () => string;
}

const spawned: ChildProcess[] = [];
function spawnSubject(name: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Subject {
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, child, output: () => out };
}

interface Snapshot {
  cpu: number;
  wake: number;
  writes: number;
  rss: number;
}
function snap(pid: number): Snapshot {
  return { cpu: cpuSeconds(pid), wake: wakeups(pid), writes: writeBytes(pid), rss: rssBytes(pid) };
}

async function main() {
  const results: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      loadavgAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
    },
    minutes: MINUTES,
  };
  const root = mkdtempSync(join(tmpdir(), 'sluimer-agent-bench-'));
  const children: ChildProcess[] = [];
  // bounded: warm-up + window + 3 min for start and stop, then everything is killed
  const hardStop = setTimeout(
    () => {
      log('time limit reached; stopping');
      for (const c of [...children, ...spawned]) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(2);
    },
    (MINUTES + 3) * 60_000 + Number(args['warmup-seconds']) * 1000,
  );
  hardStop.unref();
  const password = 'agent-bench-password';
  const consoleProc = await startConsoleProcess({ dataDir: join(root, 'console'), adminPassword: password });
  children.push(consoleProc.child);
  const subjects: Subject[] = [];
  let session: { env: NodeJS.ProcessEnv; stop(): Promise<void> } | undefined;
  try {
    const api = new ConsoleClient(consoleProc.url);
    await api.login('admin', password);
    const group = idOf(await api.post('/api/v1/groups', { name: 'Agent bench', kind: 'school' }));
    const { secret } = await api.post<{ secret: string }>(`/api/v1/groups/${group}/enroll-secrets`);
    const agentArgs = (data: string, simulate: boolean) => [
      `${REPO_ROOT}agent/bin/sluimer-agent.js`,
      'run',
      '--server',
      consoleProc.url,
      '--data',
      join(root, data),
      '--log-level',
      'warn',
      ...(simulate ? ['--simulate'] : []),
    ];
    const env = { ...process.env, SLUIMER_ENROLL_SECRET: secret };
    subjects.push(spawnSubject('bare node', ['-e', 'setInterval(()=>{},1000)']));
    subjects.push(spawnSubject('agent (simulated platform)', agentArgs('sim', true), env));
    if (!args['no-linux'] && existsSync('/usr/bin/Xvfb')) {
      try {
        // the agent's own throw-away session helper (Xvfb + private dbus-daemon + private dconf)
        const modPath = `${REPO_ROOT}agent/dist/platform/linux/session-env.js`;
        const mod = (await import(modPath)) as {
          startTestSession(o?: { x11?: boolean }): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<void> }>;
        };
        session = await mod.startTestSession({ x11: true });
        subjects.push(
          spawnSubject('agent (Linux adapter, Xvfb)', agentArgs('linux', false), { ...session.env, ...env }),
        );
      } catch (err) {
        results.linuxSkipped = (err as Error).message;
        log(`Linux adapter run skipped: ${(err as Error).message}`);
      }
    } else {
      results.linuxSkipped = 'Xvfb not installed or --no-linux';
    }
    log(`warm-up ${args['warmup-seconds']} s, then measuring ${MINUTES} min`);
    await sleep(Number(args['warmup-seconds']) * 1000);
    for (const s of subjects) {
      if (s.child.exitCode !== null) throw new Error(`${s.name} exited early:\n${s.output()}`);
    }
    const start = new Map(subjects.map((s) => [s, snap(s.child.pid as number)]));
    const t0 = performance.now();
    const rssSamples = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
    while (performance.now() - t0 < MINUTES * 60_000) {
      await sleep(5000);
      for (const s of subjects) {
        if (s.child.exitCode === null) rssSamples.get(s)?.push(rssBytes(s.child.pid as number));
      }
    }
    const hours = (performance.now() - t0) / 3_600_000;
    const rows: Record<string, unknown>[] = [];
    for (const s of subjects) {
      const pid = s.child.pid as number;
      if (s.child.exitCode !== null) {
        rows.push({
          name: s.name,
          error: `exited with ${s.child.exitCode}`,
          output: s.output().slice(-2000),
        });
        continue;
      }
      const a = start.get(s) as Snapshot;
      const b = snap(pid);
      const samples = rssSamples.get(s) ?? [];
      rows.push({
        name: s.name,
        rssMb: Math.round((b.rss / 1024 / 1024) * 10) / 10,
        rssMaxMb: Math.round((Math.max(...samples) / 1024 / 1024) * 10) / 10,
        cpuSecPerHour: Math.round(((b.cpu - a.cpu) / hours) * 10) / 10,
        wakeupsPerMin: Math.round((b.wake - a.wake) / (hours * 60)),
        diskWritesKbPerHour: Math.round((b.writes - a.writes) / 1024 / hours),
        inhibitorFds: inhibitorFds(pid),
      });
    }
    const bare = rows.find((r) => r.name === 'bare node') as { rssMb: number } | undefined;
    for (const r of rows)
      if (bare && typeof r.rssMb === 'number') r.rssVsBare = Math.round((r.rssMb / bare.rssMb) * 100) / 100;
    results.processes = rows;
    results.systemInhibitors = systemInhibitors();
    results.loadavgAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
    const devices = await api.get<{ id: number; hostname: string; online: boolean }[]>('/api/v1/devices');
    results.devicesOnline = devices.filter((d) => d.online).length;
  } finally {
    for (const s of subjects) {
      if (s.child.exitCode === null) {
        s.child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            s.child.kill('SIGKILL');
            r(undefined);
          }, 5000);
          s.child.once('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
    }
    await session?.stop().catch(() => undefined);
    await consoleProc.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const json = JSON.stringify(results, null, 2);
  process.stdout.write(`${json}\n`);
  if (args.out) writeFileSync(args.out, `${json}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
