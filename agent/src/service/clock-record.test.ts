import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Interval, LIMITS, MINUTE_MS } from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClockRecord } from './clock-record.js';
import { Outbox } from './outbox.js';

const T0 = Date.UTC(2026, 2, 10, 8);
const iv = (k: number, state: Interval['state'] = 'active'): Interval => ({
  start: T0 + k * MINUTE_MS,
  end: T0 + (k + 1) * MINUTE_MS,
  state,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-clock-record-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** what the service does per report: correct, then queue, in one transaction */
function write(o: Outbox, clock: ClockRecord, intervals: Interval[], now: number, shift: number | null) {
  return o.database.transaction(() =>
    o.enqueue({ intervals: [...clock.correct(intervals, shift)], now: now + (shift ?? 0) }),
  );
}

describe('clock record', () => {
  it('shifts intervals by the clock correction when writing and keeps the time floor across a reopen', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    const clockA = new ClockRecord(a.database);
    // written 5 min early (the device was 5 min fast), then the correction drops to 0
    write(a, clockA, [iv(10), iv(11)], T0 + 12 * MINUTE_MS, -5 * MINUTE_MS);
    expect(a.pending(10)[0]!.intervals).toEqual([{ ...iv(5) }, { ...iv(6) }]);
    expect(clockA.floor()).toBe(T0 + 7 * MINUTE_MS);
    a.close();
    const b = Outbox.open(path);
    const clockB = new ClockRecord(b.database);
    expect(clockB.floor()).toBe(T0 + 7 * MINUTE_MS);
    // [T0+4, T0+5) lies before the floor: skipped; [T0+6.5, T0+8) clipped to start at the floor
    write(
      b,
      clockB,
      [iv(4), { start: T0 + 6.5 * MINUTE_MS, end: T0 + 8 * MINUTE_MS, state: 'idle' }],
      T0 + 8 * MINUTE_MS,
      0,
    );
    expect(clockB.lastCorrection).toEqual({ skipped: 1, clipped: 1 });
    expect(b.pending(10)[1]!.intervals).toEqual([
      { start: T0 + 7 * MINUTE_MS, end: T0 + 8 * MINUTE_MS, state: 'idle' },
    ]);
    // a report wholly before the floor writes nothing; an unknown offset (null) writes as measured
    expect(write(b, clockB, [iv(2)], T0 + 8 * MINUTE_MS, 0)).toEqual([]);
    expect(write(b, clockB, [iv(2)], T0 + 8 * MINUTE_MS, null)).toEqual([3]);
    expect(clockB.floor()).toBe(T0 + 8 * MINUTE_MS);
    b.close();
  });

  it('gives a piece the clock correction clipped under 1 s to the interval after it, so the report stays whole seconds', () => {
    const o = Outbox.open(':memory:');
    const clock = new ClockRecord(o.database);
    write(o, clock, [iv(10)], T0 + 12 * MINUTE_MS, 0);
    // the shift moves [T0+10:59.6, …) back over the floor at T0+11: 400 ms of the first piece remain
    const clippedShort = {
      start: T0 + 11 * MINUTE_MS - 600,
      end: T0 + 11 * MINUTE_MS + 400,
      state: 'idle' as const,
    };
    const next = { start: T0 + 11 * MINUTE_MS + 400, end: T0 + 13 * MINUTE_MS, state: 'active' as const };
    write(o, clock, [clippedShort, next], T0 + 13 * MINUTE_MS, 0);
    expect(clock.lastCorrection).toEqual({ skipped: 0, clipped: 1 });
    const written = o.pending(10)[1]!.intervals;
    expect(written).toEqual([{ start: T0 + 11 * MINUTE_MS, end: T0 + 13 * MINUTE_MS, state: 'active' }]);
    for (const i of written) expect(i.end - i.start).toBeGreaterThanOrEqual(LIMITS.minIntervalMs);
    o.close();
  });

  it('keeps the measured clock offset across a reopen, and knows none before the first', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    expect(new ClockRecord(a.database).offset()).toBeNull();
    new ClockRecord(a.database).saveOffset(-300_000);
    a.close();
    const b = Outbox.open(path);
    expect(new ClockRecord(b.database).offset()).toBe(-300_000);
    b.close();
  });

  it('does not move the floor when the report it belongs to is not written', () => {
    const o = Outbox.open(':memory:');
    const clock = new ClockRecord(o.database);
    expect(() =>
      o.database.transaction(() => {
        clock.correct([iv(10)], 0);
        throw new Error('killed before the report was queued');
      }),
    ).toThrow('killed');
    expect(clock.floor()).toBe(0);
    o.close();
  });
});

describe('clock record: the held offset', () => {
  it('holds a measured offset, ignores a small change and keeps a large one across a reopen', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    const clock = new ClockRecord(a.database, { thresholdMs: 60_000, holdMs: 5_000 });
    expect(clock.shift()).toBeNull(); // never measured: written as measured
    // the console is 5 min ahead; the round trip took 2 s (its middle is the local moment)
    const first = clock.observe(T0 + 300_000 + 1_000, T0 + 2_000, T0);
    expect(first).toMatchObject({
      measured: 300_000,
      beyondThreshold: true,
      changed: { from: null, to: 300_000 },
    });
    expect(clock.shift()).toBe(300_000);
    expect(clock.observe(T0 + 303_000, T0, null).changed).toBeUndefined(); // 3 s: held
    expect(clock.observe(T0 + 20_000, T0, null)).toMatchObject({
      beyondThreshold: false,
      changed: { from: 300_000, to: 20_000 },
    });
    expect(clock.shift()).toBe(0); // within the threshold: nothing to correct
    a.close();
    const b = Outbox.open(path);
    expect(new ClockRecord(b.database).offset()).toBe(20_000);
    b.close();
  });

  it('measures but never shifts with the correction off', () => {
    const o = Outbox.open(':memory:');
    const clock = new ClockRecord(o.database, false);
    expect(clock.observe(T0 + 600_000, T0, null).beyondThreshold).toBe(true);
    expect(clock.shift()).toBe(0);
    o.close();
  });
});
