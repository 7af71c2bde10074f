import { cutOpen, initialTracker, observeSample, takeClosed } from '@sluimer/agent/core';
import { describe, expect, it } from 'vitest';
import { sampleFromIdleState, sessionIdleMs } from './idle-sample.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const DETECT = 15_000;
const cfg = { idleThresholdMs: DETECT };

describe('chrome.idle states as samples for the core tracker', () => {
  it('backdates idle to one detection interval before Chrome reports it, and ends it at new input', () => {
    let t = initialTracker(T0);
    const at = (state: 'active' | 'idle' | 'locked', ms: number) => {
      t = observeSample(t, sampleFromIdleState(state, T0 + ms, ms, DETECT, t), cfg);
    };
    at('active', 0);
    at('idle', 40_000); // last input at 25 s
    at('idle', 100_000); // still idle: the last input stays at 25 s
    at('active', 130_000);
    const [closed] = takeClosed(cutOpen(t, cfg));
    expect(closed.map((i) => [i.state, (i.start - T0) / 1000, (i.end - T0) / 1000])).toEqual([
      ['active', 0, 25],
      ['idle', 25, 130],
    ]);
  });

  it('counts a locked screen as not in use', () => {
    const t = initialTracker(T0);
    expect(sampleFromIdleState('locked', T0, 0, DETECT, t).idleMs).toBe(DETECT);
  });

  it('knows how long the pupil has been away only when the tracker saw the last input', () => {
    const t = { open: { start: T0, state: 'idle' as const }, lastInput: T0 };
    expect(sessionIdleMs('idle', T0 + 90_000, t)).toBe(90_000);
    expect(sessionIdleMs('active', T0 + 90_000, t)).toBe(0);
    expect(sessionIdleMs('idle', T0, { open: null, lastInput: null })).toBeNull();
  });
});
