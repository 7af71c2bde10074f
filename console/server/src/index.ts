import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import proxyAddr from '@fastify/proxy-addr';
import { DAY_MS, ErrorCode, isLoopbackHost } from '@sluimer/shared';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { Cluster } from './agents/cluster.js';
import { Gateway, type GatewayLimits } from './agents/gateway.js';
import { generatePassword, hashPassword } from './auth/crypto.js';
import { PolicyService } from './groups/policy-service.js';
import { installAudit } from './http/audit.js';
import { type DeclaredRoute, installAuth, installRouteAccess } from './http/auth.js';
import { registerCalendarRoutes } from './http/calendar.js';
import { installCanonicalPaths, notFoundPath, ROUTER_OPTIONS, rawPathOf } from './http/canonical-path.js';
import { installContract, registerOpenApiRoute } from './http/contract.js';
import { ApiError, errorBody, installErrorHandler } from './http/errors.js';
import { hostPolicy, installHostCheck } from './http/host-check.js';
import { registerImpactRoutes } from './http/impact.js';
import { registerLifecycleRoutes } from './http/lifecycle.js';
import { type HttpLimits, registerRoutes } from './http/routes.js';
import { registerSavingsRoutes } from './http/savings.js';
import { registerWasteCausesRoutes } from './http/waste-causes.js';
import { installSecurityHeaders, installWeb } from './http/web.js';
import { registerWebRoutes } from './http/web-routes.js';
import { IngestService } from './ingest/service.js';
import { checkNetworkOptions, type TrustProxy } from './network-config.js';
import { AuditLog } from './ops/audit.js';
import { secureDataDir } from './ops/file-modes.js';
import { startMaintenance } from './ops/retention.js';
import { guardSlowClients } from './ops/slow-clients.js';
import { type Bus, LocalBus, PostgresBus } from './store/bus.js';
import { isPostgresUrl, PostgresStore } from './store/postgres.js';
import { DB_FILE, SqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';

export type { Gateway, GatewayEvent, GatewayLimits } from './agents/gateway.js';
export { PolicyService } from './groups/policy-service.js';
export type { HttpLimits } from './http/routes.js';
/** for demos and benchmarks that seed the demo board themselves (as `--demo` does) */
export { dateDemoPolicyHistory } from './impact/demo-history.js';
export { IngestService } from './ingest/service.js';
export type { IngestContext, IngestItem, IngestOutcome } from './ingest/types.js';
export { type NetworkConfig, networkConfigFromEnv, type TrustProxy } from './network-config.js';
export { PostgresStore } from './store/postgres.js';
export { SqliteStore } from './store/sqlite.js';
export type { Store } from './store/types.js';
export { computeUsage } from './usage/usage.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** origin of SLUIMER_PUBLIC_URL (e.g. https://sluimer.school.nl), or null when not set */
    publicUrl: string | null;
  }
}

export interface StartConsoleOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** Directory of the SQLite file (created when missing). Default ./data. Ignored when `store` is given. */
  dataDir?: string;
  /** Another store backend instead of the SQLite file. */
  store?: Store;
  /**
   * The bus to the other console processes on the same database, with `store` (default: none, this
   * process alone). With `databaseUrl` a PostgreSQL LISTEN/NOTIFY bus is made from the store.
   */
  bus?: Bus;
  /** how often this process tells the others which agents it has (default 10 s; agents/cluster.ts) */
  presenceIntervalMs?: number;
  /**
   * postgres://… (SLUIMER_DATABASE_URL): keep the data in PostgreSQL instead of the SQLite file in
   * `dataDir`. Ignored when `store` is given.
   */
  databaseUrl?: string;
  /** Password of the `admin` account created on first start with an empty database; generated when absent. */
  adminPassword?: string;
  /** pino level; default 'info'. Use 'silent' in tests. Ignored when `logger` is given. */
  logLevel?: string;
  /** log every HTTP request (off by default) */
  logRequests?: boolean;
  /** a pino logger to use instead of creating one */
  logger?: FastifyBaseLogger;
  /** built web app to serve at /; default console/web/dist */
  webDist?: string;
  /** serve HTTPS (session cookies then get `Secure`) */
  https?: { key: string | Buffer; cert: string | Buffer };
  /**
   * which reverse proxies may set X-Forwarded-For/-Host/-Proto (client addresses, rate limits, the
   * Host check): true, or addresses/CIDR ranges (SLUIMER_TRUST_PROXY). Default false.
   */
  trustProxy?: TrustProxy;
  /** the address people and agents use, e.g. https://sluimer.school.nl (SLUIMER_PUBLIC_URL) */
  publicUrl?: string | null;
  /** more host names the console answers to (SLUIMER_ALLOWED_HOSTS) */
  allowedHosts?: string[];
  gatewayLimits?: Partial<GatewayLimits>;
  httpLimits?: Partial<HttpLimits>;
  /** a connection that has not sent a complete first request or upgrade within this is closed (default 10 s) */
  idleConnectionTimeoutMs?: number;
  /** clock, for tests */
  now?: () => number;
  /** how often agents that asked for the `summary` extension are sent changed figures (default 1 h) */
  summaryIntervalMs?: number;
}

export interface RunningConsole {
  /** e.g. http://127.0.0.1:43121 (the address it listens on; 0.0.0.0 is shown as 127.0.0.1) */
  url: string;
  port: number;
  store: Store;
  /** stores reports exactly once (the gateway's; tests and demos seed data through it) */
  ingest: IngestService;
  gateway: Gateway;
  app: FastifyInstance;
  /** every HTTP route with the access it declares (public, agent or the roles allowed) */
  routes: DeclaredRoute[];
  /** origin of the public URL (SLUIMER_PUBLIC_URL), e.g. https://sluimer.school.nl, or null when not set */
  publicUrl: string | null;
  /** set when this start created the first admin account */
  initialAdmin?: { username: string; password: string; generated: boolean };
  /** stops accepting, closes agent sockets after committing what they sent, closes the store */
  close(): Promise<void>;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Starts the console: REST API, agent gateway, store and web app on one port. */
export async function startConsole(options: StartConsoleOptions = {}): Promise<RunningConsole> {
  const now = options.now ?? Date.now;
  // a bad network setting stops the start before anything is opened
  const network = checkNetworkOptions(options);
  const dataDir = options.dataDir ?? './data';
  // before the store opens it: a folder or database left readable by others is fixed, and said so
  const postgresUrl = options.store ? undefined : options.databaseUrl;
  if (postgresUrl !== undefined && !isPostgresUrl(postgresUrl)) {
    throw new Error(
      'SLUIMER_DATABASE_URL moet met postgres:// of postgresql:// beginnen / must start with postgres:// or postgresql://',
    );
  }
  const tightened = options.store || postgresUrl ? [] : secureDataDir(dataDir, DB_FILE);
  const pgStore = postgresUrl ? await PostgresStore.open({ url: postgresUrl }) : undefined;
  const store: Store = options.store ?? pgStore ?? new SqliteStore({ dataDir });
  // console processes sharing one PostgreSQL database hear each other over LISTEN/NOTIFY
  let bus: Bus;
  try {
    bus =
      options.bus ??
      (pgStore ? await PostgresBus.start(pgStore.pool, () => pgStore.newClient()) : new LocalBus());
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  const tls = !!options.https;
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger }
      : { logger: { level: options.logLevel ?? 'info' } }),
    ...(options.https ? { https: options.https } : {}),
    trustProxy: network.trustProxy,
    // one spelling per path; see http/canonical-path.ts
    routerOptions: { ...ROUTER_OPTIONS },
    // a malformed escape (`/%zzpi/…`) or an overlong parameter is a path no route has: the API's 404
    frameworkErrors: (err, request, reply) => {
      const bad = err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const e = bad
        ? notFoundPath(request.method, rawPathOf(request.raw.url))
        : new ApiError(400, ErrorCode.Validation, err.message);
      (reply as unknown as FastifyReply).code(e.status).send(errorBody(e.code, e.message));
    },
    // one line per request drowns what an admin needs to see; SLUIMER_LOG_REQUESTS=1 brings them back
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
  }) as unknown as FastifyInstance;
  const log = app.log;
  if (tightened.length) {
    log.warn(
      { changed: tightened },
      'data folder or database was readable by others; modes tightened to 0700/0600',
    );
  }
  // for routes that show addresses (install commands): request.server.publicUrl
  app.decorate('publicUrl', network.publicUrl);
  // first hooks of all: refuse foreign Host names, then non-canonical paths, before anything reads the request
  const hosts = hostPolicy({
    publicUrl: network.publicUrl,
    allowedHosts: network.allowedHosts,
    machineNames: machineNames(),
  });
  installHostCheck(app, hosts);
  installCanonicalPaths(app);
  const routes = installRouteAccess(app);
  // every /api/ route checks requests and serialises answers with the shared contract (http/contract.ts)
  installContract(app);

  let initialAdmin: RunningConsole['initialAdmin'];
  try {
    if ((await store.countUsers()) === 0) {
      const generated = !options.adminPassword;
      const password = options.adminPassword || generatePassword();
      await store.createUser({
        username: 'admin',
        passwordHash: await hashPassword(password),
        role: 'admin',
        now: now(),
      });
      initialAdmin = { username: 'admin', password, generated };
    }

    const policies = new PolicyService(store, now);
    const trust = trustFunction(network.trustProxy);
    const ingest = new IngestService(store);
    const gateway = new Gateway({
      store,
      ingest,
      policies,
      log,
      limits: options.gatewayLimits,
      now,
      summaryIntervalMs: options.summaryIntervalMs,
      // agents behind the same trusted proxy are told apart the way HTTP clients are (request.ip)
      clientAddress: (req) => proxyAddr(req, trust),
    });
    // other processes only when the bus can have them (PostgreSQL); one SQLite process needs none
    const cluster = bus.shared
      ? new Cluster({ bus, gateway, policies, log, snapshotMs: options.presenceIntervalMs })
      : undefined;

    // JSON bodies; an empty body with a JSON content type counts as no body (e.g. a bare POST /logout)
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new ApiError(400, ErrorCode.Validation, 'request body is not valid JSON'), undefined);
      }
    });
    await app.register(fastifyCookie);
    installErrorHandler(app);
    installSecurityHeaders(app, tls);
    installAuth(app, store, now, hosts);
    // audit log, device retirement, AVG export/erasure: over the store interface, so with any store
    const audit = new AuditLog(store, now);
    registerRoutes(app, {
      store,
      policies,
      gateway,
      now,
      audit,
      tls,
      limits: options.httpLimits,
      ...(network.publicUrl ? { publicUrl: network.publicUrl } : {}),
    });
    registerImpactRoutes(app, { store, policies, now });
    registerLifecycleRoutes(app, { store, policies, now });
    registerCalendarRoutes(app, { store, policies, now, pushPolicies: (ids) => gateway.pushPolicies(ids) });
    registerSavingsRoutes(app, { store, policies, now });
    registerWasteCausesRoutes(app, { store, policies, now });
    registerWebRoutes(app, { store, policies, gateway, now }, cluster);
    registerOpenApiRoute(app, routes);
    installAudit(app, audit);
    const maintenance = startMaintenance({ store, audit, now, log });
    app.addHook('onClose', async () => maintenance.stop());
    await installWeb(app, options.webDist ?? DEFAULT_WEB_DIST);
    gateway.attach(app.server);
    app.server.headersTimeout = 10_000;
    guardSlowClients(app.server, options.idleConnectionTimeoutMs ?? 10_000);

    const host = options.host ?? '0.0.0.0';
    await app.listen({ port: options.port ?? 8080, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
    const shownHost =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const url = `${tls ? 'https' : 'http'}://${shownHost}:${port}`;
    warnAboutExposure(log, { host, tls, publicUrl: network.publicUrl, names: [...hosts.names] });

    // raw intervals older than the retention go; rollups stay
    const prune = async () => {
      try {
        const settings = await store.getSettings();
        const cutoff = now() - settings.rawRetentionDays * DAY_MS;
        const removed = await store.pruneRawIntervals(cutoff);
        if (removed) log.info({ removed }, 'pruned raw intervals past retention');
        // the blocker and policy-status histories are raw data too (docs/privacy.md)
        const spans = await store.pruneBlockerSpans(cutoff);
        const statuses = await store.prunePolicyStatusHistory(cutoff);
        if (spans || statuses)
          log.info({ spans, statuses }, 'pruned blocker and policy-status history past retention');
        await store.pruneSessions(now());
        // expired API tokens answer `token_expired` for 30 days, then they go
        await store.pruneApiTokens(now() - 30 * DAY_MS);
      } catch (err) {
        log.error({ err }, 'pruning raw intervals failed');
      }
    };
    let pruning: Promise<void> = prune();
    const pruneTimer = setInterval(
      () => {
        pruning = pruning.then(prune);
      },
      60 * 60 * 1000,
    );
    pruneTimer.unref();

    let closing: Promise<void> | undefined;
    const running: RunningConsole = {
      url,
      port,
      store,
      ingest,
      gateway,
      app,
      routes,
      publicUrl: network.publicUrl,
      close() {
        closing ??= (async () => {
          clearInterval(pruneTimer);
          await gateway.close();
          await cluster?.close();
          await pruning;
          await app.close();
          await bus.close();
          await store.close();
        })();
        return closing;
      },
    };
    if (initialAdmin) running.initialAdmin = initialAdmin;
    return running;
  } catch (err) {
    await app.close().catch(() => {});
    await bus.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}

/** the same proxy trust Fastify applies to request.ip */
function trustFunction(trust: TrustProxy): (addr: string, i: number) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  return proxyAddr.compile(trust);
}

/** this machine's host name and its short form: allowed Host names while no public URL is set */
function machineNames(): string[] {
  const full = hostname().toLowerCase();
  return [...new Set([full, full.split('.')[0] ?? ''])].filter(Boolean);
}

/** start-up warnings about how the console is exposed */
function warnAboutExposure(
  log: FastifyBaseLogger,
  o: { host: string; tls: boolean; publicUrl: string | null; names: string[] },
): void {
  if (!o.tls && !isLoopbackHost(o.host)) {
    log.warn(
      { host: o.host },
      'De console gebruikt gewoon HTTP op een netwerkadres: wachtwoorden, sessies en apparaattokens gaan onversleuteld over het netwerk. ' +
        'Zet SLUIMER_TLS_CERT en SLUIMER_TLS_KEY, of zet er een reverse proxy met HTTPS voor en laat de console alleen op 127.0.0.1 luisteren (SLUIMER_HOST). / ' +
        'The console serves plain HTTP on a network address: passwords, sessions and device tokens cross the network unencrypted. ' +
        'Set SLUIMER_TLS_CERT and SLUIMER_TLS_KEY, or put a reverse proxy with HTTPS in front and listen on 127.0.0.1 only (SLUIMER_HOST).',
    );
  }
  if (o.publicUrl === null) {
    log.warn(
      { allowedHostNames: ['localhost', 'IP addresses', ...o.names] },
      'SLUIMER_PUBLIC_URL is niet gezet: de console antwoordt alleen op localhost, IP-adressen en de naam van deze machine. ' +
        'Zet SLUIMER_PUBLIC_URL op het adres dat mensen en agents gebruiken (bijv. https://sluimer.school.nl). / ' +
        'SLUIMER_PUBLIC_URL is not set: the console answers only to localhost, IP addresses and this machine’s name. ' +
        'Set SLUIMER_PUBLIC_URL to the address people and agents use (e.g. https://sluimer.school.nl).',
    );
  }
}
