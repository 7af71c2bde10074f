// Every API route the console registers is described by the shared contract (shared/src/api): its
// path parameters, query and body, and its answers. Like the route × role test, it walks the routes
// the server itself registered, so a route added later without a contract entry fails here.
import { API_CONTRACT, contractOf, ErrorCode, HOUR_MS, type RouteContract } from '@sluimer/shared';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestConsole, TestAgent, type TestConsole } from '../test-support.js';
import { installContract } from './contract.js';
import { installErrorHandler } from './errors.js';

/** write routes that take no body at all; any other POST/PUT/PATCH must name its body schema */
const NO_BODY = ['POST /api/v1/logout'];

let t: TestConsole;
const ids = { groupId: 0, deviceId: 0, policyId: 0 };
let deviceToken = '';
const T0 = Date.now() - 2 * HOUR_MS;

beforeAll(async () => {
  t = await startTestConsole();
  const { groupId, secret } = await t.groupWithSecret('Contract school');
  const dev = await t.enroll(secret, 'contract-device-01', {
    chassisType: 'Notebook',
    manufacturer: 'Acme',
    model: 'Book 14',
    battery: { hasBattery: true, designCapacityWh: 50, fullCapacityWh: 45, cycleCount: 120 },
    bios: { vendor: 'Acme', releaseDate: '2022-03-01' },
  });
  const policy = await t.api('POST', '/api/v1/policies', {
    token: t.adminToken,
    body: { name: 'Lessen', settings: { sleepAfterSec: { ac: 1800 } } },
  });
  await t.api('POST', `/api/v1/policies/${policy.body.id}/assign`, {
    token: t.adminToken,
    body: { groupIds: [groupId] },
  });
  // a device that reported, with a blocker, and applied its policy
  const { agent } = await TestAgent.hello(t.url, dev.deviceToken);
  await agent.report(1, [{ start: T0, end: T0 + HOUR_MS, state: 'idle', display: 'on', power: 'ac' }], {
    blockers: [{ name: 'presenter.exe', kind: 'process', reason: 'presentation' }],
  });
  agent.close();
  await agent.waitClosed();
  Object.assign(ids, { groupId, deviceId: dev.deviceId, policyId: policy.body.id });
  deviceToken = dev.deviceToken;
});
afterAll(async () => {
  await t?.close();
});

const apiRoutes = () => t.c.routes.filter((r) => r.url.startsWith('/api/'));
const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const shapeKeys = (s: z.ZodType | undefined) => (s instanceof z.ZodObject ? Object.keys(s.shape).sort() : []);

describe('the API contract', () => {
  it('describes every API route the console registers: parameters, query, body and answers', () => {
    expect(apiRoutes().length).toBeGreaterThan(40);
    for (const r of apiRoutes()) {
      const key = keyOf(r);
      const c = contractOf(r.method, r.url);
      expect(c, `${key} has no entry in API_CONTRACT (shared/src/api/contract.ts)`).toBeDefined();
      const pathParams = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).sort();
      expect(shapeKeys(c!.params), `${key}: params schema`).toEqual(pathParams);
      if (['POST', 'PUT', 'PATCH'].includes(r.method) && !NO_BODY.includes(key)) {
        expect(c!.body, `${key}: body schema`).toBeDefined();
      }
      const statuses = Object.keys(c!.responses).map(Number);
      expect(statuses.length, `${key}: answers`).toBeGreaterThan(0);
      for (const s of statuses) expect(s >= 200 && s < 300, `${key}: ${s} is a success`).toBe(true);
    }
  });

  it('names no route the console does not serve', () => {
    const served = new Set(apiRoutes().map(keyOf));
    expect(Object.keys(API_CONTRACT).filter((k) => !served.has(k))).toEqual([]);
  });

  it('answers every GET route, with real data behind it, in the shape the contract gives', async () => {
    const from = new Date(T0 - HOUR_MS).toISOString();
    const to = new Date(T0 + 2 * HOUR_MS).toISOString();
    const query: Record<string, string> = {
      'GET /api/v1/usage': `?from=${from}&to=${to}&groupBy=device`,
      'GET /api/v1/web/devices/:id/timeline': `?from=${from}&to=${to}`,
      'GET /api/v1/web/device-reasons': `?ids=${ids.deviceId}`,
      'GET /api/v1/policies/recommended': `?groupId=${ids.groupId}`,
      'GET /api/v1/waste-causes': `?from=${T0 - HOUR_MS}&to=${Date.now()}&ids=${ids.deviceId}`,
      'GET /api/v1/calendar/template': `?groupId=${ids.groupId}`,
    };
    const idFor = (url: string) =>
      url.includes('/groups/') ? ids.groupId : url.includes('/policies/') ? ids.policyId : ids.deviceId;
    let checked = 0;
    for (const r of apiRoutes()) {
      const key = keyOf(r);
      const c = API_CONTRACT[key as keyof typeof API_CONTRACT] as RouteContract;
      if (r.method !== 'GET' || c.events) continue;
      const path = r.url.replace(':id', String(idFor(r.url))) + (query[key] ?? '');
      // routes for agents take the device token, every other one a user's
      const token = r.access === 'agent' ? deviceToken : t.adminToken;
      const res = await t.api('GET', path, { token });
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(200);
      const parsed = (c.responses[200] as z.ZodType).safeParse(res.body);
      expect(parsed.success, `${key}: ${parsed.error?.message}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('checks a request before the handler runs: a bad query is 400 validation_failed naming the field', async () => {
    const res = await t.api('GET', '/api/v1/usage?from=2026-01-01&to=2026-02-01&groupBy=week', {
      token: t.adminToken,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(ErrorCode.Validation);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'groupBy' })]);
  });
});

describe('serialising answers with the contract', () => {
  async function appAnswering(answer: unknown) {
    const app = Fastify();
    installErrorHandler(app);
    installContract(app);
    app.get('/api/v1/health', async () => answer);
    await app.ready();
    return app;
  }

  it('sends only what the response schema names', async () => {
    const app = await appAnswering({ ok: true, agentsOnline: 3, publicUrl: null, passwordHash: 'x' });
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, agentsOnline: 3, publicUrl: null });
    await app.close();
  });

  it('answers 500 internal_error instead of an answer that breaks the contract', async () => {
    const app = await appAnswering({ ok: 'yes', agentsOnline: 3 });
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe(ErrorCode.Internal);
    await app.close();
  });
});
