import type { EffectivePolicy } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  enforcementKey,
  failedFields,
  holds,
  insideSchoolHours,
  oneValueTarget,
  pickSettings,
  policyTargets,
  targetKey,
  unchangedFields,
  validateTargets,
  writtenFields,
} from './targets.js';

// Tue 10 March 2026; Amsterdam is UTC+1 then
const at = (hh: number, mm = 0) => Date.UTC(2026, 2, 10, hh - 1, mm);

const policy: EffectivePolicy = {
  idleThresholdSec: 300,
  sleepAfterSec: { ac: 1800, battery: 900 },
  displayOffAfterSec: { ac: 600, battery: 300 },
  brightnessCapPct: { battery: 70 },
  schoolHours: { mon: { start: '08:00', end: '16:30' }, tue: { start: '08:00', end: '16:30' } },
  outsideSchoolHours: { sleepAfterSec: { ac: 600 }, action: 'shutdown', actionAt: '18:00' },
  timeZone: 'Europe/Amsterdam',
};

describe('policyTargets', () => {
  it('gives the normal values inside school hours', () => {
    expect(policyTargets(policy, at(10))).toEqual({
      sleepAfterSec: { ac: 1800, battery: 900 },
      displayOffAfterSec: { ac: 600, battery: 300 },
      brightnessPct: { battery: 70 },
      schedule: { action: 'shutdown', at: '18:00', weekdays: [0, 1] },
    });
  });

  it('gives the stricter values outside school hours, per power source', () => {
    const t = policyTargets(policy, at(16, 30));
    expect(t?.sleepAfterSec).toEqual({ ac: 600, battery: 900 });
    expect(t?.displayOffAfterSec).toEqual({ ac: 600, battery: 300 });
  });

  it('treats a day without school hours as outside school hours', () => {
    const wednesday = at(10) + 24 * 3600_000;
    expect(insideSchoolHours(policy, wednesday)).toBe(false);
    expect(policyTargets(policy, wednesday)?.sleepAfterSec?.ac).toBe(600);
  });

  it('uses the school time zone, not UTC', () => {
    // 07:30 UTC = 08:30 in Amsterdam: inside; in London (UTC+0) 07:30: outside
    const t = Date.UTC(2026, 2, 10, 7, 30);
    expect(insideSchoolHours(policy, t)).toBe(true);
    expect(insideSchoolHours(policy, t, 'Europe/London')).toBe(false);
  });

  it('applies the outside values all day on a vacation day the console names, back to normal after it', () => {
    const vacation: EffectivePolicy = {
      ...policy,
      daysOff: [{ kind: 'vacation', start: '2026-03-09', end: '2026-03-10' }],
    };
    expect(insideSchoolHours(vacation, at(10))).toBe(false);
    expect(policyTargets(vacation, at(10))?.sleepAfterSec).toEqual({ ac: 600, battery: 900 });
    // the local date decides: 23:30 UTC on 9 March is already 10 March in Amsterdam
    expect(insideSchoolHours(vacation, Date.UTC(2026, 2, 9, 23, 30))).toBe(false);
    // Monday 16 March: the vacation is over, lessons again
    const nextMonday = at(10) + 6 * 24 * 3600_000;
    expect(insideSchoolHours(vacation, nextMonday)).toBe(true);
    expect(policyTargets(vacation, nextMonday)?.sleepAfterSec).toEqual({ ac: 1800, battery: 900 });
  });

  it('treats a study day and a holiday like a vacation day, and a policy without days off as before', () => {
    for (const kind of ['study_day', 'holiday'] as const) {
      const p: EffectivePolicy = { ...policy, daysOff: [{ kind, start: '2026-03-10', end: '2026-03-10' }] };
      expect(policyTargets(p, at(10))?.sleepAfterSec?.ac).toBe(600);
      expect(insideSchoolHours(p, at(10) - 24 * 3600_000)).toBe(true);
    }
    expect(insideSchoolHours({ ...policy, daysOff: [] }, at(10))).toBe(true);
  });

  it('gives nothing for audit-only or excluded devices', () => {
    expect(policyTargets({ ...policy, auditOnly: true }, at(10))).toBeNull();
    expect(policyTargets({ ...policy, excludedReason: 'kiosk' }, at(10))).toBeNull();
  });

  it('removes a schedule when the action is none, and leaves unnamed fields out', () => {
    const t = policyTargets({ sleepAfterSec: { ac: 1200 }, outsideSchoolHours: { action: 'none' } }, at(10));
    expect(t).toEqual({ sleepAfterSec: { ac: 1200 }, schedule: null });
  });
});

describe('validateTargets', () => {
  it('keeps values inside the bounds', () => {
    const t = policyTargets(policy, at(10))!;
    expect(validateTargets(t)).toEqual({ valid: t, problems: [] });
  });

  it('refuses zero (never), 0 % brightness and other out-of-bounds values, keeping the rest', () => {
    const { valid, problems } = validateTargets({
      sleepAfterSec: { ac: 0, battery: 900 },
      displayOffAfterSec: { ac: null },
      brightnessPct: { ac: 0, battery: 101 },
    });
    expect(valid).toEqual({ sleepAfterSec: { battery: 900 } });
    expect(problems.map((p) => p.setting)).toEqual([
      'sleepAfterSec.ac',
      'displayOffAfterSec.ac',
      'brightnessPct.ac',
      'brightnessPct.battery',
    ]);
    expect(problems.every((p) => p.code === 'policy_out_of_bounds')).toBe(true);
  });

  it('refuses a malformed schedule', () => {
    const { valid, problems } = validateTargets({
      schedule: { action: 'sleep', at: '25:00', weekdays: [0] },
    });
    expect(valid).toEqual({});
    expect(problems).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('picks the saved originals of the named fields', () => {
    const orig = {
      sleepAfterSec: { ac: null, battery: 600 },
      displayOffAfterSec: { ac: 300 },
      brightnessPct: {},
      schedule: null,
    };
    expect(pickSettings(orig, ['sleepAfterSec', 'schedule'])).toEqual({
      sleepAfterSec: { ac: null, battery: 600 },
      schedule: null,
    });
  });

  it('gives equal keys for equal targets and different keys otherwise', () => {
    expect(targetKey({ sleepAfterSec: { ac: 600 } })).toBe(targetKey({ sleepAfterSec: { ac: 600 } }));
    expect(targetKey({ sleepAfterSec: { ac: 600 } })).not.toBe(targetKey({ sleepAfterSec: { ac: 900 } }));
    expect(targetKey(null)).not.toBe(targetKey({}));
  });
});

describe('power source in the comparison', () => {
  const s = {
    sleepAfterSec: { ac: 1200, battery: null },
    displayOffAfterSec: { ac: 300, battery: 300 },
    brightnessPct: { battery: 25 },
    schedule: null,
  };

  it('holds() compares only what the target names', () => {
    expect(holds(s, { sleepAfterSec: { ac: 1200 } }, 'ac', [])).toBe(true);
    expect(holds(s, { sleepAfterSec: { battery: 600 } }, 'ac', [])).toBe(false);
    expect(holds(s, { schedule: null }, 'ac', [])).toBe(true);
    expect(holds(s, { schedule: { action: 'sleep', at: '18:00', weekdays: [0] } }, 'ac', [])).toBe(false);
  });

  it('treats a brightness value as a cap: a darker panel holds, a brighter one does not', () => {
    expect(holds(s, { brightnessPct: { ac: 60, battery: 30 } }, 'battery', ['brightnessPct'])).toBe(true);
    expect(holds(s, { brightnessPct: { ac: 60, battery: 20 } }, 'battery', ['brightnessPct'])).toBe(false);
  });

  it('compares a source-bound setting on the current source only', () => {
    const display = { displayOffAfterSec: { ac: 900, battery: 300 } };
    expect(holds(s, display, 'battery', ['displayOffAfterSec'])).toBe(true);
    expect(holds(s, display, 'ac', ['displayOffAfterSec'])).toBe(false);
    // an OS that keeps both values must hold both
    expect(holds(s, display, 'battery', [])).toBe(false);
  });

  it('changes the enforcement key with the source only when a source-bound setting is named', () => {
    const capped = { sleepAfterSec: { ac: 1200 }, brightnessPct: { ac: 60, battery: 30 } };
    expect(enforcementKey(capped, 'ac', ['brightnessPct'])).not.toBe(
      enforcementKey(capped, 'battery', ['brightnessPct']),
    );
    // without a declaration every timeout and the cap count as source-bound
    expect(enforcementKey(capped, 'ac')).not.toBe(enforcementKey(capped, 'battery'));
    const timeouts = { sleepAfterSec: { ac: 1200, battery: 600 } };
    expect(enforcementKey(timeouts, 'ac', ['brightnessPct'])).toBe(
      enforcementKey(timeouts, 'battery', ['brightnessPct']),
    );
    expect(enforcementKey(null, 'ac')).toBe('none');
  });
});

describe('what a write changed and what a restore left', () => {
  const target = {
    sleepAfterSec: { ac: 1800, battery: 900 },
    displayOffAfterSec: { ac: 600 },
    schedule: null,
  };

  it('counts a field as written unless every value it names was refused', () => {
    expect(writtenFields(target, [{ setting: 'sleepAfterSec.ac' }])).toEqual([
      'sleepAfterSec',
      'displayOffAfterSec',
      'schedule',
    ]);
    expect(
      writtenFields(target, [
        { setting: 'sleepAfterSec.ac' },
        { setting: 'sleepAfterSec.battery' },
        { setting: 'schedule' },
      ]),
    ).toEqual(['displayOffAfterSec']);
  });

  it('counts a field as not restored on any error of its own, and all timeouts on a whole-write error', () => {
    expect(failedFields(target, [{ setting: 'sleepAfterSec.battery' }])).toEqual(['sleepAfterSec']);
    expect(failedFields(target, [{ setting: 'scheme' }])).toEqual(['sleepAfterSec', 'displayOffAfterSec']);
    expect(failedFields(target, [{ setting: 'brightnessPct' }])).toEqual([]);
  });

  it('knows a value the OS already held changed nothing, but a brightness cap always counts', () => {
    const originals = {
      sleepAfterSec: { ac: 1800, battery: 600 },
      displayOffAfterSec: { ac: 600, battery: 600 },
      brightnessPct: { ac: 50 },
      schedule: null,
    };
    expect(unchangedFields(originals, { ...target, brightnessPct: { ac: 60 } })).toEqual([
      'displayOffAfterSec',
      'schedule',
    ]);
  });
});

describe('oneValueTarget', () => {
  const target = {
    sleepAfterSec: { ac: 1800, battery: 900 },
    displayOffAfterSec: { ac: 900, battery: 300 },
  };

  it('gives an OS with one display-off delay the value of the source in use, for both sources', () => {
    expect(oneValueTarget(target, 'battery', ['displayOffAfterSec'])).toEqual({
      sleepAfterSec: { ac: 1800, battery: 900 },
      displayOffAfterSec: { ac: 300, battery: 300 },
    });
    expect(oneValueTarget(target, 'ac', ['displayOffAfterSec']).displayOffAfterSec).toEqual({
      ac: 900,
      battery: 900,
    });
  });

  it('leaves the setting out while the source is unknown or has no value, so it waits for a switch', () => {
    expect(oneValueTarget(target, 'unknown', ['displayOffAfterSec'])).toEqual({
      sleepAfterSec: target.sleepAfterSec,
    });
    expect(oneValueTarget({ displayOffAfterSec: { ac: 900 } }, 'battery', ['displayOffAfterSec'])).toEqual(
      {},
    );
  });

  it('keeps "never" as the one value and changes nothing for an OS with a value per source', () => {
    expect(
      oneValueTarget({ displayOffAfterSec: { ac: null, battery: 300 } }, 'ac', ['displayOffAfterSec']),
    ).toEqual({
      displayOffAfterSec: { ac: null, battery: null },
    });
    expect(oneValueTarget(target, 'battery', [])).toEqual(target);
    expect(oneValueTarget(target, 'battery')).toEqual(target);
  });
});
