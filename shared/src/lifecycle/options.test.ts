import { describe, expect, it } from 'vitest';
import { SettingsUpdateRequestSchema } from '../api/settings.js';
import { adviseDevice } from './advice.js';
import { LIFECYCLE_OPTION_FIGURES, LifecycleFiguresSettingSchema, optionFigures } from './options.js';

describe('optionFigures', () => {
  it('gives the documented defaults when nothing is changed', () => {
    expect(optionFigures()).toEqual(LIFECYCLE_OPTION_FIGURES);
    expect(optionFigures({}).laptop).toMatchObject({ newDeviceEur: 750, batteryEur: 90, batteryKg: 5 });
  });
  it('lays changes over the defaults field by field and class by class', () => {
    const f = optionFigures({ laptop: { batteryEur: 120, refurbishKg: 20 }, tablet: { newDeviceEur: 450 } });
    expect(f.laptop).toEqual({ ...LIFECYCLE_OPTION_FIGURES.laptop, batteryEur: 120, refurbishKg: 20 });
    expect(f.tablet.newDeviceEur).toBe(450);
    expect(f.desktop).toEqual(LIFECYCLE_OPTION_FIGURES.desktop);
  });
  it('never gives a soldered part a price, even from a stored change', () => {
    expect(optionFigures({ chromebook: { memoryEur: 30 } }).chromebook.memoryEur).toBeNull();
  });
  it('prices the advice options with the figures in force', () => {
    const figures = optionFigures({ laptop: { batteryEur: 130, batteryKg: 7 } });
    const a = adviseDevice(
      { deviceClass: 'laptop', ageYears: 3, hasBattery: true, batteryHealthPct: 60 },
      figures,
    );
    expect(a.kind).toBe('replace-battery');
    expect(a.options.find((o) => o.kind === 'replace-battery')).toMatchObject({ eur: 130, kgCo2e: 7 });
  });
});

describe('LifecycleFiguresSettingSchema', () => {
  it('takes changed figures within their bounds', () => {
    expect(
      LifecycleFiguresSettingSchema.safeParse({ laptop: { newDeviceEur: 9999, batteryKg: 0 } }).success,
    ).toBe(true);
  });
  it.each([
    ['a negative price', { laptop: { batteryEur: -1 } }],
    ['a price above 10,000 euros', { desktop: { newDeviceEur: 10_001 } }],
    ['kg CO2e above 1,000', { laptop: { ssdKg: 1_001 } }],
    ['text for a number', { laptop: { memoryEur: '40' } }],
    ['a figure that does not exist', { laptop: { screenEur: 100 } }],
    ['a class that does not exist', { printer: { newDeviceEur: 300 } }],
    ["a new device's kg CO2e (the energy model's)", { laptop: { newDeviceKg: 150 } }],
  ])('refuses %s', (_what, value) => {
    expect(LifecycleFiguresSettingSchema.safeParse(value).success).toBe(false);
  });
  it('refuses a price for a part the class does not take, naming the class and field', () => {
    const r = SettingsUpdateRequestSchema.safeParse({ lifecycleFigures: { chromebook: { ssdEur: 60 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['lifecycleFigures', 'chromebook', 'ssdEur']);
    expect(r.error?.issues[0]?.message).toMatch(/^chromebook heeft dit onderdeel niet/);
  });
});
