import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './proc.js';
import { startTestSession } from './x-session.js';

/**
 * Measures the CPU cost of one idle reading on Linux, for each way the agent's Linux adapter can read
 * it (the adapter polls only where no idle events exist; see docs/benchmarks.md "Agent wake-ups"):
 *   npm run build && node bench/dist/linux-idle-cost.js [samples] [--current-session]
 * Counted: this process (process.cpuUsage), its waited-for children (/proc/self/stat cutime+cstime)
 * and the servers that answer (Xvfb, dbus-daemon) from /proc/<pid>/stat. Runs in its own Xvfb and
 * D-Bus session, or with `--current-session` in the caller's own (a real GNOME laptop: then the Mutter
 * row is the real IdleMonitor). Prints a table and JSON. Uses the built adapter (agent/dist).
 */

/** the parts of the built agent this tool drives (agent/dist is not a public entry point) */
interface IdleAdapter {
  idleMs(): Promise<unknown>;
  lastIdleSource: string;
  close(): Promise<void>;
}
type Runner = { run(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> };
const { LinuxAdapter } = (await import(`${REPO_ROOT}agent/dist/platform/linux/adapter.js`)) as {
  LinuxAdapter: new (o: { env: NodeJS.ProcessEnv; runner: Runner }) => IdleAdapter;
};
const { execFileRunner } = (await import(`${REPO_ROOT}agent/dist/platform/runner.js`)) as {
  execFileRunner: (o: { env: NodeJS.ProcessEnv }) => Runner;
};
const TICK_MS = 10; // CLK_TCK = 100 on Linux

function procTimesMs(pid: number | 'self'): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after "(comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14
  return {
    self: (Number(f[11]) + Number(f[12])) * TICK_MS,
    children: (Number(f[13]) + Number(f[14])) * TICK_MS,
  };
}

async function measure(
  name: string,
  samples: number,
  sample: () => Promise<unknown>,
  serverPids: number[],
): Promise<{
  method: string;
  samples: number;
  cpuMsPerSample: number;
  agentMs: number;
  childMs: number;
  serverMs: number;
  wallMsPerSample: number;
}> {
  for (let i = 0; i < 5; i++) await sample(); // warm up (connection setup, JIT)
  const cpu0 = process.cpuUsage();
  const ch0 = procTimesMs('self').children;
  const srv0 = serverPids.reduce((s, p) => s + procTimesMs(p).self, 0);
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) await sample();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const agentMs = (cpu.user + cpu.system) / 1000;
  const childMs = procTimesMs('self').children - ch0;
  const serverMs = serverPids.reduce((s, p) => s + procTimesMs(p).self, 0) - srv0;
  return {
    method: name,
    samples,
    cpuMsPerSample: Math.round(((agentMs + childMs + serverMs) / samples) * 1000) / 1000,
    agentMs: Math.round(agentMs),
    childMs,
    serverMs,
    wallMsPerSample: Math.round((wall / samples) * 1000) / 1000,
  };
}

async function main() {
  const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 300);
  const current = process.argv.includes('--current-session');
  const session = current
    ? { env: process.env, pids: {} as { xvfb?: number; dbus?: number }, stop: async () => {} }
    : await startTestSession();
  const servers = [session.pids.xvfb, session.pids.dbus].filter((p): p is number => typeof p === 'number');
  try {
    const runner = execFileRunner({ env: session.env });
    const x11 = new LinuxAdapter({ env: { ...session.env, DBUS_SESSION_BUS_ADDRESS: '' }, runner });
    const rows = [];
    rows.push(
      await measure(
        'X11 MIT-SCREEN-SAVER, persistent connection (adapter default without Mutter)',
        n,
        async () => {
          const v = await x11.idleMs();
          if (x11.lastIdleSource !== 'x11' || typeof v !== 'number') throw new Error('x11 path not taken');
        },
        servers,
      ),
    );
    // GNOME path: only where a real Mutter runs (a stand-in service would measure itself)
    const gnome = new LinuxAdapter({ env: session.env, runner });
    await gnome.idleMs();
    if (gnome.lastIdleSource === 'mutter')
      rows.push(
        await measure(
          'Mutter IdleMonitor over one persistent D-Bus connection',
          n,
          async () => {
            await gnome.idleMs();
            if (gnome.lastIdleSource !== 'mutter') throw new Error('mutter path not taken');
          },
          servers,
        ),
      );
    await gnome.close();
    rows.push(
      await measure(
        'xprintidle, one process per sample (fallback)',
        Math.min(n, 200),
        async () => {
          const r = await runner.run('xprintidle', []);
          if (r.code !== 0) throw new Error(r.stderr);
        },
        servers,
      ),
    );
    // Mutter is not available headless; a gdbus call of the same shape costs the same process start
    rows.push(
      await measure(
        'gdbus process per sample (what a naive Mutter call costs; here org.freedesktop.DBus.GetId)',
        Math.min(n, 200),
        async () => {
          const r = await runner.run('gdbus', [
            'call',
            '--session',
            '--dest',
            'org.freedesktop.DBus',
            '--object-path',
            '/org/freedesktop/DBus',
            '--method',
            'org.freedesktop.DBus.GetId',
          ]);
          if (r.code !== 0) throw new Error(r.stderr);
        },
        servers,
      ),
    );
    await x11.close();
    for (const r of rows)
      console.log(
        `${r.cpuMsPerSample.toFixed(3).padStart(8)} ms CPU/sample  (agent ${r.agentMs} ms, children ${r.childMs} ms, servers ${r.serverMs} ms over ${r.samples}; wall ${r.wallMsPerSample} ms)  ${r.method}`,
      );
    console.log(
      JSON.stringify(
        { cpuCount: (await import('node:os')).cpus().length, node: process.version, rows },
        null,
        2,
      ),
    );
  } finally {
    await session.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
