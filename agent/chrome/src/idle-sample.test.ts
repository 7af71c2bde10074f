import {
  cutOpen,
  decideNudge,
  initialNudgeState,
  initialTracker,
  observeSample,
  takeClosed,
} from '@sluimer/agent/core';
import { DEFAULT_ENERGY_SETTINGS, type EffectivePolicy } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  type ChromeIdleState,
  nextLastInput,
  sampleFromIdleState,
  sessionIdleMs,
  sleepSoonDueAt,
} from './idle-sample.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const DETECT = 15_000;
const cfg = { idleThresholdMs: DETECT };

/** the service worker's step, reduced to what this module decides: last input, sample, report cuts */
function device() {
  let tracker = initialTracker(T0);
  let idle: ChromeIdleState = 'active';
  let lastInputAt: number | null = null;
  const closed: ReturnType<typeof takeClosed>[0] = [];
  return {
    at(state: ChromeIdleState, ms: number, { report = false } = {}) {
      const now = T0 + ms;
      lastInputAt = nextLastInput({ state: idle, lastInputAt }, state, now, DETECT);
      idle = state;
      tracker = observeSample(tracker, sampleFromIdleState(state, now, ms, DETECT, lastInputAt), cfg);
      if (report) {
        const [c, rest] = takeClosed(cutOpen(tracker, cfg));
        closed.push(...c);
        tracker = rest;
      }
    },
    idleMs: (ms: number) => sessionIdleMs(idle, T0 + ms, lastInputAt),
    intervals() {
      const [c] = takeClosed(cutOpen(tracker, cfg));
      return [...closed, ...c].map((i) => [i.state, (i.start - T0) / 1000, (i.end - T0) / 1000]);
    },
  };
}

describe('chrome.idle states as samples for the core tracker', () => {
  it('backdates idle to one detection interval before Chrome reports it, and ends it at new input', () => {
    const d = device();
    d.at('active', 0);
    d.at('idle', 40_000); // last input at 25 s
    d.at('idle', 100_000); // still idle: the last input stays at 25 s
    d.at('active', 130_000);
    expect(d.intervals()).toEqual([
      ['active', 0, 25],
      ['idle', 25, 130],
    ]);
  });

  it('counts a locked screen as not in use', () => {
    expect(sampleFromIdleState('locked', T0, 0, DETECT, T0 - DETECT).idleMs).toBe(DETECT);
    expect(nextLastInput({ state: 'active', lastInputAt: T0 - 5_000 }, 'locked', T0, DETECT)).toBe(
      T0 - DETECT,
    );
  });

  it('keeps the last input where it was while idle continues, however often a report is cut', () => {
    const d = device();
    d.at('active', 0);
    d.at('idle', 15_000, { report: true }); // Chrome reports idle: a report goes out
    for (let m = 1; m <= 5; m++) d.at('idle', 15_000 + m * 60_000, { report: true }); // minute ticks, each cut
    // the pupil has been away since 0 s, not since the last cut
    expect(d.idleMs(320_000)).toBe(320_000);
    expect(d.intervals()).toEqual([
      ['idle', 0, 15],
      ['idle', 15, 75],
      ['idle', 75, 135],
      ['idle', 135, 195],
      ['idle', 195, 255],
      ['idle', 255, 315],
    ]);
  });

  it('takes the detection interval as the idle time when idle was seen without the step before it', () => {
    // e.g. the worker missed the event and a minute tick reads `idle`: never more idle than Chrome vouches for
    expect(nextLastInput({ state: 'active', lastInputAt: T0 - 600_000 }, 'idle', T0, DETECT)).toBe(
      T0 - DETECT,
    );
    expect(nextLastInput({ state: 'idle', lastInputAt: null }, 'idle', T0, DETECT)).toBe(T0 - DETECT);
    expect(nextLastInput({ state: 'idle', lastInputAt: T0 + 60_000 }, 'idle', T0, DETECT)).toBe(T0);
  });

  it('knows how long the pupil has been away only when the last input is known', () => {
    expect(sessionIdleMs('idle', T0 + 90_000, T0)).toBe(90_000);
    expect(sessionIdleMs('active', T0 + 90_000, T0)).toBe(0);
    expect(sessionIdleMs('idle', T0, null)).toBeNull();
  });
});

describe('the sleep-soon nudge on a Chromebook', () => {
  const policy = { auditOnly: false, sleepAfterSec: { ac: 300 } } as EffectivePolicy;

  it('is due two minutes before the sleep timeout, counted from the last input', () => {
    expect(sleepSoonDueAt('idle', T0, 300, 120_000, T0 + 20_000)).toBe(T0 + 181_000);
    expect(sleepSoonDueAt('active', T0, 300, 120_000, T0)).toBeNull();
    expect(sleepSoonDueAt('idle', T0, undefined, 120_000, T0)).toBeNull();
    expect(sleepSoonDueAt('idle', T0, 300, 120_000, T0 + 200_000)).toBeNull();
  });

  it('is decided at its due time even when reports were cut during the idle stretch', () => {
    const d = device();
    d.at('active', 0);
    d.at('idle', 15_000, { report: true });
    d.at('idle', 60_000, { report: true });
    d.at('idle', 120_000, { report: true });
    const due = sleepSoonDueAt('idle', T0, 300, 120_000, T0 + 120_000)!;
    d.at('idle', due - T0, { report: true });
    const decision = decideNudge({
      now: due,
      policy,
      timeline: [],
      session: { idleMs: d.idleMs(due - T0), presenting: false },
      profile: { deviceClass: 'chromebook' },
      energy: DEFAULT_ENERGY_SETTINGS,
      kinds: ['sleepSoon'],
      state: initialNudgeState(),
    });
    expect(decision.nudge?.content).toMatchObject({ kind: 'sleepSoon', minutes: 2 });
  });
});
