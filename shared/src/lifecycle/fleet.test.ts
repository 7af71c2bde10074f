import { describe, expect, it } from 'vitest';
import { ageBucket, batteryBucket, type FleetDevice, fleetLifecycle, lifetimeExtension } from './fleet.js';

describe('lifetimeExtension', () => {
  it('says what two more years avoid for one laptop: 200/4 − 200/6 = 16.67 kg a year', () => {
    const e = lifetimeExtension([{ deviceClass: 'laptop' }]);
    expect(e.fromYears).toBe(4);
    expect(e.toYears).toBe(6);
    expect(e.avoidedKgPerYear).toBeCloseTo(200 / 4 - 200 / 6, 9);
  });
  it('sums a mixed fleet and averages its expected lifetimes', () => {
    const e = lifetimeExtension([{ deviceClass: 'laptop' }, { deviceClass: 'desktop' }]);
    expect(e.fromYears).toBe(4.5);
    expect(e.embodiedKgPerYear).toBeCloseTo(50 + 50, 9);
    expect(e.avoidedKgPerYear).toBeCloseTo(200 / 4 - 200 / 6 + (250 / 5 - 250 / 7), 9);
  });
  it('gives zeros for an empty fleet', () => {
    expect(lifetimeExtension([])).toMatchObject({ devices: 0, fromYears: 0, avoidedKgPerYear: 0 });
  });
});

describe('fleetLifecycle', () => {
  const devices: FleetDevice[] = [
    { id: 1, deviceClass: 'laptop', ageYears: 1.5, hasBattery: true, batteryHealthPct: 95 },
    { id: 2, deviceClass: 'laptop', ageYears: 3.2, hasBattery: true, batteryHealthPct: 66 },
    { id: 3, deviceClass: 'chromebook', ageYears: 4.9, hasBattery: true, batteryHealthPct: 58 },
    { id: 4, deviceClass: 'desktop', ageYears: 8, hasBattery: false, batteryHealthPct: null },
    { id: 5, deviceClass: 'laptop', ageYears: null, hasBattery: true, batteryHealthPct: null },
  ];
  const f = fleetLifecycle(devices);
  it('counts devices per age year, with unknown ages apart', () => {
    const byBucket = Object.fromEntries(f.ageDistribution.map((b) => [b.bucket, b.count]));
    expect(byBucket).toMatchObject({ '1-2': 1, '3-4': 1, '4-5': 1, '7+': 1, unknown: 1, '0-1': 0 });
    expect(f.meanAgeYears).toBeCloseTo((1.5 + 3.2 + 4.9 + 8) / 4, 9);
  });
  it('counts batteries per health band and leaves desktops out', () => {
    const byBucket = Object.fromEntries(f.batteryDistribution.map((b) => [b.bucket, b.count]));
    expect(byBucket).toEqual({ '90+': 1, '80-90': 0, '70-80': 0, '60-70': 1, '<60': 1, unknown: 1 });
  });
  it('lists the devices a battery swap keeps going, with the swap and replacement costs', () => {
    expect(f.batterySwapIds).toEqual([2, 3]);
    expect(f.batterySwap).toEqual({ eur: 90 + 70, kgCo2e: 10, replaceEur: 750 + 350, replaceKgCo2e: 340 });
    expect(f.advice).toEqual({ keep: 2, 'replace-battery': 2, upgrade: 0, refurbish: 0, replace: 1 });
  });
  it('puts ages and health on the bucket edges where the docs say', () => {
    expect(ageBucket(0.99)).toBe('0-1');
    expect(ageBucket(7)).toBe('7+');
    expect(batteryBucket(80)).toBe('80-90');
    expect(batteryBucket(59.9)).toBe('<60');
  });
});
