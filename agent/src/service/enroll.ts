import { randomUUID } from 'node:crypto';
import {
  EnrollResponseSchema,
  ErrorCode,
  type Inventory,
  InventorySchema,
  SluimerError,
} from '@sluimer/shared';
import { httpFetch, type MiniFetch } from './http-fetch.js';
import type { KeyStore } from './store.js';

export interface Identity {
  deviceId: number;
  deviceToken: string;
  serverUrl: string;
}

/** The random install id, generated once and kept (hardware UUIDs repeat on imaged laptops). */
export function installId(store: KeyStore): string {
  const saved = store.read<{ installId: string }>('install');
  if (saved?.installId) return saved.installId;
  const id = randomUUID();
  store.write('install', { installId: id, createdAt: new Date().toISOString() });
  return id;
}

export function loadIdentity(store: KeyStore, serverUrl: string): Identity | null {
  const id = store.read<Identity>('device');
  if (!id || typeof id.deviceToken !== 'string') return null;
  // a token belongs to one console: another server means enrolling again
  if (normalizeServer(id.serverUrl) !== normalizeServer(serverUrl)) return null;
  return id;
}

export function normalizeServer(url: string): string {
  return url.replace(/\/+$/, '');
}

export interface EnrollInput {
  serverUrl: string;
  enrollSecret: string;
  installId: string;
  hostname: string;
  inventory: Inventory;
  /** default: node:http/https (`httpFetch`), not the global fetch (undici costs ~15 MB RSS) */
  fetch?: MiniFetch;
  signal?: AbortSignal;
}

/** A fetch failure with its cause spelled out (fetch itself only says "fetch failed"). */
function networkError(err: unknown): unknown {
  if (!(err instanceof Error) || err.name === 'AbortError') return err;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const detail = [code, cause?.message].filter(Boolean).join(': ') || err.message;
  const tls = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME/i.test(detail);
  return new SluimerError(
    ErrorCode.CommandFailed,
    tls
      ? `Het certificaat van de console wordt niet vertrouwd (${detail}); stel de school-CA in met SLUIMER_CA_FILE. / The console's certificate is not trusted (${detail}); configure the school CA with SLUIMER_CA_FILE.`
      : `De console is niet bereikbaar / the console cannot be reached: ${detail}`,
    { cause: detail },
  );
}

/** Thrown for errors that retrying will not fix (a wrong, expired or revoked secret). */
export function isPermanentEnrollError(err: unknown): boolean {
  return err instanceof SluimerError && err.code === ErrorCode.BadEnrollSecret;
}

/** POST /api/v1/enroll. A 401/403 is permanent (bad secret); network errors and 5xx may be retried. */
export async function enroll(input: EnrollInput): Promise<Identity> {
  const f = input.fetch ?? httpFetch;
  const inv = InventorySchema.safeParse(input.inventory);
  const res = await f(`${normalizeServer(input.serverUrl)}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      enrollSecret: input.enrollSecret,
      installId: input.installId,
      hostname: input.hostname.slice(0, 255) || 'unknown',
      inventory: inv.success ? inv.data : {},
    }),
    ...(input.signal ? { signal: input.signal } : {}),
  }).catch((err: unknown) => {
    throw networkError(err);
  });
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new SluimerError(
      ErrorCode.BadEnrollSecret,
      'De console weigert de inschrijfcode (fout, verlopen of ingetrokken); vraag IT om een nieuwe. / The console refused the enroll secret (wrong, expired or revoked); ask IT for a new one.',
      { status: res.status, body: text.slice(0, 300) },
    );
  }
  if (!res.ok) {
    // 429/503: the console is busy (a whole school enrolling at once); Retry-After says when to come back
    const retryAfter = res.headers.get('retry-after');
    let retryAfterMs: number | undefined;
    if (retryAfter && /^\s*\d+\s*$/.test(retryAfter)) retryAfterMs = Number(retryAfter) * 1000;
    else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) {
      retryAfterMs = Math.max(0, Date.parse(retryAfter) - Date.now());
    }
    throw new SluimerError(
      ErrorCode.CommandFailed,
      `Enrollment failed with HTTP ${res.status}: ${text.slice(0, 300)}`,
      { status: res.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    );
  }
  const parsed = EnrollResponseSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new SluimerError(
      ErrorCode.CommandFailed,
      `Enrollment answer not understood: ${text.slice(0, 300)}`,
    );
  }
  return { ...parsed.data, serverUrl: normalizeServer(input.serverUrl) };
}
