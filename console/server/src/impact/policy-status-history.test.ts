import { HOUR_MS } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import type { PolicyStatusEvent } from '../store/types.js';
import { recordedStatusAt, recordedStatusOver } from './policy-status-history.js';

const T0 = Date.UTC(2026, 2, 2, 8);
const status = (at: number, etag: string, ok = true, errorCodes: string[] = []): PolicyStatusEvent => ({
  deviceId: 1,
  kind: 'status',
  etag,
  ok,
  errorCodes,
  at,
});
const hello = (at: number, etag: string): PolicyStatusEvent => ({
  deviceId: 1,
  kind: 'hello',
  etag,
  ok: null,
  errorCodes: [],
  at,
});

describe('the recorded policy status', () => {
  it('follows the frames and hellos in time, like today’s status at each moment', () => {
    const events = [
      status(T0 + HOUR_MS, 'old'),
      status(T0 + 2 * HOUR_MS, 'e', false),
      status(T0 + 3 * HOUR_MS, 'e'),
      hello(T0 + 4 * HOUR_MS, 'other'),
      status(T0 + 5 * HOUR_MS, 'e', false, ['overridden_by_policy']),
    ];
    expect(recordedStatusAt(events, 'e', T0)).toBeUndefined();
    expect(recordedStatusAt(events, 'e', T0 + HOUR_MS)).toBe('pending');
    expect(recordedStatusAt(events, 'e', T0 + 2 * HOUR_MS)).toBe('failed');
    expect(recordedStatusAt(events, 'e', T0 + 3 * HOUR_MS)).toBe('compliant');
    expect(recordedStatusAt(events, 'e', T0 + 4 * HOUR_MS)).toBe('drifted');
    expect(recordedStatusAt(events, 'e', T0 + 6 * HOUR_MS)).toBe('locked');
    // a hello naming the etag in force is no drift
    expect(recordedStatusAt([status(T0, 'e'), hello(T0 + 1, 'e')], 'e', T0 + 2)).toBe('compliant');
  });

  it('splits a period into pieces of one status that cover it exactly', () => {
    const events = [status(T0 + HOUR_MS, 'e', false), status(T0 + 3 * HOUR_MS, 'e')];
    expect(recordedStatusOver(events, 'e', T0, T0 + 4 * HOUR_MS)).toEqual([
      { from: T0, to: T0 + HOUR_MS, status: undefined },
      { from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS, status: 'failed' },
      { from: T0 + 3 * HOUR_MS, to: T0 + 4 * HOUR_MS, status: 'compliant' },
    ]);
    // an event before the period decides its start
    expect(recordedStatusOver(events, 'e', T0 + 2 * HOUR_MS, T0 + 5 * HOUR_MS)).toEqual([
      { from: T0 + 2 * HOUR_MS, to: T0 + 3 * HOUR_MS, status: 'failed' },
      { from: T0 + 3 * HOUR_MS, to: T0 + 5 * HOUR_MS, status: 'compliant' },
    ]);
  });
});
