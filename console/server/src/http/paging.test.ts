import { DAY_MS, type Interval, LIMITS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TIMELINE_INTERVALS } from '../routes/web-devices.js';
import { startTestConsole, type TestConsole } from '../test-support.js';

// Every list and timeline answer is bounded (docs/security.md "Bounded answers").

let t: TestConsole;
let secret: string;
let groupId: number;

beforeAll(async () => {
  t = await startTestConsole();
  ({ secret, groupId } = await t.groupWithSecret());
});
afterAll(async () => {
  await t.close();
});

const get = (path: string) => t.api('GET', path, { token: t.adminToken });

/** follows X-Next-Cursor through a paged list answer; returns every id and the number of pages */
async function walk(path: string, limit: number) {
  const ids: number[] = [];
  let pages = 0;
  let after: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(`${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.length).toBeLessThanOrEqual(limit);
    ids.push(...r.body.map((x: { id: number }) => x.id));
    after = r.headers.get('x-next-cursor');
    pages++;
  } while (after);
  return { ids, pages };
}

describe('bounded answers', () => {
  it('pages a device’s timeline: at most 10,000 intervals per answer, the rest reachable from nextCursor', async () => {
    const dev = await t.enroll(secret);
    // 25,000 one-second intervals (alternating, so none join) stored through the real ingest path
    const start0 = Math.floor((Date.now() - DAY_MS) / 1000) * 1000;
    const items = [];
    for (let r = 0; r < 25; r++) {
      const intervals: Interval[] = [];
      for (let i = 0; i < LIMITS.maxIntervalsPerReport; i++) {
        const start = start0 + (r * LIMITS.maxIntervalsPerReport + i) * 1000;
        intervals.push({ start, end: start + 1000, state: i % 2 ? 'active' : 'idle' });
      }
      items.push({ deviceId: dev.deviceId, seq: r + 1, intervals });
    }
    const now = Date.now();
    const outcomes = await t.c.ingest.ingestBatch(items, {
      now,
      maxEnd: now + LIMITS.maxFutureSkewMs,
      minStart: now - 30 * DAY_MS,
    });
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);

    const from = start0 - 1000;
    const to = start0 + DAY_MS;
    const first = await get(`/api/v1/web/devices/${dev.deviceId}/timeline?from=${from}&to=${to}`);
    expect(first.status).toBe(200);
    expect(first.body.intervals).toHaveLength(MAX_TIMELINE_INTERVALS);
    expect(first.body.truncated).toBe(true);
    expect(first.body.nextCursor).toBe(start0 + MAX_TIMELINE_INTERVALS * 1000);
    expect(JSON.stringify(first.body).length).toBeLessThan(1024 * 1024);

    let cursor: number | null = first.body.nextCursor;
    let seen = first.body.intervals.length;
    let last = first.body.intervals[first.body.intervals.length - 1].end;
    while (cursor !== null) {
      const r = await get(`/api/v1/web/devices/${dev.deviceId}/timeline?from=${cursor}&to=${to}&limit=7000`);
      expect(r.body.intervals.length).toBeLessThanOrEqual(7000);
      // pages follow each other without a gap or an overlap
      expect(r.body.intervals[0].start).toBe(last);
      last = r.body.intervals[r.body.intervals.length - 1].end;
      seen += r.body.intervals.length;
      cursor = r.body.nextCursor;
    }
    expect(seen).toBe(25_000);

    // a page starting inside an interval gets that interval clipped, and a small range is not truncated
    const inside = await get(
      `/api/v1/web/devices/${dev.deviceId}/timeline?from=${start0 + 500}&to=${start0 + 3000}`,
    );
    expect(inside.body).toMatchObject({ truncated: false, nextCursor: null });
    expect(inside.body.intervals.map((i: Interval) => [i.start - start0, i.end - start0])).toEqual([
      [500, 1000],
      [1000, 2000],
      [2000, 3000],
    ]);
    const tooMany = await get(
      `/api/v1/web/devices/${dev.deviceId}/timeline?from=${from}&to=${to}&limit=${MAX_TIMELINE_INTERVALS + 1}`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('validation_failed');
  });

  it('pages GET /api/v1/devices with limit and after, naming the next page in X-Next-Cursor', async () => {
    const { secret: s2, groupId: g2 } = await t.groupWithSecret();
    const enrolled = [];
    for (let i = 0; i < 5; i++) enrolled.push((await t.enroll(s2)).deviceId);
    const { ids, pages } = await walk(`/api/v1/devices?groupId=${g2}`, 2);
    expect(ids).toEqual(enrolled);
    expect(pages).toBe(3);
    const all = await get(`/api/v1/devices?groupId=${g2}`);
    expect(all.body).toHaveLength(5);
    expect(all.headers.get('x-next-cursor')).toBeNull();
    expect((await get('/api/v1/devices?limit=1001')).status).toBe(400);
    expect((await get('/api/v1/devices?limit=0')).status).toBe(400);
  });

  it('pages users, groups, enroll secrets, API tokens and policies the same way', async () => {
    for (let i = 0; i < 3; i++) {
      await t.userToken('viewer');
      await t.api('POST', '/api/v1/groups', {
        token: t.adminToken,
        body: { name: `Lokaal ${i}`, parentId: groupId },
      });
      await t.api('POST', `/api/v1/groups/${groupId}/enroll-secrets`, { token: t.adminToken, body: {} });
      await t.api('POST', '/api/v1/policies', {
        token: t.adminToken,
        body: { name: `Beleid ${i}`, settings: {} },
      });
    }
    for (const path of [
      '/api/v1/users',
      '/api/v1/groups',
      `/api/v1/groups/${groupId}/enroll-secrets`,
      '/api/v1/enroll-secrets',
      '/api/v1/policies',
    ]) {
      const whole = await get(path);
      expect(whole.body.length, path).toBeGreaterThanOrEqual(3);
      const { ids, pages } = await walk(path, 1);
      expect(ids).toEqual(whole.body.map((x: { id: number }) => x.id));
      expect(pages).toBe(whole.body.length);
    }
    const tokens = await get('/api/v1/tokens?limit=1');
    expect(tokens.body).toHaveLength(1);
    expect((await get('/api/v1/users?limit=501')).status).toBe(400);
  });
});
