import { describe, expect, it } from 'vitest';
import { PolicyRequestSchema } from '../api/policies.js';
import { recommendedPolicy } from './recommended-policy.js';

describe('recommended policy', () => {
  it('is a valid body for creating a policy', () => {
    expect(PolicyRequestSchema.safeParse(recommendedPolicy()).success).toBe(true);
  });

  it('stays within ENERGY STAR shipping defaults: asleep within 30 minutes, display off within 15', () => {
    const s = recommendedPolicy().settings;
    for (const v of [s.sleepAfterSec?.ac, s.sleepAfterSec?.battery]) expect(v).toBeLessThanOrEqual(30 * 60);
    for (const v of [s.displayOffAfterSec?.ac, s.displayOffAfterSec?.battery])
      expect(v).toBeLessThanOrEqual(15 * 60);
    expect(s.auditOnly).toBe(false);
  });

  it('is stricter outside school hours than during them, and on battery than on mains', () => {
    const s = recommendedPolicy().settings;
    const o = s.outsideSchoolHours!;
    expect(o.sleepAfterSec!.ac!).toBeLessThan(s.sleepAfterSec!.ac!);
    expect(o.displayOffAfterSec!.ac!).toBeLessThan(s.displayOffAfterSec!.ac!);
    expect(s.sleepAfterSec!.battery!).toBeLessThan(s.sleepAfterSec!.ac!);
    expect(s.brightnessCapPct?.battery).toBe(70);
    expect(s.brightnessCapPct?.ac).toBeUndefined();
  });

  it('takes the school hours it is given', () => {
    const hours = { mon: { start: '08:15', end: '16:00' } };
    expect(recommendedPolicy({ schoolHours: hours }).settings.schoolHours).toEqual(hours);
  });
});
