import { describe, expect, it } from 'vitest';
import { nextSampleDelayMs } from './sampling.js';

const base = { idleThresholdMs: 300_000, baseMs: 5_000, maxActiveMs: 30_000 };

describe('nextSampleDelayMs', () => {
  it('waits the longest while someone is using the device', () => {
    expect(nextSampleDelayMs({ ...base, open: 'active', idleMs: 0 })).toBe(30_000);
  });

  it('never sleeps past the moment idle could begin', () => {
    expect(nextSampleDelayMs({ ...base, open: 'active', idleMs: 288_000 })).toBe(12_000);
  });

  it('keeps the base period as the floor near the threshold', () => {
    expect(nextSampleDelayMs({ ...base, open: 'active', idleMs: 299_000 })).toBe(5_000);
    expect(nextSampleDelayMs({ ...base, open: 'active', idleMs: 400_000 })).toBe(5_000);
  });

  it('samples at the base period while idle, asleep, unknown or before anything is open', () => {
    expect(nextSampleDelayMs({ ...base, open: 'idle', idleMs: 600_000 })).toBe(5_000);
    expect(nextSampleDelayMs({ ...base, open: 'asleep', idleMs: 0 })).toBe(5_000);
    expect(nextSampleDelayMs({ ...base, open: 'active', idleMs: 'unknown' })).toBe(5_000);
    expect(nextSampleDelayMs({ ...base, open: undefined, idleMs: 0 })).toBe(5_000);
  });
});
