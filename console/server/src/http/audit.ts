import { AuditQuerySchema } from '@sluimer/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../ops/audit.js';
import { ADMIN } from './auth.js';
import { matchedRoute } from './canonical-path.js';
import { parse } from './errors.js';

/** GET /api/v1/audit: the audit log for admins, newest first (ops/audit.ts writes it) */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditLog): void {
  app.get('/api/v1/audit', { config: { access: ADMIN } }, async (request) => {
    const q = parse(AuditQuerySchema, request.query, 'query');
    const entries =
      q.deviceId !== undefined
        ? (await audit.forDevice(q.deviceId)).slice(0, q.limit)
        : await audit.list({ limit: q.limit, ...(q.before !== undefined ? { before: q.before } : {}) });
    return { entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
  });
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * a POST that changes nothing (a what-if question carries its draft in the body): not a change,
     * so not audited; the policy editor asks it on every edit
     */
    readOnly?: boolean;
  }
}

/** Records every API write (and every login attempt) once it has been answered. */
export function installAudit(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    if (!WRITE.has(request.method) || request.routeOptions.config.readOnly) return;
    // the route the router matched (and whose raw path was canonical), never the URL string
    const route = matchedRoute(request)?.url;
    if (route === undefined || !route.startsWith('/api/')) return;
    const status = reply.statusCode;
    const login = route === '/api/v1/login';
    // changes that happened, changes refused for lack of rights, and login attempts; not 400s
    if (!(status < 400 || status === 403 || login)) return;
    const user = request.user;
    let username = user?.username ?? null;
    if (login && !user) {
      const body = request.body as { username?: unknown } | undefined;
      if (typeof body?.username === 'string') username = body.username.slice(0, 100);
    }
    const id = Number((request.params as { id?: string } | undefined)?.id);
    try {
      await audit.record({
        userId: user?.id ?? null,
        username,
        role: user?.role ?? null,
        via: request.authVia ?? null,
        ip: request.ip,
        method: request.method,
        route,
        targetId: Number.isSafeInteger(id) && id > 0 ? id : null,
        status,
        details: login ? undefined : request.body,
      });
    } catch (err) {
      request.log.error({ err }, 'could not write the audit log');
    }
  });
}
