import type { AuditEntry, AuditQuery, Store } from '../store/types.js';

export type { AuditEntry } from '../store/types.js';

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

/**
 * The audit log: every change made through the console API (who, what, when), for admins
 * (GET /api/v1/audit). Written by the hook in http/audit.ts after the answer, for every write that succeeded or was refused for
 * lack of rights, and for logins (also failed ones). Secrets and passwords in request bodies are
 * never stored, only that they were set.
 *
 * Stored through the store interface (appendAudit/listAudit/pruneAudit); the SQLite table comes from
 * the store's migrations ('audit log and device retirements').
 */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async record(e: Omit<AuditEntry, 'id' | 'at'> & { at?: number }): Promise<void> {
    await this.store.appendAudit({ ...e, at: e.at ?? this.now(), details: auditDetails(e.details) });
  }

  list(q: AuditQuery): Promise<AuditEntry[]> {
    return this.store.listAudit(q);
  }

  /** entries about one device (its id in the path) */
  forDevice(deviceId: number): Promise<AuditEntry[]> {
    return this.store.listAudit({ limit: 10_000, targetId: deviceId, route: '/api/v1/devices/' });
  }

  /** forgets entries older than `before` (same retention as raw data) */
  prune(before: number): Promise<number> {
    return this.store.pruneAudit(before);
  }
}

/** what an entry keeps of a request body: secrets redacted, at most MAX_DETAILS characters of JSON */
export function auditDetails(details: unknown): unknown {
  if (details === undefined) return undefined;
  const json = JSON.stringify(redact(details));
  return json.length > MAX_DETAILS ? { truncated: json.slice(0, MAX_DETAILS) } : redact(details);
}
