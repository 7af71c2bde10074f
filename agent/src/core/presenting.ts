import type { Blocker } from '@sluimer/shared';

/**
 * Is a presentation or a video keeping the screen on? Read from the blockers the service already
 * lists (powercfg /requests, pmset -g assertions, logind and GNOME inhibitors), so the tray needs no
 * OS probe of its own: a request that keeps the display on (Windows DISPLAY section, macOS
 * PreventUserIdleDisplaySleep) or holds off idle (an `idle` inhibitor from a video player or a
 * presentation tool) counts. One that may block (`possible`) counts too: a nudge held back for a
 * minute costs less than one shown over a presentation. Sluimer's own never counts.
 */
export function presentingFromBlockers(blockers: readonly Blocker[]): boolean {
  return blockers.some(
    (b) => !/sluimer/i.test(b.name) && (b.blocks ?? []).some((what) => what === 'display' || what === 'idle'),
  );
}
