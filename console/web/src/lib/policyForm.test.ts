import { PolicySettingsSchema } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  draftFromSettings,
  emptyDraft,
  NUMERIC_FIELDS,
  parseDecimal,
  settingsFromDraft,
} from './policyForm.js';

const draft = (numbers: Record<string, string>, extra: Partial<ReturnType<typeof emptyDraft>> = {}) => ({
  ...emptyDraft(),
  numbers,
  ...extra,
});

describe('policy editor validation', () => {
  it('covers every numeric field of the shared policy schema', () => {
    const paths = NUMERIC_FIELDS.map((f) => f.path).sort();
    expect(paths).toEqual(
      [
        'brightnessCapPct.ac',
        'brightnessCapPct.battery',
        'displayOffAfterSec.ac',
        'displayOffAfterSec.battery',
        'idleThresholdSec',
        'nudges.maxPerDay',
        'nudges.minGapMin',
        'outsideSchoolHours.displayOffAfterSec.ac',
        'outsideSchoolHours.displayOffAfterSec.battery',
        'outsideSchoolHours.sleepAfterSec.ac',
        'outsideSchoolHours.sleepAfterSec.battery',
        'sleepAfterSec.ac',
        'sleepAfterSec.battery',
        'snoozeMinutes',
      ].sort(),
    );
  });

  it('turns minutes into seconds and gives settings the shared schema accepts', () => {
    const r = settingsFromDraft(
      draft({ 'sleepAfterSec.ac': '20', 'displayOffAfterSec.battery': '5', idleThresholdSec: '5' }),
      'nl',
    );
    expect(r.errors).toEqual({});
    expect(r.settings).toEqual({
      sleepAfterSec: { ac: 1200 },
      displayOffAfterSec: { battery: 300 },
      idleThresholdSec: 300,
    });
    expect(PolicySettingsSchema.safeParse(r.settings).success).toBe(true);
  });

  it('refuses a sleep timeout of zero minutes with the bounds in Dutch', () => {
    const r = settingsFromDraft(draft({ 'sleepAfterSec.ac': '0' }), 'nl');
    expect(r.settings).toBeUndefined();
    expect(r.errors['sleepAfterSec.ac']).toBe('Kies een heel getal van 5 tot en met 240 minuten');
  });

  it('refuses a brightness cap below 20 % and says so in English when asked', () => {
    const r = settingsFromDraft(draft({ 'brightnessCapPct.battery': '0' }), 'en');
    expect(r.errors['brightnessCapPct.battery']).toBe('Choose a whole number from 20 to 100 %');
  });

  it('refuses text and fractions of a stored second, and accepts a decimal comma that gives whole seconds', () => {
    expect(
      settingsFromDraft(draft({ 'sleepAfterSec.ac': 'abc' }), 'nl').errors['sleepAfterSec.ac'],
    ).toBeDefined();
    expect(
      settingsFromDraft(draft({ 'nudges.maxPerDay': '2,5' }), 'nl').errors['nudges.maxPerDay'],
    ).toBeDefined();
    expect(settingsFromDraft(draft({ 'sleepAfterSec.ac': '7,5' }), 'nl').settings).toEqual({
      sleepAfterSec: { ac: 450 },
    });
  });

  it('refuses school hours whose end is not after the start', () => {
    const r = settingsFromDraft(draft({}, { schoolHours: { mon: { start: '15:00', end: '08:30' } } }), 'nl');
    expect(r.errors['schoolHours.mon.end']).toBe('De eindtijd moet na de begintijd liggen');
  });

  it('refuses quiet hours without a day', () => {
    const r = settingsFromDraft(
      draft({}, { quietHours: [{ days: [], start: '09:00', end: '10:00' }] }),
      'nl',
    );
    expect(r.errors['nudges.quietHours.0.days']).toBe('Kies minstens één dag');
  });

  it('leaves empty fields out, so the console default or a wider group decides them', () => {
    expect(settingsFromDraft(draft({ 'sleepAfterSec.ac': '  ' }), 'nl').settings).toEqual({});
  });

  it('round-trips a full policy through the editor unchanged', () => {
    const settings = {
      auditOnly: false,
      idleThresholdSec: 300,
      sleepAfterSec: { ac: 1800, battery: 900 },
      displayOffAfterSec: { ac: 600, battery: 300 },
      brightnessCapPct: { battery: 70 },
      schoolHours: { mon: { start: '08:15', end: '15:30' }, fri: { start: '08:15', end: '12:30' } },
      outsideSchoolHours: { sleepAfterSec: { ac: 900 }, action: 'sleep' as const, actionAt: '18:00' },
      nudges: {
        enabled: true,
        maxPerDay: 3,
        minGapMin: 60,
        quietHours: [{ days: ['mon' as const], start: '09:00', end: '10:00' }],
      },
      allowSnooze: true,
      snoozeMinutes: 60,
    };
    const r = settingsFromDraft(draftFromSettings(settings), 'nl');
    expect(r.errors).toEqual({});
    expect(r.settings).toEqual(settings);
  });

  it('parses Dutch and English decimals', () => {
    expect(parseDecimal('0,25')).toBe(0.25);
    expect(parseDecimal('0.25')).toBe(0.25);
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('1e3')).toBeNaN();
  });
});
