import { describe, expect, it } from 'vitest';
import type { DayTypeComparison, RoomSavings, SavingsAnswer } from '../api/impact.js';
import { annualSavings, reportAssumptions } from './report.js';

const ENERGY = { priceEurPerKwh: 0.3, gridKgPerKwh: 0.25 };

/** one day type's before/after: device-days and kWh per device-day on each side */
function side(dayType: DayTypeComparison['dayType'], before: [number, number], after: [number, number]) {
  const fig = ([days, perDay]: [number, number]) => ({
    deviceDays: days,
    wasteKwh: days * perDay,
    wasteKwhPerDeviceDay: days > 0 ? perDay : null,
  });
  return {
    dayType,
    before: fig(before),
    after: fig(after),
    reductionPct: null,
    confidence: 'enough' as const,
  };
}

function room(groupId: number, changeAt: number, date: string, byDayType: DayTypeComparison[]): RoomSavings {
  return {
    groupId,
    name: `Lokaal ${groupId}`,
    devices: 10,
    devicesWithOwnPolicy: 0,
    change: {
      at: changeAt,
      date,
      groupId,
      groupName: `Lokaal ${groupId}`,
      from: { policyId: null, policyName: null, auditOnly: true },
      to: { policyId: 1, policyName: 'Slaapstand', auditOnly: false },
    },
    comparison: { ...byDayType[0]!, changedOn: date, byDayType },
    savingPerYearEur: null,
    beforeEurPerDeviceDay: null,
    afterEurPerDeviceDay: null,
  };
}

function answer(rooms: RoomSavings[]): SavingsAnswer {
  return {
    now: 0,
    priceEurPerKwh: ENERGY.priceEurPerKwh,
    schoolDaysPerYear: 180,
    schools: [
      {
        groupId: 1,
        name: 'De Regenboog',
        calendarStored: true,
        before: { deviceDays: 0, wasteKwh: 0, wasteKwhPerDeviceDay: null },
        after: { deviceDays: 0, wasteKwh: 0, wasteKwhPerDeviceDay: null },
        reductionPct: null,
        savingPerYearEur: null,
        beforeEurPerDeviceDay: null,
        afterEurPerDeviceDay: null,
        rooms,
        trend: [],
        changes: [],
      },
    ],
  };
}

describe('annualSavings', () => {
  it('counts per day type the drop per device-day times the device-days after the change', () => {
    const end = answer([
      room(2, 1000, '2026-11-09', [
        side('school_day', [60, 0.4], [40, 0.1]),
        side('weekend', [24, 1.0], [16, 0.2]),
        // no vacation after the change yet: nothing to compare, nothing counted
        side('vacation', [21, 1.0], [0, 0]),
      ]),
    ]);
    const s = annualSavings(end, null, ENERGY);
    const kwh = 0.3 * 40 + 0.8 * 16;
    expect(s.avoidedKwh).toBeCloseTo(kwh, 9);
    expect(s.avoidedEur).toBeCloseTo(kwh * 0.3, 9);
    expect(s.avoidedKg).toBeCloseTo(kwh * 0.25, 9);
    expect(s).toMatchObject({ deviceDaysBefore: 84, deviceDaysAfter: 56, confidence: 'enough', note: null });
    expect(s.changes).toEqual([
      { groupId: 2, groupName: 'Lokaal 2', date: '2026-11-09', policyName: 'Slaapstand' },
    ]);
  });

  it('leaves out the after-side days that were already there when the school year began', () => {
    // a change in March: at 1 August it had 70 device-days after it, at the year's end 250
    const start = answer([room(2, 500, '2026-03-02', [side('school_day', [60, 0.4], [70, 0.1])])]);
    const end = answer([room(2, 500, '2026-03-02', [side('school_day', [60, 0.4], [250, 0.15])])]);
    const s = annualSavings(end, start, ENERGY);
    expect(s.deviceDaysAfter).toBe(180);
    expect(s.avoidedKwh).toBeCloseTo((0.4 - 0.15) * 180, 9);
  });

  it('counts every after-side day when the room changed policy again during the year', () => {
    const start = answer([room(2, 500, '2026-03-02', [side('school_day', [60, 0.4], [70, 0.1])])]);
    const end = answer([room(2, 900, '2026-10-05', [side('school_day', [40, 0.1], [30, 0.05])])]);
    expect(annualSavings(end, start, ENERGY)).toMatchObject({ deviceDaysAfter: 30, deviceDaysBefore: 40 });
  });

  it('says plainly when there is no change to measure, and when the data are few', () => {
    const none = annualSavings(answer([]), null, ENERGY);
    expect(none).toMatchObject({ avoidedKwh: 0, deviceDaysAfter: 0, confidence: 'none', changes: [] });
    expect(none.note?.nl).toMatch(/geen gemeten besparing/);
    const few = annualSavings(
      answer([room(2, 1000, '2026-11-26', [side('school_day', [60, 0.4], [6, 0.1])])]),
      null,
      ENERGY,
    );
    expect(few.confidence).toBe('few');
    expect(few.note?.nl).toBe(
      'Voorzichtig: dit rust op weinig gegevens (60 apparaat-dagen vóór en 6 na de wijzigingen; minder dan 20 aan een kant).',
    );
    expect(few.note?.en).toMatch(/^Careful: this rests on little data/);
  });

  it('reports a rise in waste as a negative saving', () => {
    const s = annualSavings(
      answer([room(2, 1000, '2026-11-09', [side('school_day', [60, 0.1], [40, 0.3])])]),
      null,
      ENERGY,
    );
    expect(s.avoidedKwh).toBeCloseTo(-8, 9);
  });
});

describe('reportAssumptions', () => {
  it('lists the option figures in force per class and names the ones an admin changed', () => {
    const a = reportAssumptions(
      { ...ENERGY, lifecycleFigures: { laptop: { batteryEur: 110, ssdKg: 12 } } },
      56,
    );
    expect(a).toMatchObject({ priceEurPerKwh: 0.3, savingsBeforeDays: 56, savingsMinDeviceDays: 20 });
    const laptop = a.classes.find((c) => c.deviceClass === 'laptop');
    expect(laptop?.figures).toMatchObject({ batteryEur: 110, ssdKg: 12, newDeviceEur: 750 });
    expect(laptop?.changed).toEqual(['batteryEur', 'ssdKg']);
    expect(a.classes.find((c) => c.deviceClass === 'desktop')?.changed).toEqual([]);
    expect(a.classes).toHaveLength(5);
  });
  it('does not count a change to the default value as a change', () => {
    const a = reportAssumptions({ ...ENERGY, lifecycleFigures: { laptop: { batteryEur: 90 } } }, 56);
    expect(a.classes.find((c) => c.deviceClass === 'laptop')?.changed).toEqual([]);
  });
});
