import { describe, expect, it } from 'vitest';
import { enforces, inSchoolHours, PolicySettingsSchema, policyEtag, resolvePolicy } from './policy.js';
import { localTime } from './time.js';

describe('policy bounds', () => {
  it('accepts a typical school policy', () => {
    const r = PolicySettingsSchema.safeParse({
      idleThresholdSec: 300,
      sleepAfterSec: { ac: 1800, battery: 900 },
      displayOffAfterSec: { ac: 600, battery: 300 },
      brightnessCapPct: { battery: 70 },
      schoolHours: { mon: { start: '08:15', end: '15:30' } },
    });
    expect(r.success).toBe(true);
  });

  it.each([
    ['a sleep timeout of zero', { sleepAfterSec: { ac: 0 } }],
    ['a brightness of 0 %', { brightnessCapPct: { ac: 0 } }],
    ['an idle threshold of a second', { idleThresholdSec: 1 }],
    ['school hours ending before they start', { schoolHours: { mon: { start: '15:00', end: '08:00' } } }],
    ['an unknown field', { sleepAfter: 10 }],
  ])('refuses %s', (_n, value) => {
    expect(PolicySettingsSchema.safeParse(value).success).toBe(false);
  });
});

describe('resolvePolicy', () => {
  it('lets a device beat its room, which beats its school, which beats the console default', () => {
    const resolved = resolvePolicy([
      { auditOnly: true, idleThresholdSec: 300 },
      { auditOnly: false, sleepAfterSec: { ac: 3600 } },
      { sleepAfterSec: { ac: 1800 } },
      undefined,
    ]);
    expect(resolved).toEqual({ auditOnly: false, idleThresholdSec: 300, sleepAfterSec: { ac: 1800 } });
  });
});

describe('enforcement', () => {
  it('enforces nothing in audit-only mode or when the device is excluded', () => {
    expect(enforces({ auditOnly: true })).toBe(false);
    expect(enforces({ excludedReason: 'kiosk in de aula' })).toBe(false);
    expect(enforces({ sleepAfterSec: { ac: 900 } })).toBe(true);
  });
});

describe('policyEtag', () => {
  it('is the same for the same content whatever the key order, and differs when content differs', () => {
    expect(policyEtag({ auditOnly: false, idleThresholdSec: 300 })).toBe(
      policyEtag({ idleThresholdSec: 300, auditOnly: false }),
    );
    expect(policyEtag({ idleThresholdSec: 300 })).not.toBe(policyEtag({ idleThresholdSec: 600 }));
  });
});

describe('inSchoolHours', () => {
  const hours = { mon: { start: '08:15', end: '15:30' } };
  it('uses local time in Europe/Amsterdam, across the DST switch', () => {
    // Monday 30 March 2026 (summer time, UTC+2): 06:30Z is 08:30 local
    expect(inSchoolHours(hours, localTime(Date.parse('2026-03-30T06:30:00Z')))).toBe(true);
    // Monday 23 March 2026 (winter time, UTC+1): 06:30Z is 07:30 local
    expect(inSchoolHours(hours, localTime(Date.parse('2026-03-23T06:30:00Z')))).toBe(false);
  });
  it('treats a day without school hours as outside school hours', () => {
    expect(inSchoolHours(hours, localTime(Date.parse('2026-03-31T09:00:00Z')))).toBe(false);
  });
});
