import { describe, expect, it } from 'vitest';
import { batteryHealthPct, deviceAge, projectBattery } from './lifecycle.js';

describe('batteryHealthPct', () => {
  it('divides full-charge by design capacity in Wh', () => {
    expect(batteryHealthPct({ hasBattery: true, designCapacityWh: 50, fullCapacityWh: 41 })).toBe(82);
  });
  it('uses mAh when the battery gives no Wh', () => {
    expect(batteryHealthPct({ hasBattery: true, designCapacityMah: 5000, fullCapacityMah: 3500 })).toBe(70);
  });
  it('gives none without a battery or without a design capacity', () => {
    expect(batteryHealthPct({ hasBattery: false })).toBeNull();
    expect(batteryHealthPct({ hasBattery: true, fullCapacityWh: 40 })).toBeNull();
    expect(batteryHealthPct(undefined)).toBeNull();
  });
});

describe('projectBattery', () => {
  it('projects a known linear wear of 1 % a month to the months it crosses 80 % and 60 %', () => {
    // 90 % in 2026-01, 1 point less each month: 80 % in 2026-11, below it from 2026-12
    const readings = [0, 1, 2, 3, 4, 5].map((i) => ({
      month: `2026-${String(i + 1).padStart(2, '0')}`,
      healthPct: 90 - i,
    }));
    const p = projectBattery(readings);
    expect(p).toEqual({ slopePctPerMonth: -1, below80: '2026-12', below60: '2028-08' });
  });
  it('fits a line through noisy readings across a year boundary', () => {
    const p = projectBattery([
      { month: '2025-11', healthPct: 86 },
      { month: '2025-12', healthPct: 83 },
      { month: '2026-01', healthPct: 84 },
      { month: '2026-02', healthPct: 81 },
    ]);
    // slope −1.4 %/month through 83.5 % halfway Dec–Jan: exactly 80 % in 2026-03, below it from 2026-04
    expect(p?.slopePctPerMonth).toBe(-1.4);
    expect(p?.below80).toBe('2026-04');
  });
  it('says the last reading month when the battery is already below the threshold', () => {
    const p = projectBattery([
      { month: '2026-01', healthPct: 70 },
      { month: '2026-02', healthPct: 68 },
    ]);
    expect(p?.below80).toBe('2026-02');
    expect(p?.below60).toBe('2026-07');
  });
  it('gives no projection with fewer than two months', () => {
    expect(projectBattery([])).toBeNull();
    expect(projectBattery([{ month: '2026-01', healthPct: 90 }])).toBeNull();
    expect(
      projectBattery([
        { month: '2026-01', healthPct: 90 },
        { month: '2026-01', healthPct: 89 },
      ]),
    ).toBeNull();
  });
  it('gives no projection when health is flat or rising', () => {
    expect(
      projectBattery([
        { month: '2026-01', healthPct: 90 },
        { month: '2026-02', healthPct: 90 },
      ]),
    ).toBeNull();
    expect(
      projectBattery([
        { month: '2026-01', healthPct: 88 },
        { month: '2026-02', healthPct: 90 },
      ]),
    ).toBeNull();
  });
  it('refuses a month that is not YYYY-MM', () => {
    expect(() => projectBattery([{ month: 'jan', healthPct: 1 }])).toThrow(/YYYY-MM/);
  });
});

describe('deviceAge', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  it('counts from the purchase date first', () => {
    expect(
      deviceAge({ purchaseDate: '2022-09-01', biosDate: '2021-05-10', firstSeen: '2026-01-01' }, now),
    ).toEqual({ months: 51, years: 4.3, source: 'purchase', since: '2022-09-01' });
  });
  it('falls back to the BIOS date, then the day first seen, and says which', () => {
    expect(deviceAge({ biosDate: '2021-12-03' }, now)).toMatchObject({ months: 59, source: 'bios' });
    expect(deviceAge({ biosDate: null, firstSeen: '2026-06-02T08:00:00Z' }, now)).toMatchObject({
      months: 6,
      source: 'first-seen',
      since: '2026-06-02',
    });
  });
  it('gives none when no date is known', () => {
    expect(deviceAge({}, now)).toBeNull();
  });
});
