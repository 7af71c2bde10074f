import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away graphical session for the agent benchmarks (agent-bench.ts, linux-idle-cost.ts) and the
 * Linux adapter's tests (which import this file from source): Xvfb on a random display
 * number plus a private `dbus-daemon --session` with a private XDG_CONFIG_HOME (so dconf writes never
 * touch a real user's settings). Everything is stopped by `stop()`.
 */
export interface TestSession {
  display: string;
  busAddress: string;
  /** environment for child processes (gsettings, gdbus, xdotool, notify-send, …) */
  env: NodeJS.ProcessEnv;
  /** process ids, so a benchmark can count the servers' CPU time too */
  pids: { xvfb?: number; dbus?: number };
  stop(): Promise<void>;
}

function waitForLine(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  what: string,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    child[stream]!.setEncoding('utf8');
    const onData = (c: string) => {
      buf += c;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(t);
        child[stream]!.off('data', onData);
        resolve(buf.slice(0, i).trim());
      }
    };
    child[stream]!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited (${code}) before it was ready`));
    });
    child.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

async function startXvfb(): Promise<{ child: ChildProcess; display: string }> {
  let lastErr: Error | null = null;
  for (let attempt = 0; attempt < 6; attempt++) {
    const n = 100 + Math.floor(Math.random() * 30_000);
    // -displayfd 1: Xvfb prints the display number on stdout once it accepts connections
    const child = spawn(
      'Xvfb',
      [`:${n}`, '-displayfd', '1', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr!.resume();
    try {
      const shown = await waitForLine(child, 'stdout', 'Xvfb');
      return { child, display: `:${shown || n}` };
    } catch (e) {
      lastErr = e as Error;
      child.kill();
    }
  }
  throw lastErr ?? new Error('Xvfb did not start');
}

export async function startTestSession(options: { x11?: boolean } = {}): Promise<TestSession> {
  const dir = await mkdtemp(join(tmpdir(), 'sluimer-session-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(r, 2000);
          c.once('exit', () => {
            clearTimeout(t);
            r(null);
          });
        });
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_RUNTIME_DIR: dir,
      XDG_CACHE_HOME: join(dir, 'cache'),
      GSETTINGS_BACKEND: 'dconf',
      LANG: 'C.UTF-8',
    };
    let display = '';
    const pids: TestSession['pids'] = {};
    if (options.x11 !== false) {
      const x = await startXvfb();
      children.push(x.child);
      display = x.display;
      env.DISPLAY = display;
      if (x.child.pid) pids.xvfb = x.child.pid;
    }
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    children.push(bus);
    if (bus.pid) pids.dbus = bus.pid;
    bus.stderr!.resume();
    const busAddress = await waitForLine(bus, 'stdout', 'dbus-daemon');
    env.DBUS_SESSION_BUS_ADDRESS = busAddress;
    return { display, busAddress, env, pids, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
