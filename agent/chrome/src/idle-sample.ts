import type { Sample } from '@sluimer/agent/core';

/** What chrome.idle reports: no input for the detection interval is `idle`, a locked screen `locked`. */
export type ChromeIdleState = 'active' | 'idle' | 'locked';

/**
 * When the pupil last touched the device, as far as chrome.idle lets the extension know. chrome.idle
 * tells a state, not an idle time, so the moment is reconstructed: `active` means input just now; the
 * first `idle`/`locked` after `active` means the last input was one detection interval ago; while idle
 * continues the moment stays where it is.
 *
 * Kept apart from the core tracker's `lastInput` on purpose: the tracker clamps its `lastInput` to
 * what it already emitted (its floor), so every report cut during an idle stretch moves the tracker's
 * `lastInput` forward to the cut. Reading the nudge's idle time from there made the sleep-soon window
 * (from two minutes before the sleep timeout) start later with every report, and a report in the
 * window pushed it past the timeout: no nudge, and no reason recorded. This value never moves
 * forward without input.
 */
export function nextLastInput(
  previous: { state: ChromeIdleState; lastInputAt: number | null },
  state: ChromeIdleState,
  wallNow: number,
  detectionMs: number,
): number {
  if (state === 'active') return wallNow;
  if (previous.state !== 'active' && previous.lastInputAt !== null) {
    return Math.min(previous.lastInputAt, wallNow);
  }
  return wallNow - detectionMs;
}

/**
 * The sample the core's tracker wants (agent/src/core/idle.ts: idle backdated to the last input,
 * intervals never overlap). A locked screen counts as not in use: ChromeOS shows the lock screen only
 * when nobody works. `lastInputAt` comes from `nextLastInput` for this very state.
 */
export function sampleFromIdleState(
  state: ChromeIdleState,
  wallNow: number,
  monotonicNow: number,
  detectionMs: number,
  lastInputAt: number,
): Sample {
  if (state === 'active') return { wallNow, monotonicNow, idleMs: 0 };
  return { wallNow, monotonicNow, idleMs: Math.max(detectionMs, wallNow - lastInputAt) };
}

/** How long the pupil has not touched the device, for the nudge rules: null when not known. */
export function sessionIdleMs(
  state: ChromeIdleState,
  wallNow: number,
  lastInputAt: number | null,
): number | null {
  if (state === 'active') return 0;
  return lastInputAt === null ? null : Math.max(0, wallNow - lastInputAt);
}

/**
 * When the sleep-soon nudge is due while idle: two minutes (the core's SLEEP_SOON_WARN_MS) before the
 * policy's sleep timeout, counted from the last input, plus a second so the decision falls inside the
 * window. null when nothing is due (in use, no timeout, last input unknown, or already past).
 */
export function sleepSoonDueAt(
  state: ChromeIdleState,
  lastInputAt: number | null,
  sleepAfterSec: number | undefined,
  warnMs: number,
  now: number,
): number | null {
  if (state === 'active' || !sleepAfterSec || lastInputAt === null) return null;
  const due = lastInputAt + sleepAfterSec * 1000 - warnMs + 1_000;
  return due > now ? due : null;
}
