import { readFileSync } from 'node:fs';
import { execFileRunner } from '../runner.js';
import { LinuxAdapter } from './adapter.js';
import { startTestSession } from './session-env.js';
import { startFakeMutter } from './test-tools.js';

/**
 * Measures the CPU cost of one idle sample on Linux, for each way the adapter can read it:
 *   node agent/dist/platform/linux/measure-idle-cost.js [samples]
 * Counted: this process (process.cpuUsage), its waited-for children (/proc/self/stat cutime+cstime)
 * and the servers that answer (Xvfb, dbus-daemon) from /proc/<pid>/stat. Runs in its own Xvfb and
 * D-Bus session. Prints a table and JSON.
 */
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
  const n = Number(process.argv[2] ?? 300);
  const session = await startTestSession();
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
    // GNOME path: a stand-in Mutter answers on the session bus (its CPU is counted in "agent" here)
    const mutter = await startFakeMutter(session.busAddress, () => 1234);
    const gnome = new LinuxAdapter({ env: session.env, runner });
    rows.push(
      await measure(
        'Mutter IdleMonitor over one persistent D-Bus connection (incl. the stand-in service)',
        n,
        async () => {
          const v = await gnome.idleMs();
          if (gnome.lastIdleSource !== 'mutter' || v !== 1234) throw new Error('mutter path not taken');
        },
        servers,
      ),
    );
    await gnome.close();
    mutter.stop();
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
