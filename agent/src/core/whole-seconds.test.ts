import { type DeviceState, findOverlap, type Interval } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { wholeSecondReport } from './whole-seconds.js';

const T = Date.UTC(2026, 2, 10, 8);
const iv = (from: number, to: number, state: DeviceState = 'active'): Interval => ({
  start: T + from,
  end: T + to,
  state,
});
const total = (list: readonly Interval[]) => list.reduce((n, i) => n + i.end - i.start, 0);

describe('wholeSecondReport', () => {
  it('passes a report without short pieces through unchanged and keeps nothing back', () => {
    const closed = [iv(0, 5_000), iv(5_000, 9_000, 'idle'), iv(12_000, 13_000)];
    expect(wholeSecondReport(closed)).toEqual({ report: closed, held: [], droppedMs: 0 });
  });

  it('gives a short piece between two intervals to the one before it', () => {
    const { report, held } = wholeSecondReport([iv(0, 5_000), iv(5_000, 5_300, 'idle'), iv(5_300, 9_000)]);
    expect(report).toEqual([iv(0, 5_300), iv(5_300, 9_000)]);
    expect(held).toEqual([]);
  });

  it('gives a short first piece to the one after it, since the one before was already reported', () => {
    const { report } = wholeSecondReport([iv(0, 400, 'idle'), iv(400, 7_000)]);
    expect(report).toEqual([iv(0, 7_000)]);
  });

  it('gives a short last piece to the one before it when they touch', () => {
    const { report, held } = wholeSecondReport([iv(0, 60_000, 'idle'), iv(60_000, 60_250)]);
    expect(report).toEqual([iv(0, 60_250, 'idle')]);
    expect(held).toEqual([]);
  });

  it('keeps back a short block at the end that touches nothing before it in the report', () => {
    const closed = [iv(0, 10_000), iv(20_000, 20_300, 'idle'), iv(20_300, 20_700)];
    const { report, held, droppedMs } = wholeSecondReport(closed);
    expect(report).toEqual([iv(0, 10_000)]);
    expect(held).toEqual([iv(20_000, 20_300, 'idle'), iv(20_300, 20_700)]);
    expect(droppedMs).toBe(0);
  });

  it('keeps back a report that is one short piece, and sends it with the time that follows it', () => {
    const first = wholeSecondReport([iv(0, 600)]);
    expect(first.report).toEqual([]);
    expect(first.held).toEqual([iv(0, 600)]);
    const next = wholeSecondReport([...first.held, iv(600, 30_000, 'idle')]);
    expect(next.report).toEqual([iv(0, 30_000, 'idle')]);
    expect(next.held).toEqual([]);
  });

  it('leaves out a short piece with a gap on both sides and counts its time as dropped', () => {
    const { report, held, droppedMs } = wholeSecondReport([iv(0, 5_000), iv(6_000, 6_400), iv(8_000, 9_000)]);
    expect(report).toEqual([iv(0, 5_000), iv(8_000, 9_000)]);
    expect(held).toEqual([]);
    expect(droppedMs).toBe(400);
  });

  it('cuts a timeline of rapid state changes into reports of whole seconds without losing or inventing time', () => {
    // a seeded random walk: pieces of 1 ms to 3 s, cut into reports at random points
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const states: DeviceState[] = ['active', 'idle', 'asleep'];
    const timeline: Interval[] = [];
    let t = 0;
    for (let k = 0; k < 2_000; k++) {
      const len = 1 + Math.floor(rand() * (rand() < 0.6 ? 900 : 3_000));
      timeline.push(iv(t, t + len, states[Math.floor(rand() * 3)]!));
      t += len;
    }
    const sent: Interval[] = [];
    let held: Interval[] = [];
    for (let k = 0; k < timeline.length; ) {
      const take = 1 + Math.floor(rand() * 6);
      const out = wholeSecondReport([...held, ...timeline.slice(k, k + take)]);
      expect(out.droppedMs).toBe(0);
      for (const i of out.report) expect(i.end - i.start).toBeGreaterThanOrEqual(1_000);
      sent.push(...out.report);
      held = out.held;
      k += take;
    }
    expect(findOverlap(sent)).toBeNull();
    for (let k = 1; k < sent.length; k++) expect(sent[k]!.start).toBe(sent[k - 1]!.end);
    expect(sent[0]!.start).toBe(T);
    expect(total(sent) + total(held)).toBe(t);
    expect(total(held)).toBeLessThan(1_000);
  });
});
