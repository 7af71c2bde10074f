import type { LiveEventName } from '@sluimer/shared';
import { useEffect, useRef } from 'react';
import { useLiveEvents } from './live.js';

/**
 * Calls `refresh` after live events of the given types, at most once per `minGapMs` (the first one
 * after `firstDelayMs`), so a page that shows totals follows a busy fleet without re-reading them
 * for every report. Events that arrive while a refresh is waiting are folded into it.
 */
export function useThrottledLiveRefresh(
  types: readonly LiveEventName[],
  refresh: () => void,
  { minGapMs = 5_000, firstDelayMs = 300 }: { minGapMs?: number; firstDelayMs?: number } = {},
): void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const last = useRef(0);
  const fn = useRef(refresh);
  fn.current = refresh;
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveEvents(types, () => {
    if (timer.current) return;
    const wait = Math.max(firstDelayMs, last.current + minGapMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      fn.current();
    }, wait);
  });
}
