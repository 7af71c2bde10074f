import { AuditQuerySchema, ErrorCode, RetireRequestSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { randomToken } from '../crypto.js';
import type { Gateway } from '../gateway.js';
import { ADMIN, STAFF } from '../http/auth.js';
import { ApiError, idParam, notFound, parse } from '../http/errors.js';
import type { PolicyService } from '../policy-service.js';
import type { SqliteStore } from '../store/sqlite.js';
import type { AuditLog } from './audit.js';

export interface OpsDeps {
  store: SqliteStore;
  gateway: Gateway;
  policies: PolicyService;
  audit: AuditLog;
  now: () => number;
}

type Row = Record<string, unknown>;

/**
 * Operations and privacy endpoints (docs/api.md, docs/privacy.md): the audit log, retiring a device
 * (its token stops working at once), and the AVG export and erasure of one device's data.
 */
export function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  const { store, gateway, audit, now } = deps;
  const db = store.db;

  app.get('/api/v1/audit', { config: { access: ADMIN } }, async (request) => {
    const q = parse(AuditQuerySchema, request.query, 'query');
    const entries =
      q.deviceId !== undefined
        ? audit.forDevice(q.deviceId).slice(0, q.limit)
        : audit.list({ limit: q.limit, ...(q.before !== undefined ? { before: q.before } : {}) });
    return { entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
  });

  // retire: the device token is replaced by an unusable value and its socket closed; history stays
  app.post('/api/v1/devices/:id/retire', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const body = parse(RetireRequestSchema, request.body, 'retirement');
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    const at = now();
    db.transaction(() => {
      db.prepare('UPDATE devices SET token_hash = ? WHERE id = ?').run(`retired:${randomToken()}`, id);
      db.prepare(
        `INSERT INTO device_retirements (device_id, retired_at, reason) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET retired_at = excluded.retired_at, reason = excluded.reason`,
      ).run(id, at, body?.reason ?? null);
    })();
    gateway.disconnect(id, 4001, 'device retired; its token no longer works');
    return { id, retiredAt: at, reason: body?.reason ?? null };
  });

  // AVG: everything stored about one device, as JSON
  app.get('/api/v1/devices/:id/export', { config: { access: ADMIN } }, async (request, reply) => {
    const id = idParam(request.params);
    const device = db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    if (!device) throw notFound(`device ${id}`);
    const { token_hash: _secret, ...columns } = device;
    const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    for (const k of ['inventory', 'monitors', 'status_applied', 'status_errors', 'blockers', 'counters'])
      if (k in columns) columns[k] = parseJson(columns[k]);
    const all = (sql: string) => db.prepare(sql).all(id) as Row[];
    reply.header('content-disposition', `attachment; filename="sluimer-device-${id}.json"`);
    return {
      exportedAt: now(),
      deviceId: id,
      note:
        'Alles wat de Sluimer-console over dit apparaat bewaart (AVG art. 15/20). Het apparaattoken staat er alleen als hash in de database en is hier weggelaten. / ' +
        'Everything the Sluimer console stores about this device. The device token is stored only as a hash and left out here.',
      device: columns,
      retirement:
        db.prepare('SELECT retired_at, reason FROM device_retirements WHERE device_id = ?').get(id) ?? null,
      intervals: all(
        'SELECT start, "end", state, display, power FROM intervals WHERE device_id = ? ORDER BY start',
      ),
      hourlyRollups: all('SELECT * FROM rollup_hour WHERE device_id = ? ORDER BY hour'),
      dailyRollups: all('SELECT * FROM rollup_day WHERE device_id = ? ORDER BY day'),
      batteryReadings: all(
        'SELECT month, health_pct, cycle_count, at FROM battery_readings WHERE device_id = ? ORDER BY month',
      ),
      audit: audit.forDevice(id),
    };
  });

  // AVG: erase one device: intervals, rollups, token and the device itself
  app.delete('/api/v1/devices/:id', { config: { access: ADMIN } }, async (request) => {
    const id = idParam(request.params);
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    const counts = db.transaction(() => {
      const intervals = db.prepare('DELETE FROM intervals WHERE device_id = ?').run(id).changes;
      const hours = db.prepare('DELETE FROM rollup_hour WHERE device_id = ?').run(id).changes;
      const days = db.prepare('DELETE FROM rollup_day WHERE device_id = ?').run(id).changes;
      db.prepare('DELETE FROM device_retirements WHERE device_id = ?').run(id);
      const devices = db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes;
      return { intervals, hourlyRollups: hours, dailyRollups: days, devices };
    })();
    if (counts.devices !== 1) throw new ApiError(409, ErrorCode.Conflict, `device ${id} changed meanwhile`);
    gateway.disconnect(id, 4001, 'device deleted');
    deps.policies.invalidate();
    return { id, deleted: counts };
  });
}
