import type { OpenState } from './idle.js';

export interface SamplingInput {
  /** the state of the interval still growing, if any */
  open: OpenState | undefined;
  /** idle time read by the last sample */
  idleMs: number | 'unknown';
  idleThresholdMs: number;
  /** the configured sample period: used while idle, when idle time is unknown, and as the floor */
  baseMs: number;
  /** the longest wait while someone is using the device */
  maxActiveMs: number;
}

/**
 * When to read idle time next. While the device is idle the base period sets how precisely the end of
 * idle is found (input resets the counter, so the moment it resumed is only known to a sample). While
 * it is in use, idle cannot start before the threshold is reached, and its start is backdated to the
 * last input anyway, so the agent can wait until then: reading less often is most of its CPU cost.
 */
export function nextSampleDelayMs(p: SamplingInput): number {
  if (p.open !== 'active' || p.idleMs === 'unknown') return p.baseMs;
  const untilThreshold = p.idleThresholdMs - p.idleMs;
  return Math.max(p.baseMs, Math.min(p.maxActiveMs, untilThreshold));
}
