import { describe, expect, it } from 'vitest';
import { powerSourceOf } from './power.js';

describe('mains or battery from the offscreen document', () => {
  it('reads a discharging battery as battery and everything on the charger as mains', () => {
    expect(powerSourceOf({ charging: false, level: 0.42 })).toBe('battery');
    expect(powerSourceOf({ charging: true, level: 0.42 })).toBe('ac');
    // the Battery Status API without a battery (a Chromebox, Chromium on a desktop): charging, full
    expect(powerSourceOf({ charging: true, level: 1 })).toBe('ac');
  });

  it('never guesses from a missing or odd answer', () => {
    expect(powerSourceOf(undefined)).toBe('unknown'); // no offscreen document answered
    expect(powerSourceOf(null)).toBe('unknown'); // the document has no getBattery
    expect(powerSourceOf({ charging: 'yes', level: 1 })).toBe('unknown');
    expect(powerSourceOf({ charging: false, level: 7 })).toBe('unknown');
  });
});
