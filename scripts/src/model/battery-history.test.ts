import { projectBattery } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { batteryHistoryFor } from './battery-history.js';

const NOW = Date.UTC(2026, 11, 2);

describe('batteryHistoryFor', () => {
  it('gives the twelve months before now, wearing towards today’s health, so a projection follows', () => {
    const inv = {
      battery: { hasBattery: true, designCapacityWh: 50, fullCapacityWh: 35, cycleCount: 600 },
      bios: { releaseDate: '2021-12-02' },
    };
    const h = batteryHistoryFor(inv, 'k', NOW);
    expect(h.map((r) => r.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
    // 30 points in ~60 months: 0.5 a month, so a year ago ≈ 76 %
    expect(h[0]?.healthPct).toBeGreaterThan(75);
    expect(h[0]?.healthPct).toBeLessThan(77.5);
    expect(h.at(-1)?.cycleCount).toBeLessThan(600);
    const p = projectBattery([...h, { month: '2026-12', healthPct: 70 }]);
    expect(p?.below60).toMatch(/^202[89]-/);
  });
  it('gives nothing for a device without a battery or a BIOS date', () => {
    expect(batteryHistoryFor({ battery: { hasBattery: false } }, 'k', NOW)).toEqual([]);
    expect(
      batteryHistoryFor(
        { battery: { hasBattery: true, designCapacityWh: 50, fullCapacityWh: 40 } },
        'k',
        NOW,
      ),
    ).toEqual([]);
  });
});
