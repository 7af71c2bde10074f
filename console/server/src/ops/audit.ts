import type Database from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { matchedRoute } from '../http/canonical-path.js';

/**
 * The audit log: every change made through the console API (who, what, when), for admins
 * (GET /api/v1/audit). Written after the answer, for every write that succeeded or was refused for
 * lack of rights, and for logins (also failed ones). Secrets and passwords in request bodies are
 * never stored, only that they were set.
 *
 * Its table comes from the store's migrations ('audit log and device retirements').
 */
export interface AuditEntry {
  id: number;
  at: number;
  /** user id, or null for an anonymous call (login, enrollment) */
  userId: number | null;
  username: string | null;
  role: string | null;
  /** 'session' | 'token' | null */
  via: string | null;
  ip: string;
  method: string;
  /** the route pattern, e.g. /api/v1/devices/:id */
  route: string;
  /** the id in the path, if any */
  targetId: number | null;
  status: number;
  /** the request body with secrets redacted, at most 2 KB of JSON */
  details: unknown;
}

const SECRET_KEYS = /pass(word)?|secret|token|key|cookie|csrf/i;
const MAX_DETAILS = 2048;

/** the body without secrets: their values become "[redacted]" */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) {
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
  return value;
}

export class AuditLog {
  private readonly insert: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, user_id, username, role, via, ip, method, route, target_id, status, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(e: Omit<AuditEntry, 'id' | 'at'> & { at?: number }): void {
    let details: string | null = null;
    if (e.details !== undefined) {
      details = JSON.stringify(redact(e.details));
      if (details.length > MAX_DETAILS)
        details = JSON.stringify({ truncated: details.slice(0, MAX_DETAILS) });
    }
    this.insert.run(
      e.at ?? this.now(),
      e.userId,
      e.username,
      e.role,
      e.via,
      e.ip,
      e.method,
      e.route,
      e.targetId,
      e.status,
      details,
    );
  }

  list(q: { limit: number; before?: number; targetId?: number; route?: string }): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.targetId !== undefined) {
      where.push('target_id = ?');
      args.push(q.targetId);
    }
    if (q.route !== undefined) {
      where.push('route LIKE ?');
      args.push(`${q.route}%`);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    args.push(q.limit);
    return (this.db.prepare(sql).all(...args) as Record<string, unknown>[]).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      userId: r.user_id === null ? null : Number(r.user_id),
      username: (r.username as string | null) ?? null,
      role: (r.role as string | null) ?? null,
      via: (r.via as string | null) ?? null,
      ip: String(r.ip),
      method: String(r.method),
      route: String(r.route),
      targetId: r.target_id === null ? null : Number(r.target_id),
      status: Number(r.status),
      details: typeof r.details === 'string' ? JSON.parse(r.details) : null,
    }));
  }

  /** entries about one device (its id in the path) */
  forDevice(deviceId: number): AuditEntry[] {
    return this.list({ limit: 10_000, targetId: deviceId, route: '/api/v1/devices/' });
  }

  /** forgets entries older than `before` (same retention as raw data) */
  prune(before: number): number {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before).changes;
  }
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
      audit.record({
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
