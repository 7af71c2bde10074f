import { describe, expect, it } from 'vitest';
import { googleAdminSettings, idleOverruns } from './chromeos-admin.js';

const field = (r: ReturnType<typeof googleAdminSettings>, name: string) =>
  r.settings.find((s) => s.field === name)?.value;

describe('Google Admin settings for a Sluimer policy', () => {
  it('sets sleep on idle after the stricter of the two sleep timeouts, in minutes', () => {
    const r = googleAdminSettings({
      sleepAfterSec: { ac: 1800, battery: 900 },
      displayOffAfterSec: { ac: 600 },
    });
    expect(field(r, 'Idle settings: Action on idle')).toBe('Sleep');
    expect(field(r, 'Idle settings: Idle time (minutes)')).toBe('15');
    expect(field(r, 'Action on lid close')).toBe('Sleep');
    expect(r.idleSettingsJson).toEqual({
      AC: { Delays: { ScreenOff: 600_000, Idle: 1_800_000 }, IdleAction: 'Sleep' },
      Battery: { Delays: { Idle: 900_000 }, IdleAction: 'Sleep' },
    });
    expect(r.unmapped).toEqual(['displayOffAfter']);
  });

  it('names what Google Admin cannot do and sets no idle action without a sleep timeout', () => {
    const r = googleAdminSettings({ brightnessCapPct: { battery: 70 } });
    expect(field(r, 'Idle settings: Idle time (minutes)')).toBeUndefined();
    expect(r.idleSettingsJson).toBeNull();
    expect(r.unmapped).toEqual(['brightnessCap']);
  });
});

describe('idle stretches that show the settings are not in force', () => {
  const m = (min: number) => min * 60_000;
  it('finds idle that lasted far past the idle time without sleep, joining touching pieces', () => {
    const found = idleOverruns(
      [
        { start: 0, end: m(10), state: 'active' },
        { start: m(10), end: m(30), state: 'idle' },
        { start: m(30), end: m(50), state: 'idle' },
        { start: m(50), end: m(60), state: 'active' },
        { start: m(60), end: m(80), state: 'idle' },
        { start: m(80), end: m(200), state: 'asleep' },
      ],
      15 * 60,
    );
    expect(found).toEqual([{ start: m(10), end: m(50) }]);
  });

  it('flags nothing when the policy sets no sleep', () => {
    expect(idleOverruns([{ start: 0, end: m(500), state: 'idle' }], null)).toEqual([]);
  });
});
