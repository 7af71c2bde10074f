import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceStateRecord } from './device-state.js';
import { Outbox } from './outbox.js';

const T0 = Date.UTC(2026, 2, 10, 8);
const iv = (k: number): Interval => ({
  start: T0 + k * MINUTE_MS,
  end: T0 + (k + 1) * MINUTE_MS,
  state: 'active',
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluimer-device-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('device state record', () => {
  it('keeps the tracker state across a reopen, beside the reports', () => {
    const path = join(dir, 'outbox.sqlite');
    const a = Outbox.open(path);
    expect(new DeviceStateRecord(a.database).load()).toBeNull();
    a.database.transaction(() => {
      a.enqueue({ intervals: [iv(0)], now: T0 });
      new DeviceStateRecord(a.database).save({ open: 'x' });
    });
    a.close();
    const b = Outbox.open(path);
    expect(new DeviceStateRecord(b.database).load()).toEqual({ open: 'x' });
    expect(b.pending(10).map((r) => r.seq)).toEqual([1]);
    b.close();
  });

  it('writes neither the report nor the state when the transaction does not finish', () => {
    const o = Outbox.open(':memory:');
    const state = new DeviceStateRecord(o.database);
    state.save({ closed: [iv(0)] });
    expect(() =>
      o.database.transaction(() => {
        o.enqueue({ intervals: [iv(0)], now: T0 });
        state.save({ closed: [] });
        throw new Error('killed');
      }),
    ).toThrow('killed');
    // the interval is still in the state and in no report: counted once after a restart
    expect(state.load()).toEqual({ closed: [iv(0)] });
    expect(o.stats().rows).toBe(0);
    o.close();
  });

  it('refuses a stored state that is not JSON, so the service can count the loss', () => {
    const o = Outbox.open(':memory:');
    o.database.set('tracker', '{broken');
    expect(() => new DeviceStateRecord(o.database).load()).toThrow(SyntaxError);
    o.close();
  });
});
