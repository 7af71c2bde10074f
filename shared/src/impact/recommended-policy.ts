import type { z } from 'zod';
import type { PolicyRequestSchema } from '../api/policies.js';
import type { PolicySettings, SchoolHours } from '../policy.js';
import { DEFAULT_SCHOOL_HOURS } from '../policy.js';

/**
 * Sluimer's recommended energy policy: the template IT starts from (docs/recommended-policy.md has
 * the reasoning and the anchors). Timeouts stay inside ENERGY STAR's shipping defaults (computer
 * asleep within 30 minutes, display off within 15) during lessons and are stricter outside them.
 */
export const RECOMMENDED_TIMEOUTS = {
  /** during school hours */
  school: {
    sleepAfterSec: { ac: 30 * 60, battery: 15 * 60 },
    displayOffAfterSec: { ac: 10 * 60, battery: 5 * 60 },
  },
  /** outside school hours, and all day on weekends, vacations, holidays and study days */
  outside: {
    sleepAfterSec: { ac: 15 * 60, battery: 10 * 60 },
    displayOffAfterSec: { ac: 5 * 60, battery: 2 * 60 },
  },
} as const;

export type PolicyRequest = z.infer<typeof PolicyRequestSchema>;

/**
 * The recommended policy as a body for `POST /api/v1/policies`. Pass the school's own hours so the
 * stricter after-hours settings start when its lessons end; without them a Monday–Friday
 * 08:30–15:00 week is used.
 */
export function recommendedPolicy(opts: { schoolHours?: SchoolHours } = {}): PolicyRequest {
  const settings: PolicySettings = {
    auditOnly: false,
    idleThresholdSec: 300,
    sleepAfterSec: { ...RECOMMENDED_TIMEOUTS.school.sleepAfterSec },
    displayOffAfterSec: { ...RECOMMENDED_TIMEOUTS.school.displayOffAfterSec },
    brightnessCapPct: { battery: 70 },
    schoolHours: opts.schoolHours ?? DEFAULT_SCHOOL_HOURS,
    outsideSchoolHours: {
      sleepAfterSec: { ...RECOMMENDED_TIMEOUTS.outside.sleepAfterSec },
      displayOffAfterSec: { ...RECOMMENDED_TIMEOUTS.outside.displayOffAfterSec },
      action: 'sleep',
      actionAt: '18:00',
    },
    nudges: { enabled: true, maxPerDay: 3, minGapMin: 60 },
    allowSnooze: true,
    snoozeMinutes: 60,
  };
  return {
    name: 'Sluimer-aanbeveling',
    description:
      'Scherm uit na 10 minuten, slaapstand na 30 minuten tijdens schooltijd (op accu 5 en 15); daarbuiten, in het weekend en in vakanties na 5 en 15 minuten (op accu 2 en 10); om 18:00 naar slaapstand; helderheid op accu hooguit 70 %.',
    settings,
  };
}
