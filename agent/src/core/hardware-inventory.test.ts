import { readFileSync } from 'node:fs';
import { batteryHealthPct, classifyDevice, InventorySchema } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { inventoryFromSi, normaliseBiosDate, type SiSnapshot } from './hardware-inventory.js';

const AT = Date.UTC(2026, 11, 2);
/** captured on the team's build machine (a Debian container: no DMI, no disks, no battery) */
const container = JSON.parse(
  readFileSync(new URL('./fixtures/si-linux-container.json', import.meta.url), 'utf8'),
) as SiSnapshot;

/** shaped like systeminformation's answers on a Windows school laptop (WMI; capacities in mWh) */
const windowsLaptop: SiSnapshot = {
  system: {
    manufacturer: 'HP',
    model: 'HP ProBook 450 G8 Notebook PC',
    serial: '5CD1234XYZ',
    virtual: false,
  },
  bios: { vendor: 'HP', version: 'T87 Ver. 01.09.00', releaseDate: '2021-03-15' },
  chassis: { type: 'Notebook' },
  cpu: { manufacturer: 'Intel', brand: 'Core™ i5-1135G7', cores: 8, physicalCores: 4 },
  mem: { total: 8_589_934_592 },
  diskLayout: [
    { type: 'NVMe', size: 256_052_966_400, smartStatus: 'Ok', interfaceType: 'PCIe' },
    { type: 'HD', size: 32_000_000_000, smartStatus: 'unknown', interfaceType: 'USB' },
  ],
  battery: {
    hasBattery: true,
    cycleCount: 0,
    designedCapacity: 45_000,
    maxCapacity: 30_150,
    capacityUnit: 'mWh',
    voltage: 12.1,
    manufacturer: 'Hewlett-Packard',
    model: 'Primary',
  },
};

/** shaped like systeminformation on a MacBook (ioreg; capacities in mAh, present voltage in V) */
const macbook: SiSnapshot = {
  system: { manufacturer: 'Apple Inc.', model: 'MacBookAir10,1', serial: 'FVFDX0ABQ6L4' },
  bios: { vendor: 'Apple Inc.', version: '10151.81.1', releaseDate: '' },
  chassis: { type: 'Notebook' },
  cpu: { manufacturer: 'Apple', brand: 'M1', cores: 8, physicalCores: 8 },
  mem: { total: 8_589_934_592 },
  diskLayout: [{ type: 'SSD', size: 251_000_193_024, smartStatus: 'Ok', interfaceType: 'PCIe' }],
  battery: {
    hasBattery: true,
    cycleCount: 412,
    designedCapacity: 4380,
    maxCapacity: 3823,
    capacityUnit: 'mAh',
    voltage: 12.9,
    manufacturer: 'SMP',
    model: '',
  },
};

describe('inventoryFromSi', () => {
  it('maps the capture of this machine to an inventory the schema accepts, dropping empty fields', () => {
    const inv = inventoryFromSi(container, AT);
    expect(InventorySchema.parse(inv)).toEqual(inv);
    expect(inv).toEqual({
      readAt: AT,
      model: 'Docker Container',
      cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 2, physicalCores: 2 },
      memoryBytes: 25_275_953_152,
      disks: [],
      battery: { hasBattery: false },
    });
  });

  it('maps a Windows laptop: mWh to Wh, zero cycles as unknown, USB disks left out', () => {
    const inv = inventoryFromSi(windowsLaptop, AT);
    expect(InventorySchema.parse(inv)).toEqual(inv);
    expect(inv.battery).toEqual({
      hasBattery: true,
      designCapacityWh: 45,
      fullCapacityWh: 30.15,
      manufacturer: 'Hewlett-Packard',
      model: 'Primary',
    });
    expect(inv.bios).toEqual({ vendor: 'HP', version: 'T87 Ver. 01.09.00', releaseDate: '2021-03-15' });
    expect(inv.disks).toEqual([{ type: 'nvme', sizeBytes: 256_052_966_400, smart: 'ok' }]);
    expect(inv.serialNumber).toBe('5CD1234XYZ');
    expect(classifyDevice(inv).deviceClass).toBe('laptop');
  });

  it('shows a worn Windows battery at 67 % health', () => {
    expect(batteryHealthPct(inventoryFromSi(windowsLaptop, AT).battery)).toBe(67);
  });

  it('maps a MacBook: keeps mAh for health and derives Wh from the voltage', () => {
    const inv = inventoryFromSi(macbook, AT);
    expect(InventorySchema.parse(inv)).toEqual(inv);
    expect(inv.battery).toEqual({
      hasBattery: true,
      designCapacityMah: 4380,
      fullCapacityMah: 3823,
      designCapacityWh: 56.5,
      fullCapacityWh: 49.32,
      cycleCount: 412,
      manufacturer: 'SMP',
    });
    expect(batteryHealthPct(inv.battery)).toBe(87.3);
    // macOS gives no BIOS date: the age then falls back to the day first seen
    expect(inv.bios).toEqual({ vendor: 'Apple Inc.', version: '10151.81.1' });
  });

  it('keeps mAh without Wh when the battery gives no voltage', () => {
    const inv = inventoryFromSi({ battery: { ...macbook.battery, voltage: 0 } }, AT);
    expect(inv.battery).toMatchObject({ designCapacityMah: 4380, fullCapacityMah: 3823 });
    expect(inv.battery?.designCapacityWh).toBeUndefined();
  });

  it('says a desktop has no battery and reads a failing disk', () => {
    const inv = inventoryFromSi(
      {
        chassis: { type: 'Mini PC' },
        battery: { hasBattery: false, designedCapacity: 0, maxCapacity: 0, capacityUnit: '' },
        diskLayout: [
          { type: 'HD', size: 500_107_862_016, smartStatus: 'Predicted Failure', interfaceType: 'SATA' },
        ],
      },
      AT,
    );
    expect(inv.battery).toEqual({ hasBattery: false });
    expect(inv.disks).toEqual([{ type: 'hdd', sizeBytes: 500_107_862_016, smart: 'failing' }]);
    expect(classifyDevice(inv)).toMatchObject({ deviceClass: 'desktop', suggestModernPreset: true });
  });

  it('turns firmware placeholders, an unknown unit and missing sections into absent fields', () => {
    const inv = inventoryFromSi(
      {
        system: {
          manufacturer: 'To Be Filled By O.E.M.',
          model: 'System Product Name',
          serial: 'Default string',
        },
        bios: { releaseDate: 'yesterday' },
        battery: { hasBattery: true, designedCapacity: 50, maxCapacity: 40, capacityUnit: '' },
      },
      AT,
    );
    expect(inv).toEqual({ readAt: AT, battery: { hasBattery: true } });
    // no battery answer at all (the section failed or timed out) is not "no battery"
    expect(InventorySchema.parse(inventoryFromSi({}, AT))).toEqual({ readAt: AT });
  });

  it('maps a Windows laptop whose static battery data WMI refused: charge capacity only, no health', () => {
    // BatteryStaticData needs admin on some firmware: systeminformation then gives 0 for the design
    const inv = inventoryFromSi(
      {
        ...windowsLaptop,
        battery: {
          hasBattery: true,
          cycleCount: 0,
          designedCapacity: 0,
          maxCapacity: 41_020,
          capacityUnit: 'mWh',
          voltage: 0,
          manufacturer: '',
          model: '',
        },
      },
      AT,
    );
    expect(inv.battery).toEqual({ hasBattery: true, fullCapacityWh: 41.02 });
    expect(batteryHealthPct(inv.battery)).toBeNull();
    expect(classifyDevice(inv).deviceClass).toBe('laptop');
  });

  it('maps a Windows desktop: no Win32_Battery, a SATA SSD, chassis from SMBIOS', () => {
    const inv = inventoryFromSi(
      {
        system: { manufacturer: 'Dell Inc.', model: 'OptiPlex 7070', serial: '8XYZ123', virtual: false },
        bios: { vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2019-06-20' },
        chassis: { type: 'Mini Tower' },
        battery: {
          hasBattery: false,
          cycleCount: 0,
          designedCapacity: 0,
          maxCapacity: 0,
          capacityUnit: '',
          voltage: 0,
          manufacturer: '',
          model: '',
        },
        diskLayout: [{ type: 'SSD', size: 256_060_514_304, smartStatus: 'Ok', interfaceType: 'SATA' }],
      },
      AT,
    );
    expect(InventorySchema.parse(inv)).toEqual(inv);
    expect(inv.battery).toEqual({ hasBattery: false });
    expect(inv.bios?.releaseDate).toBe('2019-06-20');
    expect(classifyDevice(inv).deviceClass).toBe('desktop');
  });

  it('maps an Intel MacBook Pro in mAh with a cycle count and an empty serial', () => {
    const inv = inventoryFromSi(
      {
        system: { manufacturer: 'Apple Inc.', model: 'MacBookPro16,2', serial: '' },
        chassis: { type: 'Notebook' },
        battery: {
          hasBattery: true,
          cycleCount: 987,
          designedCapacity: 5088,
          maxCapacity: 3410,
          capacityUnit: 'mAh',
          voltage: 11.4,
          manufacturer: 'DSY',
          model: '',
        },
      },
      AT,
    );
    expect(inv.serialNumber).toBeUndefined();
    expect(inv.battery).toMatchObject({ designCapacityMah: 5088, fullCapacityMah: 3410, cycleCount: 987 });
    expect(batteryHealthPct(inv.battery)).toBe(67);
  });
});

describe('normaliseBiosDate', () => {
  it('accepts ISO and SMBIOS month/day/year dates and refuses the rest', () => {
    expect(normaliseBiosDate('2021-3-5')).toBe('2021-03-05');
    expect(normaliseBiosDate('03/15/2021')).toBe('2021-03-15');
    expect(normaliseBiosDate('1980-01-01')).toBeUndefined();
    expect(normaliseBiosDate('2021-13-01')).toBeUndefined();
    expect(normaliseBiosDate(20210315)).toBeUndefined();
  });
});
