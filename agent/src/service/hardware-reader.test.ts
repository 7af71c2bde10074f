import { InventorySchema } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { mergeInventory, readHardwareInventory } from './hardware-reader.js';

describe('mergeInventory', () => {
  it('keeps the OS from the adapter and takes the hardware from systeminformation', () => {
    const merged = mergeInventory(
      {
        os: 'windows',
        osVersion: 'Windows 11 Pro 23H2',
        model: 'ProBook',
        battery: { hasBattery: true, percent: 55, designCapacityWh: 44 },
      },
      {
        readAt: 1,
        model: 'HP ProBook 450 G8',
        battery: { hasBattery: true, designCapacityWh: 45, cycleCount: 9 },
      },
    );
    expect(merged).toEqual({
      os: 'windows',
      osVersion: 'Windows 11 Pro 23H2',
      model: 'HP ProBook 450 G8',
      readAt: 1,
      battery: { hasBattery: true, percent: 55, designCapacityWh: 45, cycleCount: 9 },
    });
  });

  it('keeps a battery the adapter saw when systeminformation saw none', () => {
    const merged = mergeInventory(
      { os: 'linux', battery: { hasBattery: true, designCapacityWh: 50 } },
      { readAt: 1, battery: { hasBattery: false } },
    );
    expect(merged.battery).toEqual({ hasBattery: true, designCapacityWh: 50 });
  });

  it('returns the adapter inventory unchanged without a hardware reading', () => {
    expect(mergeInventory({ os: 'macos' }, null)).toEqual({ os: 'macos' });
  });
});

describe('readHardwareInventory', () => {
  it('reads this machine through systeminformation into an inventory the schema accepts', async () => {
    const inv = await readHardwareInventory(() => 42);
    expect(InventorySchema.parse(inv)).toEqual(inv);
    expect(inv.readAt).toBe(42);
    expect(inv.battery).toBeDefined();
  }, 120_000);
});
