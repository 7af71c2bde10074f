import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from './enroll.js';
import { httpFetch } from './http-fetch.js';

describe('httpFetch: the enroll POST without undici', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; type?: string; length?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({
          method: req.method,
          type: req.headers['content-type'],
          length: req.headers['content-length'],
          body,
        });
        if (req.url === '/busy') {
          res.writeHead(503, { 'retry-after': '7' }).end('busy');
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('late'), 2_000);
        } else if (req.url === '/api/v1/enroll') {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ deviceId: 42, deviceToken: 'dt_€' }));
        } else {
          res.writeHead(200, { 'x-two': ['a', 'b'] }).end(`echo ${body}`);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the body with its length and reads status, headers and text', async () => {
    const res = await httpFetch(`${base}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"naam":"lokaal-2.14 €"}',
    });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('X-Two')).toBe('a, b');
    expect(res.headers.get('missing')).toBeNull();
    expect(await res.text()).toBe('echo {"naam":"lokaal-2.14 €"}');
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      type: 'application/json',
      length: String(Buffer.byteLength('{"naam":"lokaal-2.14 €"}')),
      body: '{"naam":"lokaal-2.14 €"}',
    });
    const busy = await httpFetch(`${base}/busy`);
    expect([busy.status, busy.ok, busy.headers.get('retry-after')]).toEqual([503, false, '7']);
  });

  it('fails like fetch: TypeError with the cause, AbortError when aborted', async () => {
    const refused = await httpFetch('http://127.0.0.1:9/').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    const ac = new AbortController();
    const slow = httpFetch(`${base}/slow`, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    expect(((await slow) as Error).name).toBe('AbortError');
    expect(
      ((await httpFetch(`${base}/x`, { signal: AbortSignal.abort() }).catch((e) => e)) as Error).name,
    ).toBe('AbortError');
  });

  it('is what enroll uses by default, with network errors explained', async () => {
    const id = await enroll({
      serverUrl: `${base}/`,
      enrollSecret: 's',
      installId: 'i',
      hostname: 'pc-1',
      inventory: {},
    });
    expect(id).toEqual({ deviceId: 42, deviceToken: 'dt_€', serverUrl: base });
    const down = await enroll({
      serverUrl: 'http://127.0.0.1:9',
      enrollSecret: 's',
      installId: 'i',
      hostname: 'pc-1',
      inventory: {},
    }).catch((e: Error) => e);
    expect((down as Error).message).toContain('ECONNREFUSED');
  });
});
