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
import { startTestSession } from './x-session.js';

/**
 * `npm run bench:agent`: the agent service's footprint on a device. Runs, side by side for the
 * same window: the agent with the simulated platform, the agent with the real Linux adapter inside
 * a throw-away Xvfb + D-Bus session (when Xvfb is installed), and a bare
 * `node -e "setInterval(()=>{},1000)"` as the yardstick, all connected to a console process.
 *
 * Two windows of `--minutes` each: "idle" (nobody touches the session) and "in use" (real X input
 * with xdotool every `--input-every-ms`, so the session's idle time keeps resetting). Wake-ups are the
 * voluntary context switches of every thread of the agent and of every process it started that is
 * still running (a thread that blocks and is woken again switches once); involuntary switches
 * (preemption, which grows with the machine's load) are listed apart. Helpers that come and go are
 * counted by their CPU time (the agent's reaped children) and by how many were seen.
 */

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '20' },
    out: { type: 'string' },
    'no-linux': { type: 'boolean', default: false },
    'input-every-ms': { type: 'string', default: '3000' },
  },
});
const MINUTES = Number(args.minutes);
const log = (msg: string) =>
  process.stderr.write(`[bench:agent ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Context switches of every thread of a process: voluntary (a wake-up each) and involuntary (preempted). */
function switches(pid: number): { voluntary: number; involuntary: number } {
  const n = { voluntary: 0, involuntary: 0 };
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return n; // ended
  }
  for (const tid of tids) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      n.voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      n.involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      // thread ended
    }
  }
  return n;
}

/** Every process started by `pid`, at any depth, that is running now (from /proc/<n>/stat's ppid). */
function descendants(pid: number): { pid: number; name: string }[] {
  const parent = new Map<number, { ppid: number; name: string }>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(e), { ppid, name });
    } catch {
      // ended
    }
  }
  const out: { pid: number; name: string }[] = [];
  const walk = (p: number) => {
    for (const [child, info] of parent) {
      if (info.ppid === p) {
        out.push({ pid: child, name: info.name });
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** CPU seconds of the children a process has waited for (helpers that ran and ended). */
function reapedChildCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return Number.NaN;
  }
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
  childCpu: number;
  voluntary: number;
  involuntary: number;
  writes: number;
  rss: number;
  /** the agent and its running helpers, by pid */
  procs: Map<number, { name: string; voluntary: number; involuntary: number; cpu: number; rss: number }>;
}
function snap(pid: number): Snapshot {
  const procs: Snapshot['procs'] = new Map();
  for (const p of [{ pid, name: 'agent' }, ...descendants(pid)]) {
    try {
      procs.set(p.pid, { name: p.name, ...switches(p.pid), cpu: cpuSeconds(p.pid), rss: rssBytes(p.pid) });
    } catch {
      // ended meanwhile
    }
  }
  let voluntary = 0;
  let involuntary = 0;
  for (const p of procs.values()) {
    voluntary += p.voluntary;
    involuntary += p.involuntary;
  }
  return {
    cpu: [...procs.values()].reduce((a, p) => a + p.cpu, 0),
    childCpu: reapedChildCpu(pid),
    voluntary,
    involuntary,
    writes: writeBytes(pid),
    rss: [...procs.values()].reduce((a, p) => a + p.rss, 0),
    procs,
  };
}

/** Wake-ups between two snapshots over the processes alive in both (a helper that came later counts from its start). */
function delta(a: Snapshot, b: Snapshot) {
  let voluntary = 0;
  let involuntary = 0;
  let cpu = 0;
  for (const [pid, q] of b.procs) {
    const p = a.procs.get(pid) ?? { voluntary: 0, involuntary: 0, cpu: 0 };
    voluntary += q.voluntary - p.voluntary;
    involuntary += q.involuntary - p.involuntary;
    cpu += q.cpu - p.cpu;
  }
  return { voluntary, involuntary, cpu: cpu + (b.childCpu - a.childCpu) };
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
  // bounded: warm-up + both windows + 3 min for start and stop, then everything is killed
  const hardStop = setTimeout(
    () => {
      log('time limit reached; stopping');
      for (const c of [...children, ...spawned]) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(2);
    },
    (2 * MINUTES + 3) * 60_000 + Number(args['warmup-seconds']) * 1000,
  );
  hardStop.unref();
  const password = 'agent-bench-password';
  // a loaded machine can take long to start the console: that is not what is measured
  const consoleProc = await startConsoleProcess({
    dataDir: join(root, 'console'),
    adminPassword: password,
    timeoutMs: 120_000,
  });
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
        // a throw-away session (Xvfb + private dbus-daemon + private dconf), as the adapter's tests use
        session = await startTestSession({ x11: true });
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
    const phases: { name: 'idle' | 'in use'; input: boolean }[] = [
      { name: 'idle', input: false },
      ...(session ? [{ name: 'in use' as const, input: true }] : []),
    ];
    const phaseResults: Record<string, unknown> = {};
    for (const phase of phases) {
      const loadBefore = loadavg().map((n) => Math.round(n * 100) / 100);
      const start = new Map(subjects.map((s) => [s, snap(s.child.pid as number)]));
      const t0 = performance.now();
      const rssSamples = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
      const helpersSeen = new Map<Subject, Set<string>>(subjects.map((s) => [s, new Set()]));
      let inputs = 0;
      // real X input into the Linux agent's session: the idle counter resets at every event
      const input =
        phase.input && session
          ? setInterval(() => {
              const x = 10 + Math.floor(Math.random() * 900);
              const y = 10 + Math.floor(Math.random() * 700);
              spawn('xdotool', ['mousemove', String(x), String(y)], { env: session?.env, stdio: 'ignore' });
              inputs++;
            }, Number(args['input-every-ms']))
          : null;
      log(`${phase.name}: measuring ${MINUTES} min${phase.input ? ' with xdotool input' : ''}`);
      while (performance.now() - t0 < MINUTES * 60_000) {
        await sleep(5000);
        for (const s of subjects) {
          if (s.child.exitCode !== null) continue;
          rssSamples.get(s)?.push(rssBytes(s.child.pid as number));
          for (const d of descendants(s.child.pid as number)) helpersSeen.get(s)?.add(d.name);
        }
      }
      if (input) clearInterval(input);
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
        const d = delta(a, b);
        const samples = rssSamples.get(s) ?? [];
        rows.push({
          name: s.name,
          rssMb: Math.round((rssBytes(pid) / 1024 / 1024) * 10) / 10,
          rssMaxMb: Math.round((Math.max(...samples) / 1024 / 1024) * 10) / 10,
          // the agent and every helper it keeps running, with their RSS
          residentProcesses: [...b.procs.values()].map((p) => ({
            name: p.name,
            rssMb: Math.round((p.rss / 1024 / 1024) * 10) / 10,
          })),
          residentRssMb: Math.round((b.rss / 1024 / 1024) * 10) / 10,
          helpersSeen: [...(helpersSeen.get(s) ?? [])],
          cpuSecPerHour: Math.round((d.cpu / hours) * 10) / 10,
          wakeupsPerMin: Math.round((d.voluntary / (hours * 60)) * 10) / 10,
          preemptionsPerMin: Math.round((d.involuntary / (hours * 60)) * 10) / 10,
          diskWritesKbPerHour: Math.round((b.writes - a.writes) / 1024 / hours),
          inhibitorFds: inhibitorFds(pid),
        });
      }
      const bare = rows.find((r) => r.name === 'bare node') as { rssMb: number } | undefined;
      for (const r of rows)
        if (bare && typeof r.rssMb === 'number') r.rssVsBare = Math.round((r.rssMb / bare.rssMb) * 100) / 100;
      phaseResults[phase.name] = {
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg().map((n) => Math.round(n * 100) / 100),
        ...(phase.input ? { xdotoolInputs: inputs } : {}),
        processes: rows,
      };
    }
    results.phases = phaseResults;
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
