/**
 * The agent's own timeline: a clock that keeps every minute across wall-clock corrections and tells a
 * suspend from a clock step. Pure: the service reads three clock sources and hands them in.
 *
 * - `wall`: the OS wall clock (Date.now), which NTP or a user may step either way.
 * - `mono`: a monotonic clock that stands still while the device is suspended (CLOCK_MONOTONIC,
 *   `performance.now()`); never stepped.
 * - `boot`: a monotonic clock that counts suspended time too, or null where none is reachable: Linux
 *   CLOCK_BOOTTIME (`/proc/uptime`, Node's `os.uptime()`), Windows `GetTickCount64` (`os.uptime()`).
 *   macOS has `mach_continuous_time` / `CLOCK_MONOTONIC`, which Node does not expose (its
 *   `os.uptime()` is derived from the wall clock there), so macOS runs without one.
 *
 * Between two readings the time that really passed is `dMono` while awake plus the suspended time,
 * which is `dBoot - dMono` when a boot clock exists. The timeline follows the wall clock as long as the
 * wall agrees with that within `stepToleranceMs` (so it equals the wall clock on a device whose clock
 * is never stepped); when it does not, the wall clock was stepped and the timeline advances by the time
 * that really passed instead. So a clock set back keeps every minute (no clamping, no lost time) and a
 * clock set forward is not taken for a sleep. The difference to the real time is what the console's
 * clock offset (core/clock-offset.ts) measures and corrects at the next welcome.
 *
 * Without a boot clock a suspend can only be seen as the wall clock running ahead of `mono`, which a
 * forward step also does: then a forward step still reads as a suspend (a step back is still kept).
 */

export interface ClockReading {
  wall: number;
  mono: number;
  /** milliseconds of a clock that counts suspended time; null where there is none */
  boot: number | null;
}

export interface TimelineState extends ClockReading {
  /** the timeline's time at this reading */
  now: number;
}

export type ClockChange =
  /** the wall clock was set: positive = forward */
  | { kind: 'step'; ms: number }
  /** the device was suspended this long (from the boot clock) */
  | { kind: 'suspend'; ms: number };

export const TIMELINE_DEFAULTS = {
  /** a wall clock off by more than this from the time that passed was stepped */
  stepToleranceMs: 5_000,
} as const;

export function startTimeline(r: ClockReading): TimelineState {
  return { ...r, now: r.wall };
}

/** The timeline at a new reading, and what happened to the clocks since the last one. */
export function advanceTimeline(
  s: TimelineState,
  r: ClockReading,
  stepToleranceMs: number = TIMELINE_DEFAULTS.stepToleranceMs,
): { state: TimelineState; now: number; changes: ClockChange[] } {
  const dWall = r.wall - s.wall;
  const dMono = Math.max(0, r.mono - s.mono);
  const changes: ClockChange[] = [];
  let passed: number;
  if (r.boot !== null && s.boot !== null && r.boot >= s.boot) {
    // the boot clock may have a coarser resolution (1 s on Windows): never less than the awake time
    const dBoot = r.boot - s.boot;
    const suspended = dBoot - dMono > stepToleranceMs ? dBoot - dMono : 0;
    if (suspended > 0) changes.push({ kind: 'suspend', ms: suspended });
    passed = dMono + suspended;
  } else {
    // no boot clock: the wall clock running ahead is all there is to see a suspend by
    passed = dWall - dMono > stepToleranceMs ? dWall : dMono;
  }
  let advance: number;
  if (Math.abs(dWall - passed) <= stepToleranceMs) advance = dWall;
  else {
    changes.push({ kind: 'step', ms: dWall - passed });
    advance = passed;
  }
  const now = s.now + Math.max(0, advance);
  return { state: { ...r, now }, now, changes };
}
