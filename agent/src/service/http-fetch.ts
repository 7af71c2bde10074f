import type { IncomingMessage } from 'node:http';

/**
 * The small part of `fetch` the agent uses (one JSON POST to enroll), on node:http/https. Global
 * `fetch` loads undici and compiles its WebAssembly HTTP parser: about 15 MB more RSS for a service
 * that enrolls once (docs/benchmarks.md "Agent footprint"), while node:http is loaded anyway by the
 * WebSocket link. Failures look like fetch's (`TypeError('fetch failed', { cause })`, an
 * `AbortError` when aborted), so callers handle both the same way.
 */
export interface MiniResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface MiniRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export type MiniFetch = (url: string, init?: MiniRequestInit) => Promise<MiniResponse>;

/** Longest a request may take before it fails like a network error. */
export const HTTP_FETCH_TIMEOUT_MS = 60_000;
/** Largest answer read (an enroll answer is a few hundred bytes). */
const MAX_BODY_BYTES = 1024 * 1024;

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('This operation was aborted');
  err.name = 'AbortError';
  return err;
}

export const httpFetch: MiniFetch = async (url, init = {}) => {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${target.protocol}`) });
  }
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const signal = init.signal;
  if (signal?.aborted) throw abortError(signal);
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  return new Promise<MiniResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const req = request(
      target,
      {
        method: init.method ?? 'GET',
        headers: {
          ...init.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        timeout: HTTP_FETCH_TIMEOUT_MS,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: {
              get(name) {
                const v = res.headers[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
              },
            },
            text: async () => text,
          });
        });
      },
    );
    const onAbort = () => {
      req.destroy();
      fail(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('timeout', () => {
      const err = Object.assign(new Error(`no answer within ${HTTP_FETCH_TIMEOUT_MS / 1000} s`), {
        code: 'ETIMEDOUT',
      });
      req.destroy(err);
    });
    req.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
    req.end(body);
  });
};
