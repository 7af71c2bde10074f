import { resolve } from 'node:path';
import { pino } from 'pino';
import { type RunningConsole, startConsole } from './index.js';
import { backupCommand } from './ops/backup.js';
import { tlsFromEnv } from './ops/tls.js';

const HELP = `sluimer-console [--demo]

Start de Sluimer-console: API, agent-gateway en webapp op één poort.
Starts the Sluimer console: API, agent gateway and web app on one port.

  --demo    vul een lege database met een gesimuleerd schoolbestuur / fill an empty database with a simulated school board
  --help    deze tekst / this text

sluimer-console backup <bestand>    online back-up terwijl de console draait / online backup while it runs
sluimer-console restore <bestand>   back-up terugzetten (console gestopt) / restore a backup (console stopped)

Omgeving / environment:
  SLUIMER_PORT            poort / port (8080)
  SLUIMER_HOST            adres / address (0.0.0.0)
  SLUIMER_DATA            map van de database / database folder (./data)
  SLUIMER_ADMIN_PASSWORD  wachtwoord van 'admin' bij de eerste start / password of 'admin' on first start
  SLUIMER_LOG_LEVEL       pino-niveau / pino level (info)
  SLUIMER_TLS_CERT        PEM-certificaat(keten): HTTPS/WSS / PEM certificate (chain): serve HTTPS/WSS
  SLUIMER_TLS_KEY         PEM-sleutel bij het certificaat / PEM private key of the certificate
`;

interface DemoHandle {
  stop(): Promise<void>;
}

/** What the command talks to; tests replace parts of it. */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** resolves when the console should stop (default: SIGTERM or SIGINT) */
  shutdown?: Promise<string>;
  /** called once the console listens */
  onListening?: (running: RunningConsole) => void;
}

/** The `sluimer-console` command. Resolves with the exit code once the console has shut down. */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (argv.includes('--help') || argv.includes('-h')) {
    stdout.write(HELP);
    return 0;
  }
  if (argv[0] === 'backup' || argv[0] === 'restore') {
    return backupCommand(argv, io.env ?? process.env, stdout, stderr);
  }
  const unknown = argv.filter((a) => a !== '--demo');
  if (unknown.length) {
    stderr.write(`Onbekende optie / unknown option: ${unknown.join(' ')}\n\n${HELP}`);
    return 2;
  }
  const demo = argv.includes('--demo');
  const env = io.env ?? process.env;
  const port = env.SLUIMER_PORT ? Number(env.SLUIMER_PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    stderr.write(`SLUIMER_PORT moet een poortnummer zijn / must be a port number: ${env.SLUIMER_PORT}\n`);
    return 2;
  }
  const dataDir = resolve(env.SLUIMER_DATA || './data');
  const log = pino({ level: env.SLUIMER_LOG_LEVEL || 'info' });

  let running: RunningConsole;
  try {
    const https = tlsFromEnv(env);
    running = await startConsole({
      ...(https ? { https } : {}),
      port,
      host: env.SLUIMER_HOST || '0.0.0.0',
      dataDir,
      adminPassword: env.SLUIMER_ADMIN_PASSWORD || undefined,
      logger: log,
      logRequests: env.SLUIMER_LOG_REQUESTS === '1',
    });
  } catch (err) {
    log.error({ err }, 'console failed to start');
    stderr.write(
      `De console kon niet starten / the console could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  log.info({ url: running.url, dataDir }, 'Sluimer console listening');

  const admin = running.initialAdmin;
  io.onListening?.(running);
  const address = browserAddress(running, env.SLUIMER_HOST || '0.0.0.0');

  let demoHandle: DemoHandle | undefined;
  if (demo) {
    // the address is announced once the demo board is there, so the first look is not an empty page
    stdout.write(
      '\nSluimer: de demo wordt klaargezet; het adres volgt zodra het schoolbestuur er staat.\n' +
        'Sluimer: preparing the demo; the address follows once the school board is in place.\n',
    );
    demoHandle = await startDemoIfEmpty(running, dataDir, log, admin?.password ?? env.SLUIMER_ADMIN_PASSWORD);
  }

  stdout.write(
    `\nSluimer staat klaar: open ${address} in je browser.\nSluimer is ready: open ${address} in your browser.\n`,
  );
  if (admin?.generated) {
    stdout.write(
      [
        '',
        '============================================================',
        ' Eerste start: account "admin" aangemaakt met wachtwoord:',
        ' First start: account "admin" created with password:',
        '',
        `     ${admin.password}`,
        '',
        ' Bewaar het nu; het wordt niet nog eens getoond.',
        ' Save it now; it will not be shown again.',
        '============================================================',
        '',
      ].join('\n'),
    );
  } else if (admin) {
    log.info('first start: account "admin" created with SLUIMER_ADMIN_PASSWORD');
  }

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      try {
        await demoHandle?.stop();
      } catch (err) {
        log.warn({ err }, 'demo did not stop cleanly');
      }
      try {
        await running.close();
        log.info('console stopped');
        done(0);
      } catch (err) {
        log.error({ err }, 'shutdown failed');
        done(1);
      }
    };
    if (io.shutdown) {
      void io.shutdown.then((why) => stop(why));
    } else {
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    }
  });
}

/** The address to type into a browser on this machine: localhost when listening on every interface. */
function browserAddress(running: RunningConsole, host: string): string {
  const scheme = running.url.startsWith('https:') ? 'https' : 'http';
  const any = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === '::1';
  return any ? `${scheme}://localhost:${running.port}` : running.url;
}

async function startDemoIfEmpty(
  running: RunningConsole,
  dataDir: string,
  log: pino.Logger,
  password: string | undefined,
): Promise<DemoHandle | undefined> {
  const devices = await running.store.listDevices();
  if (devices.length > 0) {
    log.info('--demo: the database already has devices; no demo data added');
    return undefined;
  }
  if (!password) {
    log.error(
      '--demo needs the admin password: set SLUIMER_ADMIN_PASSWORD (the database already had users) / ' +
        '--demo heeft het admin-wachtwoord nodig',
    );
    return undefined;
  }
  // a variable specifier: the scripts package is optional at build time
  const specifier = '@sluimer/scripts/demo';
  let mod: { startDemo?: (opts: unknown) => Promise<DemoHandle> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    log.error(
      { err: err instanceof Error ? err.message : String(err) },
      `--demo: module ${specifier} is not available (build the scripts package: npm run build) / ` +
        'demomodule niet gevonden; de console draait zonder demo',
    );
    return undefined;
  }
  if (typeof mod.startDemo !== 'function') {
    log.error(`--demo: ${specifier} does not export startDemo; the console runs without demo data`);
    return undefined;
  }
  try {
    const url = `http://127.0.0.1:${running.port}`;
    const handle = await mod.startDemo({ url, username: 'admin', password, dataDir, log });
    log.info('--demo: simulated school board started');
    return handle;
  } catch (err) {
    log.error({ err }, '--demo: the demo failed to start; the console keeps running');
    return undefined;
  }
}
