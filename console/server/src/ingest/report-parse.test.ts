import { isDeepStrictEqual } from 'node:util';
import { createRng } from '@sluimer/scripts/model';
import {
  EARLIEST_VALID_MS,
  HOUR_MS,
  LIMITS,
  MAX_INTERVAL_MS,
  ReportFrameSchema,
  SeqSchema,
} from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { fastReport, parseReport, parseSeq } from './report-parse.js';

/** mulberry32: the same "random" frames on every run */
function rng(seed: number): () => number {
  return createRng(seed).next;
}

const MAX_EPOCH = 8_640_000_000_000;
const base = Date.UTC(2026, 10, 27, 8);

function frames(seed: number, n: number): unknown[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const oddNumbers = [
    0,
    -1,
    1.5,
    -0,
    EARLIEST_VALID_MS - 1,
    EARLIEST_VALID_MS,
    MAX_EPOCH,
    MAX_EPOCH + 1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    2 ** 60,
    1e308,
  ];
  const odd = () =>
    pick<unknown>([
      ...oddNumbers,
      null,
      '1',
      '',
      true,
      [],
      {},
      [1],
      'report',
      'idle',
      'on',
      'off',
      'ac',
      'battery',
      'ACTIVE',
      'sleep',
      ' on',
      'x'.repeat(300),
    ]);

  function interval(start: number): Record<string, unknown> {
    const len = pick([1, 1000, 59_000, HOUR_MS, 5 * HOUR_MS, MAX_INTERVAL_MS]);
    const iv: Record<string, unknown> = {
      start,
      end: start + len,
      state: pick(['active', 'idle', 'asleep', 'off']),
    };
    if (chance(0.7)) iv.display = pick(['on', 'off']);
    if (chance(0.6)) iv.power = pick(['ac', 'battery']);
    if (chance(0.05)) iv.extra = odd(); // unknown keys are dropped, not refused
    return iv;
  }

  function blocker(): unknown {
    const b: Record<string, unknown> = {
      name: pick(['zoom', 'teams', 'x'.repeat(201), '']),
      kind: 'process',
    };
    if (chance(0.3)) b.kind = pick(['driver', 'service', 'app', null]);
    if (chance(0.4)) b.reason = pick(['meeting', 'y'.repeat(501), 3]);
    if (chance(0.4)) b.blocks = chance(0.8) ? ['display', 'sleep'] : ['z'.repeat(41)];
    return chance(0.05) ? odd() : b;
  }

  function counters(): unknown {
    const c: Record<string, unknown> = {};
    if (chance(0.5)) c.droppedReports = pick([0, 3, -1, 1.5, 2e9]);
    if (chance(0.5)) c.droppedIntervals = pick([0, 12]);
    if (chance(0.5))
      c.nudges = chance(0.8)
        ? { sleep: { shown: 2 }, break: { dismissed: 1, snoozed: 2 } }
        : { x: { shown: -1 } };
    return chance(0.05) ? odd() : c;
  }

  /** one fault in an otherwise well-formed frame */
  function mutate(f: Record<string, unknown>): unknown {
    const ivs = Array.isArray(f.intervals) ? (f.intervals as Record<string, unknown>[]) : [];
    const any = ivs.length ? pick(ivs) : undefined;
    const iv = typeof any === 'object' && any !== null && !Array.isArray(any) ? any : undefined;
    switch (Math.floor(r() * 8)) {
      case 0:
        if (chance(0.2)) delete f.seq;
        else f.seq = odd();
        break;
      case 1:
        if (chance(0.2)) delete f.intervals;
        else f.intervals = chance(0.5) ? odd() : Array(1001).fill(interval(base));
        break;
      case 2:
        f.type = pick(['hello', 'Report', null]);
        break;
      case 3:
        if (iv) iv.end = chance(0.5) ? iv.start : (iv.start as number) + MAX_INTERVAL_MS + pick([1, -1, 0]);
        break;
      case 4:
        if (iv) iv[pick(['start', 'end'])] = pick(oddNumbers);
        break;
      case 5:
        if (iv) {
          const key = pick(['start', 'end', 'state', 'display', 'power']);
          if (chance(0.2)) delete iv[key];
          else iv[key] = odd();
        }
        break;
      case 6:
        if (ivs.length) ivs[Math.floor(r() * ivs.length)] = odd() as Record<string, unknown>;
        break;
      default:
        return odd();
    }
    return f;
  }

  const out: unknown[] = [];
  for (let k = 0; k < n; k++) {
    const count = chance(0.02) ? pick([0, 1000]) : 1 + Math.floor(r() * 30);
    const intervals: Record<string, unknown>[] = [];
    let t = base + Math.floor(r() * 1e6);
    for (let i = 0; i < count; i++) {
      const iv = interval(t);
      intervals.push(iv);
      t = iv.end as number;
    }
    const f: Record<string, unknown> = { type: 'report', seq: 1 + Math.floor(r() * 1e6), intervals };
    if (chance(0.15)) f.blockers = chance(0.9) ? Array.from({ length: pick([0, 1, 3, 51]) }, blocker) : odd();
    if (chance(0.15)) f.counters = counters();
    if (chance(0.05)) f.unknownExtension = { a: 1 };
    let frame: unknown = f;
    if (chance(0.6)) {
      frame = mutate(f);
      if (chance(0.2) && frame === f) frame = mutate(f);
    }
    out.push(frame);
  }
  // the way frames arrive: through JSON
  return out.map((f) => JSON.parse(JSON.stringify(f) ?? 'null'));
}

describe('report fast path', () => {
  it('accepts exactly the frames zod accepts, with the same data, and gives zod’s error otherwise', () => {
    const all = frames(20261128, 3000);
    let valid = 0;
    let invalid = 0;
    const disagreements: string[] = [];
    for (const msg of all) {
      const z = ReportFrameSchema.safeParse(msg);
      const fast = fastReport(msg);
      const mine = parseReport(msg);
      const same = z.success
        ? isDeepStrictEqual(fast, z.data) && mine.success && isDeepStrictEqual(mine.data, z.data)
        : fast === undefined && !mine.success && isDeepStrictEqual(mine.error.issues, z.error.issues);
      if (z.success) valid++;
      else invalid++;
      if (!same) disagreements.push(JSON.stringify(msg).slice(0, 300));
    }
    expect(disagreements).toEqual([]);
    // both sides are well represented, so the comparison means something
    expect(valid).toBeGreaterThan(800);
    expect(invalid).toBeGreaterThan(800);
  }, 60_000);

  it('drops unknown keys like zod, and leaves absent optional fields absent', () => {
    const msg = {
      type: 'report',
      seq: 7,
      future: true,
      intervals: [{ start: base, end: base + 1000, state: 'idle', note: 'x' }],
    };
    const data = fastReport(msg);
    expect(data).toStrictEqual({
      type: 'report',
      seq: 7,
      intervals: [{ start: base, end: base + 1000, state: 'idle' }],
    });
    expect(data).toStrictEqual(ReportFrameSchema.parse(msg));
  });

  it('checks the edges of every interval rule by hand the same way', () => {
    const one = (iv: Record<string, unknown>) => ({ type: 'report', seq: 1, intervals: [iv] });
    const cases = [
      { start: EARLIEST_VALID_MS, end: EARLIEST_VALID_MS + 1, state: 'off' },
      { start: EARLIEST_VALID_MS - 1, end: EARLIEST_VALID_MS + 1, state: 'off' },
      { start: MAX_EPOCH - 1, end: MAX_EPOCH, state: 'off' },
      { start: MAX_EPOCH, end: MAX_EPOCH + 1, state: 'off' },
      { start: base, end: base + MAX_INTERVAL_MS, state: 'asleep' },
      { start: base, end: base + MAX_INTERVAL_MS + 1, state: 'asleep' },
      { start: base, end: base, state: 'idle' },
      { start: base + 0.5, end: base + 1000, state: 'idle' },
      { start: base, end: base + 1000, state: 'idle', display: null },
      { start: base, end: base + 1000, state: 'idle', power: 'usb' },
      { start: base, end: base + 1000, state: 'idle', power: null },
      { start: base, end: base + 1000, state: 'idle', display: 'off', power: 'battery', x: null },
    ];
    const expected = [true, false, true, false, true, false, false, false, false, false, false, true];
    cases.forEach((iv, i) => {
      expect(ReportFrameSchema.safeParse(one(iv)).success).toBe(expected[i]);
      expect(fastReport(one(iv)) !== undefined).toBe(expected[i]);
    });
    const tooMany = {
      type: 'report',
      seq: 1,
      intervals: Array(LIMITS.maxIntervalsPerReport + 1).fill(cases[0]),
    };
    expect(fastReport(tooMany)).toBeUndefined();
    expect(ReportFrameSchema.safeParse(tooMany).success).toBe(false);
  });

  it('reads seq like SeqSchema', () => {
    for (const v of [
      1,
      2,
      0,
      -1,
      1.5,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1,
      '1',
      null,
      undefined,
    ]) {
      const z = SeqSchema.safeParse(v);
      expect(parseSeq(v)).toBe(z.success ? z.data : undefined);
    }
  });
});
