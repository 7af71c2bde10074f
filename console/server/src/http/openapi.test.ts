import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_CONTRACT } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support.js';

const DOCS_FILE = fileURLToPath(new URL('../../../../docs/openapi.json', import.meta.url));

let t: TestConsole;
beforeAll(async () => {
  t = await startTestConsole();
});
afterAll(async () => {
  await t?.close();
});

/** every `$ref` in the document, as a JSON pointer */
function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('GET /api/v1/openapi.json', () => {
  it('serves the same document as docs/openapi.json (run `npm run openapi` after changing the contract)', async () => {
    const res = await t.api('GET', '/api/v1/openapi.json', { token: await t.userToken('viewer') });
    expect(res.status).toBe(200);
    const checkedIn = JSON.parse(readFileSync(DOCS_FILE, 'utf8')) as unknown;
    expect(res.body).toEqual(checkedIn);
  });

  it('is an OpenAPI 3.1 document with every route of the contract, its access, and no dangling $ref', async () => {
    const doc = (await t.api('GET', '/api/v1/openapi.json', { token: t.adminToken })).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const key of Object.keys(API_CONTRACT)) {
      const [method, url] = key.split(' ') as [string, string];
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(op, key).toBeDefined();
      expect(op['x-sluimer-access'], `${key}: access`).toBeDefined();
    }
    expect(doc.paths['/api/v1/login'].post['x-sluimer-access']).toBe('public');
    expect(doc.paths['/api/v1/settings'].put['x-sluimer-access']).toEqual(['admin']);
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of new Set(refs)) expect(resolvePointer(doc, ref), ref).toBeDefined();
  });
});
