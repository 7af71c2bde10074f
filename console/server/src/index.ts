import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import { DAY_MS, ErrorCode } from '@sluimer/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { generatePassword, hashPassword } from './crypto.js';
import { Gateway, type GatewayLimits } from './gateway.js';
import { type Access, ADMIN, installAuth } from './http/auth.js';
import { ApiError, installErrorHandler } from './http/errors.js';
import { type HttpLimits, registerRoutes } from './http/routes.js';
import { installSecurityHeaders, installWeb } from './http/web.js';
import { AuditLog, installAudit } from './ops/audit.js';
import { startMaintenance } from './ops/retention.js';
import { registerOpsRoutes } from './ops/routes.js';
import { guardSlowClients } from './ops/slow-clients.js';
import { PolicyService } from './policy-service.js';
import { parsePublicUrl } from './public-url.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';

export type { Gateway, GatewayEvent, GatewayLimits } from './gateway.js';
export type { HttpLimits } from './http/routes.js';
export { SqliteStore } from './store/sqlite.js';
export type { Store } from './store/types.js';

export interface StartConsoleOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** Directory of the SQLite file (created when missing). Default ./data. Ignored when `store` is given. */
  dataDir?: string;
  /** Another store backend instead of the SQLite file. */
  store?: Store;
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
  /** trust X-Forwarded-* from a reverse proxy (for client addresses and rate limits) */
  trustProxy?: boolean;
  gatewayLimits?: Partial<GatewayLimits>;
  httpLimits?: Partial<HttpLimits>;
  /** a connection that has not sent a complete first request or upgrade within this is closed (default 10 s) */
  idleConnectionTimeoutMs?: number;
  /** clock, for tests */
  now?: () => number;
  /** how often agents that asked for the `summary` extension are sent changed figures (default 1 h) */
  summaryIntervalMs?: number;
  /** the address devices reach the console on (SLUIMER_PUBLIC_URL), e.g. https://sluimer.school.nl */
  publicUrl?: string;
}

export interface RunningConsole {
  /** e.g. http://127.0.0.1:43121 (the address it listens on; 0.0.0.0 is shown as 127.0.0.1) */
  url: string;
  port: number;
  store: Store;
  gateway: Gateway;
  app: FastifyInstance;
  /** every HTTP route with the access it declares (public or the roles allowed) */
  routes: { method: string; url: string; access: Access }[];
  /** set when this start created the first admin account */
  initialAdmin?: { username: string; password: string; generated: boolean };
  /** stops accepting, closes agent sockets after committing what they sent, closes the store */
  close(): Promise<void>;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Starts the console: REST API, agent gateway, store and web app on one port. */
export async function startConsole(options: StartConsoleOptions = {}): Promise<RunningConsole> {
  const now = options.now ?? Date.now;
  const store = options.store ?? new SqliteStore({ dataDir: options.dataDir ?? './data' });
  const tls = !!options.https;
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger }
      : { logger: { level: options.logLevel ?? 'info' } }),
    ...(options.https ? { https: options.https } : {}),
    trustProxy: options.trustProxy ?? false,
    // one line per request drowns what an admin needs to see; SLUIMER_LOG_REQUESTS=1 brings them back
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
  }) as unknown as FastifyInstance;
  const log = app.log;

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

    const policies = new PolicyService(store);
    const gateway = new Gateway({
      store,
      policies,
      log,
      limits: options.gatewayLimits,
      now,
      summaryIntervalMs: options.summaryIntervalMs,
    });

    const routes: RunningConsole['routes'] = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) {
        if (method === 'HEAD') continue;
        routes.push({
          method,
          url: r.url,
          access: (r.config as { access?: Access } | undefined)?.access ?? ADMIN,
        });
      }
    });
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
    installAuth(app, store, now);
    registerRoutes(app, {
      store,
      policies,
      gateway,
      now,
      tls,
      limits: options.httpLimits,
      ...(options.publicUrl ? { publicUrl: parsePublicUrl(options.publicUrl) } : {}),
    });
    registerWebRoutes(app, { store, policies, gateway, now });
    if (store instanceof SqliteStore) {
      // audit log, device retirement, AVG export/erasure (ops/*.ts)
      const audit = new AuditLog(store.db, now);
      installAudit(app, audit);
      registerOpsRoutes(app, { store, gateway, policies, audit, now });
      const maintenance = startMaintenance({ store, audit, now, log });
      app.addHook('onClose', async () => maintenance.stop());
    }
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

    // raw intervals older than the retention go; rollups stay
    const prune = async () => {
      try {
        const settings = await store.getSettings();
        const removed = await store.pruneRawIntervals(now() - settings.rawRetentionDays * DAY_MS);
        if (removed) log.info({ removed }, 'pruned raw intervals past retention');
        await store.pruneSessions(now());
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
      gateway,
      app,
      routes,
      close() {
        closing ??= (async () => {
          clearInterval(pruneTimer);
          await gateway.close();
          await pruning;
          await app.close();
          await store.close();
        })();
        return closing;
      },
    };
    if (initialAdmin) running.initialAdmin = initialAdmin;
    return running;
  } catch (err) {
    await app.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}
