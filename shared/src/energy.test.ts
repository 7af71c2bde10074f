import { describe, expect, it } from 'vitest';
import { co2eKgFor, energyFor, energyStateOf, eurFor, totalWatts, wasteWatts } from './energy.js';
import { splitByHour } from './intervals.js';
import { HOUR_MS, MINUTE_MS } from './time.js';

const at = (hhmm: string, day = '2026-03-02') => Date.parse(`${day}T${hhmm}:00Z`);

function bucketsFor(
  profile: Parameters<typeof totalWatts>[0],
  state: Parameters<typeof energyFor>[1],
  start: number,
  end: number,
) {
  const total = totalWatts(profile);
  return splitByHour(start, end).map((s) => ({ hour: s.hour, ...energyFor(total, state, s.ms) }));
}

describe('energy model worked examples (docs/energy-model.md)', () => {
  it('example A: a laptop idle with the screen on 10:40–11:40 uses 8 Wh of which 7 Wh is waste', () => {
    const buckets = bucketsFor({ deviceClass: 'laptop' }, 'idle_display_on', at('10:40'), at('11:40'));
    expect(buckets).toHaveLength(2);
    expect(buckets[0]!.energyWh).toBeCloseTo(8 / 3, 9);
    expect(buckets[1]!.energyWh).toBeCloseTo(16 / 3, 9);
    expect(buckets[0]!.wasteWh).toBeCloseTo(7 / 3, 9);
    expect(buckets[1]!.wasteWh).toBeCloseTo(14 / 3, 9);
    const kwh = buckets.reduce((s, b) => s + b.energyWh, 0) / 1000;
    const wasteKwh = buckets.reduce((s, b) => s + b.wasteWh, 0) / 1000;
    expect(kwh).toBeCloseTo(0.008, 12);
    expect(wasteKwh).toBeCloseTo(0.007, 12);
    expect(eurFor(kwh, { priceEurPerKwh: 0.25 })).toBeCloseTo(0.002, 12);
    expect(co2eKgFor(kwh, { gridKgPerKwh: 0.27 })).toBeCloseTo(0.00216, 12);
    expect(eurFor(wasteKwh, { priceEurPerKwh: 0.25 })).toBeCloseTo(0.00175, 12);
    expect(co2eKgFor(wasteKwh, { gridKgPerKwh: 0.27 })).toBeCloseTo(0.00189, 12);
  });

  it('example B: a desktop with one 24" monitor idle overnight uses 490 Wh of which 464.8 Wh is waste', () => {
    const start = at('18:00');
    const buckets = bucketsFor({ deviceClass: 'desktop' }, 'idle_display_on', start, start + 14 * HOUR_MS);
    expect(buckets).toHaveLength(14);
    for (const b of buckets) {
      expect(b.energyWh).toBeCloseTo(35, 9);
      expect(b.wasteWh).toBeCloseTo(33.2, 9);
    }
    const kwh = buckets.reduce((s, b) => s + b.energyWh, 0) / 1000;
    const wasteKwh = buckets.reduce((s, b) => s + b.wasteWh, 0) / 1000;
    expect(kwh).toBeCloseTo(0.49, 12);
    expect(wasteKwh).toBeCloseTo(0.4648, 12);
    expect(eurFor(kwh, { priceEurPerKwh: 0.25 })).toBeCloseTo(0.1225, 12);
    expect(co2eKgFor(kwh, { gridKgPerKwh: 0.27 })).toBeCloseTo(0.1323, 12);
    expect(eurFor(wasteKwh, { priceEurPerKwh: 0.25 })).toBeCloseTo(0.1162, 12);
    expect(co2eKgFor(wasteKwh, { gridKgPerKwh: 0.27 })).toBeCloseTo(0.125496, 12);
  });

  it('example B with the screen blanked all night uses 284.2 Wh of which 259 Wh is waste', () => {
    const total = totalWatts({ deviceClass: 'desktop' });
    const { energyWh, wasteWh } = energyFor(total, 'idle_display_off', 14 * HOUR_MS);
    expect(energyWh).toBeCloseTo(284.2, 9);
    expect(wasteWh).toBeCloseTo(259, 9);
  });
});

describe('energy model rules', () => {
  it('counts active, sleep and off time as energy but never as waste', () => {
    const total = totalWatts({ deviceClass: 'laptop' });
    for (const s of ['active', 'sleep', 'off'] as const) {
      expect(wasteWatts(total, s)).toBe(0);
      expect(energyFor(total, s, HOUR_MS).energyWh).toBe(total[s]);
    }
  });

  it('clamps waste at zero when overrides put sleep above idle', () => {
    const total = totalWatts({ deviceClass: 'laptop', watts: { sleep: 50 } });
    expect(wasteWatts(total, 'idle_display_on')).toBe(0);
  });

  it('resolves overrides field by field: device beats deployment beats default', () => {
    const total = totalWatts(
      { deviceClass: 'laptop', watts: { idle_display_on: 9 } },
      { classWatts: { laptop: { idle_display_on: 7, active: 16 } } },
    );
    expect(total.idle_display_on).toBe(9);
    expect(total.active).toBe(16);
    expect(total.sleep).toBe(1);
  });

  it('gives desktops a 24" monitor by default and lets a device have none or two', () => {
    expect(totalWatts({ deviceClass: 'desktop' }).idle_display_on).toBe(35);
    expect(totalWatts({ deviceClass: 'desktop', monitors: [] }).idle_display_on).toBe(20);
    expect(totalWatts({ deviceClass: 'desktop', monitors: ['24', '27'] }).idle_display_on).toBe(55);
    expect(totalWatts({ deviceClass: 'laptop' }).idle_display_on).toBe(8);
  });

  it('uses the desktop presets only when selected', () => {
    expect(totalWatts({ deviceClass: 'desktop', desktopPreset: 'older', monitors: [] }).idle_display_on).toBe(
      45,
    );
    expect(totalWatts({ deviceClass: 'desktop', desktopPreset: 'modern', monitors: [] }).sleep).toBe(1);
  });

  it('maps protocol intervals to energy states, counting an unknown display as on', () => {
    expect(energyStateOf({ state: 'idle' })).toBe('idle_display_on');
    expect(energyStateOf({ state: 'idle', display: 'off' })).toBe('idle_display_off');
    expect(energyStateOf({ state: 'asleep', display: 'off' })).toBe('sleep');
    expect(energyStateOf({ state: 'active', display: 'on' })).toBe('active');
    expect(energyStateOf({ state: 'off' })).toBe('off');
  });

  it('makes hourly buckets that add up to the unsplit interval', () => {
    const total = totalWatts({ deviceClass: 'all-in-one' });
    const start = at('07:13') + 17_123;
    const end = start + 37 * HOUR_MS + 41 * MINUTE_MS + 999;
    const split = splitByHour(start, end).reduce(
      (s, b) => s + energyFor(total, 'idle_display_on', b.ms).energyWh,
      0,
    );
    expect(Math.abs(split - energyFor(total, 'idle_display_on', end - start).energyWh)).toBeLessThan(1e-9);
  });
});
