import type { Sample, TrackerState } from '@sluimer/agent/core';

/** What chrome.idle reports: no input for the detection interval is `idle`, a locked screen `locked`. */
export type ChromeIdleState = 'active' | 'idle' | 'locked';

/**
 * chrome.idle tells a state, not the idle time the core's tracker wants, so the idle time is
 * reconstructed: `active` means input just now; `idle`/`locked` at the moment Chrome reports it means
 * the last input was one detection interval ago (so the tracker backdates idle to it, the Node
 * agent's rule); while idle continues, the last input the tracker already knows stays where it is.
 * A locked screen counts as not in use: ChromeOS shows the lock screen only when nobody works.
 */
export function sampleFromIdleState(
  state: ChromeIdleState,
  wallNow: number,
  monotonicNow: number,
  detectionMs: number,
  tracker: Pick<TrackerState, 'open' | 'lastInput'>,
): Sample {
  if (state === 'active') return { wallNow, monotonicNow, idleMs: 0 };
  const known =
    tracker.open?.state === 'idle' && tracker.lastInput !== null ? wallNow - tracker.lastInput : detectionMs;
  return { wallNow, monotonicNow, idleMs: Math.max(detectionMs, known) };
}

/** How long the pupil has not touched the device, for the nudge rules: null when not known. */
export function sessionIdleMs(
  state: ChromeIdleState,
  wallNow: number,
  tracker: Pick<TrackerState, 'open' | 'lastInput'>,
): number | null {
  if (state === 'active') return 0;
  return tracker.lastInput === null ? null : Math.max(0, wallNow - tracker.lastInput);
}
