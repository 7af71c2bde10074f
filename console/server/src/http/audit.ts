import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../ops/audit.js';
import { ADMIN } from './auth.js';
import { parse } from './errors.js';

const AuditQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.coerce.number().int().positive().optional(),
    deviceId: z.coerce.number().int().positive().optional(),
  })
  .strict();

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
