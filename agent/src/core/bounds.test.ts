import { describe, expect, it } from 'vitest';
import { brightnessToSet, checkTarget, panelTarget, valueForSource } from './bounds.js';

describe('the policy rules adapters apply', () => {
  it('refuses out-of-bounds values in policy mode and lets saved originals through in restore mode', () => {
    const target = { sleepAfterSec: { ac: 0, battery: null }, brightnessPct: { ac: 0, battery: 40 } };
    const policy = checkTarget(target, 'policy');
    expect(policy.errors.map((e) => e.setting).sort()).toEqual([
      'brightnessPct.ac',
      'sleepAfterSec.ac',
      'sleepAfterSec.battery',
    ]);
    expect(policy.allowed).toEqual({ brightnessPct: { battery: 40 } });
    const restore = checkTarget({ sleepAfterSec: { ac: 0, battery: null } }, 'restore');
    expect(restore.errors).toEqual([]);
    expect(restore.allowed).toEqual({ sleepAfterSec: { ac: 0, battery: null } });
  });

  it('picks the value for the source in use, and none while the source is unknown', () => {
    expect(valueForSource({ ac: 900, battery: 300 }, 'battery')).toBe(300);
    expect(valueForSource({ ac: 900 }, 'battery')).toBeUndefined();
    expect(valueForSource({ ac: 900, battery: 300 }, 'unknown')).toBeUndefined();
  });

  it('only ever lowers a panel to the cap, never brightens it or blacks it out', () => {
    expect(brightnessToSet(100, 60)).toBe(60);
    expect(brightnessToSet(40, 60)).toBeNull();
    expect(brightnessToSet(60, 60)).toBeNull();
    expect(brightnessToSet(50, 0)).toBe(1);
  });

  it('sets the live panel to the cap of the source in use, and leaves it while the source is unknown', () => {
    const cap = { ac: 60, battery: 30 };
    expect(panelTarget(cap, 'battery', 80)).toBe(30);
    expect(panelTarget(cap, 'ac', 80)).toBe(60);
    expect(panelTarget(cap, 'ac', 50)).toBeNull();
    expect(panelTarget(cap, 'unknown', 100)).toBeNull();
    expect(panelTarget({ ac: 60 }, 'battery', 100)).toBeNull();
    expect(panelTarget(undefined, 'ac', 100)).toBeNull();
  });
});
