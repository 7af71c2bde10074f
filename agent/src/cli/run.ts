import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
// static and named, never `await import('@sluimer/shared')`: a dynamic import of the package would
// make the bundle keep and evaluate all of shared (every REST schema), ≈ 2.5 MB more resident
import { classifyDevice, setLocalTimeReader } from '@sluimer/shared';
import type { RelaunchSpec } from '../config/ca.js';
import type { PlatformAdapter } from '../platform/types.js';
import { systemClock } from '../platform/types.js';
import { DatabaseStore } from '../service/database-store.js';
import { createLogger, type LogLevel } from '../service/log.js';
import { FileStore } from '../service/store.js';
import { processZoneLocalTime } from '../service/zone-time.js';

/**
 * `sluimer-agent run --server URL --enroll-secret S [--data DIR] [--simulate] [--sample-ms N]
 * [--report-ms N] [--log-level L]`: the service. Measures idle-on time, reports it to the console,
 * enforces the console's policy. SIGTERM/SIGINT close the open interval durably and stop.
 * The enroll secret may also come from SLUIMER_ENROLL_SECRET (keeps it out of the process list);
 * it is kept in memory only, for enrolling again if the console ever refuses the device token.
 */

export const USAGE = `Usage: sluimer-agent run --server URL [--enroll-secret S] [--data DIR] [--simulate]
                         [--sample-ms N] [--report-ms N] [--log-level debug|info|warn|error]

  --server URL         console address, e.g. https://sluimer.school.nl (or SLUIMER_SERVER)
  --enroll-secret S    the group's enroll secret, needed once (or SLUIMER_ENROLL_SECRET)
  --ca-file FILE       PEM file of the school's CA that signed the console's certificate (or SLUIMER_CA_FILE)
  --data DIR           where the outbox, token and saved settings live (default: per OS)
  --simulate           use the simulated platform (demo, development): changes nothing on this machine
  --sample-ms N        how often the idle time is read while idle, where the OS sends no idle
                       events (default 5000)
  --report-ms N        how often a report is written and sent (default 60000)
  --ipc PATH           local socket / named pipe for the tray (default per OS; off with --simulate)
  --no-tray            do not listen for trays
  --allow-insecure-http  allow plain http:// to a console that is not this machine (test setups
                       only: secret and token cross the network readable; or SLUIMER_ALLOW_INSECURE_HTTP=1)

  Server, enroll secret, CA and data folder can also come from the deployment config
  (SLUIMER_*, the Windows registry policy, agent.json): see docs/deployment.md.`;

/** The data directory a service uses when none is given. */
export function defaultDataDir(simulate: boolean): string {
  if (simulate) return resolve('.sluimer-agent-sim');
  switch (process.platform) {
    case 'win32':
      return join(process.env.ProgramData ?? 'C:\\ProgramData', 'Sluimer');
    case 'darwin':
      return '/Library/Application Support/Sluimer';
    default:
      return typeof process.getuid === 'function' && process.getuid() === 0
        ? '/var/lib/sluimer'
        : join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'sluimer');
  }
}

/** SIGTERM to exit, at most (systemd waits 90 s, the Windows service manager about 20 s) */
const STOP_DEADLINE_MS = 10_000;

function isRootUnix(): boolean {
  return process.platform !== 'win32' && typeof process.getuid === 'function' && process.getuid() === 0;
}

/** the uid of the pupil's graphical session (the one the notifier would reach), null when none */
function sessionUid(notifier: import('../session/notifier.js').SessionNotifier) {
  return async (): Promise<number | null> => {
    const t = await notifier.target();
    return t?.kind === 'user' ? t.user.uid : null;
  };
}

function positiveInt(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number ≥ ${min} (got "${v}")`);
  return n;
}

/**
 * V8's memory reducer wakes an idle process every 8 s for a series of garbage collections after each
 * burst of allocation (and wakes its GC threads with it): measured on Linux, 60–80 of the service's
 * ~95 wake-ups a minute while the device was idle (docs/benchmarks.md "Agent footprint"). The heap
 * of this service is small and steady, so it is turned off; ordinary GCs still run when the heap
 * grows. Set at run time: the reducer checks the flag each time it would schedule itself.
 */
function quietGarbageCollector(): void {
  v8.setFlagsFromString('--no-memory-reducer');
  // a young-generation collection of this small heap takes well under a millisecond; done in
  // parallel it wakes V8's worker threads (and the main thread waits on them) each time, about once
  // a report. The other parallel and concurrent phases cannot be switched off once V8 runs.
  v8.setFlagsFromString('--no-parallel-scavenge');
}

/**
 * What the memory reducer did once, done once by hand: a full collection when start-up (enrollment,
 * the hardware reading, the first policy) has settled, so the start-up garbage does not stay resident.
 */
function collectStartupGarbage(afterMs: number): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc === 'function') setTimeout(gc, afterMs).unref();
}

export async function command(args: string[]): Promise<number> {
  quietGarbageCollector();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  // deployment config (flags > SLUIMER_* > Windows registry policy > agent.json), docs/deployment.md
  const { loadDeploymentConfig, caRelaunch } = await import('../config/index.js');
  let deployment: Awaited<ReturnType<typeof loadDeploymentConfig>>;
  try {
    deployment = await loadDeploymentConfig(parsed['ca-file'] ? { caFile: parsed['ca-file'] } : {});
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const relaunch = caRelaunch(deployment, process);
  if (relaunch) return runWithCa(relaunch);
  const server = parsed.server ?? process.env.SLUIMER_SERVER ?? deployment.server;
  if (!server) {
    console.error(`--server is required.\n\n${USAGE}`);
    return 2;
  }
  try {
    new URL(server);
  } catch {
    console.error(`--server "${server}" is not a URL (e.g. https://sluimer.school.nl).`);
    return 2;
  }
  const { checkTransport } = await import('../config/transport.js');
  const transport = checkTransport(
    server,
    parsed['allow-insecure-http'] === true || deployment.allowInsecureHttp,
  );
  if (!transport.ok) {
    console.error(transport.message);
    return 2;
  }
  let sampleMs: number;
  let reportMs: number;
  try {
    sampleMs = positiveInt('sample-ms', parsed['sample-ms'], 5_000, 100);
    reportMs = positiveInt('report-ms', parsed['report-ms'], 60_000, 1_000);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const level = (parsed['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    console.error(`--log-level must be debug, info, warn or error.`);
    return 2;
  }
  const log = createLogger({ level, base: { app: 'sluimer-agent' } });
  // school hours and nudge weeks through the process time zone instead of Intl (≈ 6–7 MB less
  // resident); on Windows the TZ variable's handling differs, so Intl stays there
  if (process.platform !== 'win32') setLocalTimeReader(processZoneLocalTime);
  const configuredData = deployment.sources.dataDir !== 'default' ? deployment.dataDir : undefined;
  const dataDir = resolve(parsed.data ?? configuredData ?? defaultDataDir(parsed.simulate ?? false));

  let platform: PlatformAdapter;
  if (parsed.simulate) {
    const { SimulatedPlatform } = await import('../platform/simulated/index.js');
    platform = new SimulatedPlatform({ autopilot: { seed: Date.now() % 100_000 } });
  } else {
    const { createPlatformAdapter } = await import('../platform/index.js');
    try {
      platform = await createPlatformAdapter();
    } catch (err) {
      log.error('no platform adapter', { err });
      console.error((err as Error).message);
      return 1;
    }
  }

  const { createAgentService } = await import('../service/agent.js');
  const { SessionIdle } = await import('../service/session-idle.js');
  const { NudgeCounters } = await import('../core/nudges.js');
  // shared by the agent and the tray bridge, made before both: the pupil's session (tray) knows the
  // idle time a system service cannot see, and the bridge counts nudge outcomes for the reports
  const sessionIdle = new SessionIdle();
  const nudgeCounters = new NudgeCounters();
  const agent = createAgentService({
    platform,
    serverUrl: server,
    enrollSecret: parsed['enroll-secret'] ?? process.env.SLUIMER_ENROLL_SECRET ?? deployment.enrollSecret,
    sessionIdle,
    takeNudgeCounts: () => nudgeCounters.take(),
    // a simulated device reads no real hardware
    ...(parsed.simulate
      ? {}
      : // in a short-lived child: systeminformation never stays in the service's memory
        { hardware: async () => (await import('../service/hardware-process.js')).readHardwareInChild() }),
    dataDir,
    sampleMs,
    reportEveryMs: reportMs,
    logger: log,
    // one simulated device needs no spreading of a school's reconnects
    ...(parsed.simulate ? { link: { initialDelayMaxMs: 1_000 } } : {}),
  });
  log.info('starting', { server, dataDir, os: platform.os, sampleMs, reportMs });
  if (transport.insecure) {
    if (transport.loopback) log.info(transport.warning, { server });
    else log.warn(transport.warning, { server });
  }
  // the enroll secret has done its job once the device has a token (docs/security.md)
  const enrollSecretSource = parsed['enroll-secret']
    ? ('flag' as const)
    : process.env.SLUIMER_ENROLL_SECRET
      ? ('env' as const)
      : deployment.enrollSecret
        ? deployment.sources.enrollSecret
        : undefined;
  const forgetSecret = async () => {
    const { forgetEnrollSecret } = await import('../config/forget-secret.js');
    const r = await forgetEnrollSecret(enrollSecretSource, deployment.file);
    if (r.removed)
      log.info('enroll secret removed from the config file (the device token is used from now on)', {
        file: r.file,
      });
    else if (r.reason === 'kept-by-source')
      log.warn(
        r.source === 'registry'
          ? 'enroll secret stays in the registry policy (the GPO/MDM puts it back): restrict or remove it there'
          : `enroll secret came from the ${r.source === 'flag' ? 'command line' : 'environment'} and cannot be removed by the agent: remove it from the service definition`,
        { source: r.source },
      );
    else if (r.reason === 'write-failed')
      log.error('could not remove the enroll secret from the config file', { file: r.file, error: r.error });
  };
  agent.events.on('enrolled', () => void forgetSecret());

  let bridge: import('../service/ipc/bridge.js').TrayBridge | null = null;
  let exitCode = 0;
  const done = new Promise<void>((resolveDone) => {
    let stopping = false;
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { why });
      // bounded: whatever hangs (a platform call, a socket), the service is gone within the grace
      // period, so a service manager's stop never waits on it (issue 9: an agent that ignored SIGTERM)
      setTimeout(() => {
        log.error('did not stop within the grace period; exiting', { graceMs: STOP_DEADLINE_MS });
        process.exit(exitCode || 1);
      }, STOP_DEADLINE_MS).unref();
      void bridge?.close().catch(() => {});
      agent
        .stop()
        .catch((err) => {
          log.error('stop failed', { err });
          exitCode = 1;
        })
        .finally(async () => {
          await platform.close?.().catch(() => {});
          resolveDone();
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    agent.events.on('fatal', (message: string) => {
      console.error(message);
      exitCode = 1;
      stop('fatal');
    });
  });
  try {
    await agent.start();
  } catch (err) {
    log.error('start failed', { err });
    console.error((err as Error).message);
    await agent.stop().catch(() => {});
    return 1;
  }
  collectStartupGarbage(45_000);
  // already enrolled from an earlier run: a secret put back in the file is not needed either
  if (agent.status().enrolled && enrollSecretSource) void forgetSecret();
  const ipcPath = parsed.ipc ?? deployment.ipcPath;
  if (!parsed['no-tray'] && (!parsed.simulate || ipcPath)) {
    try {
      // the agent's inventory: systeminformation's chassis and model over the adapter's
      const inventory = await agent.inventory().catch(() => ({}));
      // no tray connected: the service shows due nudges itself (not in a simulation: that would
      // notify the developer's own desktop)
      const notifier = parsed.simulate
        ? undefined
        : (await import('../session/notifier.js')).createSessionNotifier();
      const adapter = platform;
      const { startTrayBridge } = await import('../service/ipc/bridge.js');
      bridge = await startTrayBridge({
        sessionIdle,
        counters: nudgeCounters,
        ...(notifier
          ? {
              notifier,
              ownIdleMs: async () => {
                const ms = await adapter.idleMs().catch(() => 'unknown' as const);
                return typeof ms === 'number' ? ms : null;
              },
            }
          : {}),
        agent,
        platform,
        clock: (platform as { clock?: import('../platform/types.js').Clock }).clock ?? systemClock,
        profile: { deviceClass: classifyDevice(inventory).deviceClass },
        // in the agent database: the totals change at every report, and a file per change would cost
        // two fsyncs each time; the files an older agent wrote are taken over
        store: new DatabaseStore(agent.outbox.database, 'tray', new FileStore(join(dataDir, 'tray'))),
        whyUrl: deployment.whyUrl ?? null,
        ...(ipcPath ? { ipcPath } : {}),
        // a root service hands the socket to the pupil's session user alone (docs/security.md)
        ...(notifier && isRootUnix()
          ? {
              ipcOwner: sessionUid(notifier),
              // logind announces logins there; without it (macOS) the owner is asked every 30 s
              ...(process.platform === 'linux' ? { ipcOwnerWatchDir: '/run/systemd/sessions' } : {}),
            }
          : {}),
        ...(deployment.language ? { defaultLang: deployment.language } : {}),
        log: (msg) => log.warn(msg),
      });
      log.info('listening for trays', { ipc: bridge.server.path });
    } catch (err) {
      // the service measures and enforces without a tray; pupils just see no nudges
      log.warn('tray IPC unavailable; running without nudges', { err });
    }
  }
  await done;
  return exitCode;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      server: { type: 'string' },
      'enroll-secret': { type: 'string' },
      'ca-file': { type: 'string' },
      data: { type: 'string' },
      simulate: { type: 'boolean' },
      'sample-ms': { type: 'string' },
      'report-ms': { type: 'string' },
      'log-level': { type: 'string' },
      ipc: { type: 'string' },
      'no-tray': { type: 'boolean' },
      'allow-insecure-http': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** Runs the service again with the school's CA trusted (see config/ca.ts); forwards stop signals. */
function runWithCa(spec: RelaunchSpec): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn(spec.cmd, spec.args, { env: spec.env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', forward);
      resolveCode(code ?? (signal ? 1 : 0));
    });
    child.on('error', (err) => {
      console.error(`could not start the service with the CA from ${spec.caPath}: ${err.message}`);
      resolveCode(1);
    });
  });
}
