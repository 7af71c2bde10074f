import { describe, expect, it } from 'vitest';
import {
  afterEnroll,
  ENROLL_TIMINGS,
  type EnrollBackoff,
  enrollOutcomeOf,
  mayEnroll,
  tokenCheckOf,
  tokenMayBeRefused,
} from './enrollment.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

describe('enrolling again after the console refused the device token', () => {
  it('asks the console about the token only when a socket failed as a refusal would', () => {
    expect(tokenMayBeRefused(false, 1006)).toBe(true); // the upgrade failed: 401 or unreachable, a browser cannot tell
    expect(tokenMayBeRefused(true, 4001)).toBe(true); // device no longer enrolled / enrolled again
    expect(tokenMayBeRefused(true, 1006)).toBe(false); // the link dropped after it worked
    expect(tokenMayBeRefused(true, 1001)).toBe(false); // console shutting down
  });

  it('takes only a 401 from the token check as a refused token', () => {
    expect(tokenCheckOf(401)).toBe('refused');
    expect(tokenCheckOf(200)).toBe('accepted');
    expect(tokenCheckOf(null)).toBe('unknown'); // console down: its old token may still be fine
    expect(tokenCheckOf(503)).toBe('unknown');
    expect(tokenCheckOf(429)).toBe('unknown');
  });

  it('tells a refused secret from a failure that retrying may fix', () => {
    expect(enrollOutcomeOf(201)).toBe('enrolled');
    expect(enrollOutcomeOf(401)).toBe('secret-refused');
    expect(enrollOutcomeOf(403)).toBe('secret-refused');
    expect(enrollOutcomeOf(429)).toBe('failed');
    expect(enrollOutcomeOf(500)).toBe('failed');
    expect(enrollOutcomeOf(null)).toBe('failed');
  });

  it('tries at once the first time, then waits a growing delay between attempts', () => {
    let b: EnrollBackoff | undefined;
    expect(mayEnroll(b, T0)).toBe(true);
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 10; i++) {
      b = afterEnroll(b, 'failed', now, 0.5);
      waits.push(b.notBefore - now);
      expect(mayEnroll(b, now + 1_000)).toBe(false);
      now = b.notBefore;
      expect(mayEnroll(b, now)).toBe(true);
    }
    expect(waits[0]).toBe(45_000); // between half and all of the one-minute step
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(ENROLL_TIMINGS.maxMs);
    expect(waits.at(-1)).toBe(45 * 60_000);
  });

  it('does not loop when the console takes the secret but keeps refusing the new token', () => {
    // each enrollment succeeds, yet no welcome ever comes: the attempts still space out
    let b: EnrollBackoff | undefined;
    let now = T0;
    let attempts = 0;
    const hour = T0 + 3600_000;
    while (now < hour) {
      if (mayEnroll(b, now)) {
        b = afterEnroll(b, 'enrolled', now, 0);
        attempts++;
      }
      now += 60_000; // the worker's minute tick
    }
    expect(attempts).toBeLessThanOrEqual(7);
  });

  it('waits hours after the console refuses the enroll secret itself', () => {
    const b = afterEnroll(undefined, 'secret-refused', T0, 0.9);
    expect(b.notBefore - T0).toBe(ENROLL_TIMINGS.refusedSecretMs);
    expect(mayEnroll(b, T0 + 3600_000)).toBe(false);
  });
});
