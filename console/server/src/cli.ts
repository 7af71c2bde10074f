import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_STATE_FILE, type DemoHandle, startDemo as startDemoBoard } from '@sluimer/scripts/demo';
import { isLoopbackHost } from '@sluimer/shared';
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { dateDemoPolicyHistory } from './impact/demo-history.js';
import { type RunningConsole, startConsole } from './index.js';
import { type NetworkConfig, networkConfigFromEnv } from './network-config.js';
import { backupCommand } from './ops/backup.js';
import { migrateCommand } from './ops/migrate-to-postgres.js';
import { resetPasswordCommand } from './ops/reset-password.js';
import { tlsFromEnv } from './ops/tls.js';
import { isPostgresUrl } from './store/postgres.js';
import type { BatteryReading } from './store/types.js';

const HELP = `sluimer-console [--demo]

Start de Sluimer-console: API, agent-gateway en webapp op één poort.
Starts the Sluimer console: API, agent gateway and web app on one port.

  --demo    vul een lege database met een gesimuleerd schoolbestuur / fill an empty database with a simulated school board
  --help    deze tekst / this text

sluimer-console backup <bestand>    online back-up terwijl de console draait / online backup while it runs
sluimer-console restore <bestand>   back-up terugzetten (console gestopt) / restore a backup (console stopped)
sluimer-console migrate --to postgres://…
    kopieert de SQLite-database (SLUIMER_DATA) volledig naar een lege PostgreSQL-database en
    controleert dat de gebruikstotalen gelijk zijn (console gestopt) /
    copies the SQLite database (SLUIMER_DATA) completely into an empty PostgreSQL database and
    checks that the usage totals are equal (console stopped)
sluimer-console reset-password [gebruiker]
    nieuw wachtwoord (standaard voor 'admin'), uit SLUIMER_ADMIN_PASSWORD, standaardinvoer of
    gegenereerd en getoond; beëindigt de sessies van die gebruiker /
    new password (default for 'admin'), from SLUIMER_ADMIN_PASSWORD, standard input or generated
    and shown; ends that user's sessions

Omgeving / environment:
  SLUIMER_PORT            poort / port (8080)
  SLUIMER_HOST            adres waarop de console luistert / address it listens on (0.0.0.0: alle / all interfaces)
  SLUIMER_PUBLIC_URL      adres waarop mensen en apparaten de console bereiken (toegestane Host, installatieopdrachten) /
                          address people and devices reach the console on (allowed Host, install commands)
                          (bijv. / e.g. https://sluimer.school.nl)
  SLUIMER_DATA            map van de database / database folder (./data)
  SLUIMER_DATABASE_URL    postgres://gebruiker:wachtwoord@host/database: PostgreSQL in plaats van SQLite /
                          postgres://user:password@host/database: PostgreSQL instead of SQLite
  SLUIMER_PRESENCE_INTERVAL_MS  met PostgreSQL: hoe vaak dit proces de andere zegt welke apparaten het heeft
                          (10000); een proces dat 3× zwijgt telt als weg / with PostgreSQL: how often this process
                          tells the others which devices it has (10000); one silent 3× counts as gone
  SLUIMER_ADMIN_PASSWORD  wachtwoord van 'admin' bij de eerste start (daarna genegeerd: gebruik reset-password) /
                          password of 'admin' on first start (ignored later: use reset-password)
  SLUIMER_LOG_LEVEL       pino-niveau / pino level (info; debug toont ook regels per apparaat / debug adds per-device lines)
  SLUIMER_LOG_FORMAT      pretty (leesbaar; standaard in een terminal) of json (standaard anders) /
                          pretty (readable; default on a terminal) or json (default otherwise)
  SLUIMER_TLS_CERT        PEM-certificaat(keten): HTTPS/WSS / PEM certificate (chain): serve HTTPS/WSS
  SLUIMER_TLS_KEY         PEM-sleutel bij het certificaat / PEM private key of the certificate
  SLUIMER_ALLOWED_HOSTS   extra hostnamen, komma's / more host names, comma-separated
  SLUIMER_TRUST_PROXY     reverse proxy: true of adressen/CIDR / true or addresses/CIDR (false)
`;

/** What the command talks to; tests replace parts of it. */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** resolves when the console should stop (default: SIGTERM or SIGINT) */
  shutdown?: Promise<string>;
  /** called once the console listens */
  onListening?: (running: RunningConsole) => void;
  /** whether stdout is a terminal (default: process.stdout.isTTY); picks the log format */
  isTTY?: boolean;
  /** reads a password piped into standard input (reset-password) */
  readStdin?: () => Promise<string | undefined>;
}

/**
 * The console's logger: human-readable lines on a terminal, JSON lines (for a log collector)
 * otherwise; SLUIMER_LOG_FORMAT=json|pretty overrides. Pretty lines are formatted in this process
 * (no worker thread), so they keep their order with what the command prints itself.
 */
export function createLogger(
  env: NodeJS.ProcessEnv,
  isTTY: boolean,
  destination: { write(text: string): unknown } = process.stdout,
): pino.Logger {
  const level = env.SLUIMER_LOG_LEVEL || 'info';
  const format = env.SLUIMER_LOG_FORMAT || (isTTY ? 'pretty' : 'json');
  if (format !== 'pretty' && format !== 'json') {
    throw new Error(`SLUIMER_LOG_FORMAT moet json of pretty zijn / must be json or pretty: ${format}`);
  }
  if (format === 'json') {
    // written synchronously, so log lines and what the command prints keep their order
    return pino(
      { level },
      destination === process.stdout ? pino.destination({ dest: 1, sync: true }) : (destination as never),
    );
  }
  const pretty = prettyFactory({
    colorize: isTTY,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  });
  return pino({ level }, { write: (line: string) => destination.write(pretty(line)) });
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
  if (argv[0] === 'migrate') {
    return migrateCommand(argv, { env: io.env ?? process.env, stdout, stderr });
  }
  if (argv[0] === 'reset-password') {
    return resetPasswordCommand(argv, {
      env: io.env ?? process.env,
      stdout,
      stderr,
      ...(io.readStdin ? { readStdin: io.readStdin } : {}),
    });
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
  if (env.SLUIMER_DATABASE_URL && !isPostgresUrl(env.SLUIMER_DATABASE_URL)) {
    stderr.write(
      'SLUIMER_DATABASE_URL moet met postgres:// of postgresql:// beginnen / must start with postgres:// or postgresql://\n',
    );
    return 2;
  }
  const presenceMs = env.SLUIMER_PRESENCE_INTERVAL_MS ? Number(env.SLUIMER_PRESENCE_INTERVAL_MS) : undefined;
  if (
    presenceMs !== undefined &&
    !(Number.isInteger(presenceMs) && presenceMs >= 100 && presenceMs <= 600_000)
  ) {
    stderr.write(
      `SLUIMER_PRESENCE_INTERVAL_MS moet een geheel aantal ms van 100 tot 600000 zijn / must be whole ms from 100 to 600000: ${env.SLUIMER_PRESENCE_INTERVAL_MS}\n`,
    );
    return 2;
  }
  let log: pino.Logger;
  try {
    log = createLogger(env, io.isTTY ?? process.stdout.isTTY === true, io.stdout ?? process.stdout);
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return 2;
  }

  // a bad network setting is a usage error: said before anything starts
  let network: NetworkConfig;
  try {
    network = networkConfigFromEnv(env);
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const publicUrl = network.publicUrl;
  if (publicUrl && isLoopbackHost(new URL(publicUrl).hostname)) {
    log.warn(
      `SLUIMER_PUBLIC_URL ${publicUrl} bereikt alleen deze computer; apparaten kunnen zich zo niet aanmelden / ` +
        'only reaches this machine; devices cannot enroll with it',
    );
  }

  let running: RunningConsole;
  try {
    const https = tlsFromEnv(env);
    running = await startConsole({
      ...(https ? { https } : {}),
      ...network,
      port,
      host: env.SLUIMER_HOST || '0.0.0.0',
      dataDir,
      ...(env.SLUIMER_DATABASE_URL ? { databaseUrl: env.SLUIMER_DATABASE_URL } : {}),
      ...(presenceMs !== undefined ? { presenceIntervalMs: presenceMs } : {}),
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
  // the database URL is not logged: it may hold a password
  log.info(
    { url: running.url, ...(env.SLUIMER_DATABASE_URL ? { database: 'postgresql' } : { dataDir }) },
    'Sluimer console listening',
  );

  const admin = running.initialAdmin;
  io.onListening?.(running);
  const address = browserAddress(running, env.SLUIMER_HOST || '0.0.0.0');
  if (!admin && env.SLUIMER_ADMIN_PASSWORD) {
    // the variable only sets the first admin's password; saying nothing made people think it worked
    const warning =
      'SLUIMER_ADMIN_PASSWORD wordt genegeerd: deze database heeft al gebruikers. Nieuw wachtwoord: ' +
      'npx sluimer-console reset-password admin / SLUIMER_ADMIN_PASSWORD is ignored: this database ' +
      'already has users. New password: npx sluimer-console reset-password admin';
    log.warn(warning);
    stderr.write(`\nLet op / note: ${warning}\n`);
  }

  let demoHandle: DemoHandle | undefined;
  if (demo) {
    // the address is announced once the demo board is there, so the first look is not an empty page
    stdout.write(
      '\nSluimer: de demo wordt klaargezet; het adres volgt zodra het schoolbestuur er staat.\n' +
        'Sluimer: preparing the demo; the address follows once the school board is in place.\n',
    );
    demoHandle = await startDemo(running, dataDir, log, admin?.password ?? env.SLUIMER_ADMIN_PASSWORD);
  }

  stdout.write(
    `\nSluimer staat klaar: open ${address} in je browser.\nSluimer is ready: open ${address} in your browser.\n` +
      (publicUrl
        ? `Apparaten melden zich aan bij / devices enroll with ${publicUrl} (SLUIMER_PUBLIC_URL).\n`
        : 'Zet SLUIMER_PUBLIC_URL op het adres waarop apparaten de console bereiken / set SLUIMER_PUBLIC_URL to the address devices reach the console on.\n') +
      (admin?.generated
        ? 'Meld je aan als admin met het wachtwoord hieronder / log in as admin with the password below.\n'
        : ''),
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
        ' Kwijt? / Lost it?  npx sluimer-console reset-password admin',
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

/**
 * `--demo`: builds the demo school board in an empty database, or picks up the simulated agents of
 * an earlier `--demo` start on the same data (their tokens are in the data folder), so the demo never
 * looks dead after a restart.
 */
async function startDemo(
  running: RunningConsole,
  dataDir: string,
  log: pino.Logger,
  password: string | undefined,
): Promise<DemoHandle | undefined> {
  const empty = (await running.store.listDevices()).length === 0;
  const stateFile = join(dataDir, DEMO_STATE_FILE);
  if (empty && existsSync(stateFile)) {
    // the database was replaced or emptied: those agents' tokens are gone with it; build a new demo
    log.info('--demo: demo-agents.json belongs to an earlier database; a new demo is built');
    rmSync(stateFile, { force: true });
  }
  const resumable = existsSync(stateFile);
  if (!empty && !resumable) {
    log.warn(
      '--demo: deze database heeft al apparaten en geen demo om voort te zetten; er wordt niets toegevoegd. ' +
        'Een nieuwe demo: stop de console en start met een lege map, bijv. SLUIMER_DATA=./demo-data npm start -- --demo / ' +
        'the database already has devices and no demo to resume; for a fresh demo start with an empty SLUIMER_DATA folder',
    );
    return undefined;
  }
  if (empty && !password) {
    log.error(
      '--demo needs the admin password: set SLUIMER_ADMIN_PASSWORD (the database already had users) / ' +
        '--demo heeft het admin-wachtwoord nodig',
    );
    return undefined;
  }
  try {
    const url = `http://127.0.0.1:${running.port}`;
    const store = running.store;
    const seededFrom = Date.now();
    const handle = await startDemoBoard({
      url,
      username: 'admin',
      ...(password ? { password } : {}),
      dataDir,
      log,
      lastIntervalEnd: async (deviceId: number) => (await store.recentIntervals(deviceId, 1))[0]?.end,
      batteryHistory: (deviceId: number, readings: BatteryReading[]) =>
        store.addBatteryHistory(deviceId, readings),
    });
    // the policy history the seeding wrote "now" belongs to the simulated past (impact/demo-history.ts)
    const seeded = handle.summary;
    if (seeded) await dateDemoPolicyHistory(store, { ...seeded, seededFrom });
    log.info(
      resumable ? '--demo: simulated agents picked up again' : '--demo: simulated school board started',
    );
    return handle;
  } catch (err) {
    log.error({ err }, '--demo: the demo failed to start; the console keeps running');
    return undefined;
  }
}
