import { describe, expect, it } from 'vitest';
import { adviseDevice, type LifecycleFacts, lifecycleOptions } from './advice.js';
import { embodiedShare } from './options.js';

const GiB = 1024 ** 3;
const laptop = (over: Partial<LifecycleFacts> = {}): LifecycleFacts => ({
  deviceClass: 'laptop',
  ageYears: 2,
  hasBattery: true,
  batteryHealthPct: 92,
  memoryBytes: 16 * GiB,
  disks: [{ type: 'nvme', smart: 'ok' }],
  ...over,
});

describe('adviseDevice', () => {
  it('keeps a two-year-old laptop with a healthy battery, SSD and enough memory', () => {
    expect(adviseDevice(laptop())).toMatchObject({ kind: 'keep', rule: 'healthy' });
  });
  it('advises a new battery for a three-year-old laptop at 64 %', () => {
    const a = adviseDevice(laptop({ ageYears: 3, batteryHealthPct: 64 }));
    expect(a).toMatchObject({ kind: 'replace-battery', rule: 'battery-worn' });
  });
  it('sets the battery swap and a new laptop side by side in € and kg CO2e', () => {
    const opts = adviseDevice(laptop({ batteryHealthPct: 64 })).options;
    const swap = opts.find((o) => o.kind === 'replace-battery');
    const repl = opts.find((o) => o.kind === 'replace');
    expect(swap).toMatchObject({ eur: 90, kgCo2e: 5, extraYears: 2, kgPerYear: 2.5 });
    expect(repl).toMatchObject({ eur: 750, kgCo2e: 200, extraYears: 4, kgPerYear: 50 });
  });
  it('replaces a laptop of seven years or more (expected lifetime 4 + 3), whatever its battery', () => {
    expect(adviseDevice(laptop({ ageYears: 7.2, batteryHealthPct: 95 }))).toMatchObject({
      kind: 'replace',
      rule: 'service-life-over',
    });
    expect(adviseDevice(laptop({ ageYears: 6.9, batteryHealthPct: 64 })).kind).toBe('replace-battery');
  });
  it('upgrades a desktop with a hard disk and 4 GB memory with both parts', () => {
    const a = adviseDevice({
      deviceClass: 'desktop',
      ageYears: 4,
      hasBattery: false,
      batteryHealthPct: null,
      memoryBytes: 4 * GiB,
      disks: [{ type: 'hdd' }],
    });
    expect(a).toMatchObject({ kind: 'upgrade', rule: 'hard-disk', parts: ['ssd', 'memory'] });
    expect(a.options.find((o) => o.kind === 'upgrade')).toMatchObject({ eur: 100, kgCo2e: 13 });
  });
  it('upgrades memory alone when the disk is an SSD', () => {
    expect(adviseDevice(laptop({ memoryBytes: 4 * GiB }))).toMatchObject({
      kind: 'upgrade',
      rule: 'memory-low',
      parts: ['memory'],
    });
  });
  it('puts a new SSD in for a failing disk, and replaces a Chromebook whose storage fails', () => {
    expect(adviseDevice(laptop({ disks: [{ type: 'ssd', smart: 'failing' }] }))).toMatchObject({
      kind: 'upgrade',
      rule: 'disk-failing',
      parts: ['ssd'],
    });
    expect(
      adviseDevice({
        deviceClass: 'chromebook',
        ageYears: 2,
        hasBattery: true,
        batteryHealthPct: 90,
        disks: [{ type: 'ssd', smart: 'failing' }],
      }),
    ).toMatchObject({ kind: 'replace', rule: 'disk-failing-no-repair' });
  });
  it('refurbishes a healthy device past its expected lifetime', () => {
    expect(adviseDevice(laptop({ ageYears: 5 }))).toMatchObject({
      kind: 'refurbish',
      rule: 'past-expected-life',
    });
  });
  it('keeps a device of unknown age and says the age is unknown', () => {
    expect(adviseDevice(laptop({ ageYears: null }))).toMatchObject({ kind: 'keep', rule: 'age-unknown' });
  });
  it('offers no battery or upgrade options to a desktop with nothing to upgrade', () => {
    const kinds = lifecycleOptions({
      deviceClass: 'desktop',
      ageYears: 1,
      hasBattery: false,
      batteryHealthPct: null,
      memoryBytes: 16 * GiB,
    }).map((o) => o.kind);
    expect(kinds).toEqual(['keep', 'refurbish', 'replace']);
  });
});

describe('embodiedShare', () => {
  it('spreads a laptop’s 200 kg over 4 years, or over planned years', () => {
    expect(embodiedShare('laptop')).toEqual({ kg: 200, range: [130, 300], lifetimeYears: 4, kgPerYear: 50 });
    expect(embodiedShare('laptop', 6).kgPerYear).toBeCloseTo(33.333, 3);
  });
});
