import { request as httpRequest } from 'node:http';
import type { ApiErrorBody, EnrollResponse, Inventory } from '@sluimer/shared';
import { retryAfterMs, sleep } from './util.js';

/** An HTTP error from the console, with the API's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorFrom(res: Response, what: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let code = `http_${res.status}`;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the raw text
  }
  return new ApiError(res.status, code, `${what}: ${res.status} ${code} ${message}`.trim());
}

/**
 * A small client of the console REST API (docs/api.md), for the demo, benchmarks and tests. Logs in
 * with a session cookie like the web app; sends the CSRF token back if the console hands one out.
 */
export class ConsoleClient {
  private cookies = new Map<string, string>();
  private csrf: string | undefined;

  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (/csrf|xsrf/i.test(name)) this.csrf = decodeURIComponent(value);
    }
  }

  async request<T>(method: string, path: string, body?: unknown, attempt = 0): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (this.csrf) {
      headers['x-csrf-token'] = this.csrf;
      headers['x-xsrf-token'] = this.csrf;
    }
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.remember(res);
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      await res.arrayBuffer().catch(() => undefined);
      await sleep(retryAfterMs(res.headers.get('retry-after'), 200 * (attempt + 1)));
      return this.request(method, path, body, attempt + 1);
    }
    if (!res.ok) throw await errorFrom(res, `${method} ${path}`);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(username: string, password: string): Promise<unknown> {
    const body = await this.request<Record<string, unknown>>('POST', '/api/v1/login', { username, password });
    const token = body?.csrfToken ?? body?.csrf;
    if (typeof token === 'string') this.csrf = token;
    return body;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
}

/** Lists may come back bare or wrapped (`{items}`, `{groups}`, …): return the array either way. */
export function listOf<T>(body: unknown, key?: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (key && Array.isArray(o[key])) return o[key] as T[];
    for (const k of ['items', 'rows', 'data']) if (Array.isArray(o[k])) return o[k] as T[];
    const arrays = Object.values(o).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as T[];
  }
  throw new Error(`expected a list, got ${JSON.stringify(body).slice(0, 200)}`);
}

/** The id of a created resource, whether the body is the resource or wraps it. */
export function idOf(body: unknown): number {
  const o = body as Record<string, unknown> | undefined;
  const direct = o?.id;
  if (typeof direct === 'number') return direct;
  for (const v of Object.values(o ?? {})) {
    const id = (v as Record<string, unknown> | null)?.id;
    if (typeof id === 'number') return id;
  }
  throw new Error(`no id in ${JSON.stringify(body).slice(0, 200)}`);
}

export interface EnrollInput {
  enrollSecret: string;
  installId: string;
  hostname: string;
  inventory?: Inventory;
}

/** A POST over node:http from a chosen local address (loopback aliases stand in for school NATs). */
function postFrom(url: URL, body: string, localAddress: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POST /api/v1/enroll; waits out 429/503 (Retry-After) so a whole school can enroll at once.
 * `localAddress` sends from another loopback address (127.0.0.x), like another school's NAT.
 */
export async function enrollDevice(
  server: string,
  input: EnrollInput,
  attempt = 0,
  localAddress?: string,
): Promise<EnrollResponse> {
  const url = new URL('/api/v1/enroll', server);
  const body = JSON.stringify({ ...input, inventory: input.inventory ?? {} });
  const res = localAddress
    ? await postFrom(url, body, localAddress)
    : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if ((res.status === 429 || res.status === 503) && attempt < 50) {
    await res.arrayBuffer().catch(() => undefined);
    await sleep(retryAfterMs(res.headers.get('retry-after'), 100 * (attempt + 1)));
    return enrollDevice(server, input, attempt + 1, localAddress);
  }
  if (res.status !== 201 && res.status !== 200) throw await errorFrom(res, 'enroll');
  return (await res.json()) as EnrollResponse;
}
