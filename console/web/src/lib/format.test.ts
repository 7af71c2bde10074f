import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatDay,
  formatDuration,
  formatEur,
  formatHours,
  formatKg,
  formatKwh,
  formatNumber,
  formatPercent,
  formatTime,
  weekdayNames,
} from './format.js';

const nbsp = (s: string) => s.replace(/\u00a0/g, ' ');

describe('Dutch number and unit formatting', () => {
  it('groups thousands with a dot and uses a decimal comma', () => {
    expect(formatNumber(1234.5, 'nl')).toBe('1.234,5');
    expect(formatNumber(1234.5, 'en')).toBe('1,234.5');
  });

  it('writes energy as 1.234,5 kWh with a no-break space', () => {
    expect(nbsp(formatKwh(1234.5, 'nl'))).toBe('1.234,5 kWh');
    expect(formatKwh(1234.5, 'nl')).toContain('\u00a0kWh');
  });

  it('keeps small amounts of energy visible instead of rounding them to zero', () => {
    expect(nbsp(formatKwh(0.0042, 'nl'))).toBe('0,004 kWh');
    expect(nbsp(formatKwh(0.81, 'nl'))).toBe('0,81 kWh');
    expect(nbsp(formatKwh(0, 'nl'))).toBe('0 kWh');
  });

  it('writes money as € 12,50 in Dutch and €12.50 in English, always to the cent', () => {
    expect(nbsp(formatEur(12.5, 'nl'))).toBe('€ 12,50');
    expect(nbsp(formatEur(1234.5, 'nl'))).toBe('€ 1.234,50');
    expect(formatEur(12.5, 'en')).toBe('€12.50');
    expect(nbsp(formatEur(0.001, 'nl'))).toBe('€ 0,00');
  });

  it('writes emissions in kg CO2e and the grid factor with a comma', () => {
    expect(nbsp(formatKg(0.27, 'nl'))).toBe('0,27 kg CO2e');
    expect(nbsp(formatKg(12.345, 'nl'))).toBe('12,3 kg CO2e');
  });

  it('writes shares, hours and durations the Dutch way', () => {
    expect(nbsp(formatPercent(0.423, 'nl'))).toBe('42%');
    expect(nbsp(formatHours(5400, 'nl'))).toBe('1,5 u');
    expect(nbsp(formatHours(5400, 'en'))).toBe('1.5 h');
    expect(nbsp(formatDuration(1800, 'nl'))).toBe('30 min');
    expect(nbsp(formatDuration(7260, 'nl'))).toBe('2 u 1 min');
  });

  it('never shows minus zero or NaN', () => {
    expect(formatNumber(-0.00001, 'nl', 2)).toBe('0');
    expect(formatNumber(Number.NaN, 'nl')).toBe('–');
  });
});

describe('Dutch dates and times', () => {
  // Tuesday 3 March 2026, 14:05 in Amsterdam (13:05 UTC, winter time)
  const t = Date.UTC(2026, 2, 3, 13, 5);

  it('writes a day as "di 3 mrt" and a time on the 24-hour clock in Europe/Amsterdam', () => {
    expect(formatDay(t, 'nl')).toBe('di 3 mrt');
    expect(formatDay(t, 'en')).toBe('Tue 3 Mar');
    expect(formatTime(t, 'nl')).toBe('14:05');
    expect(formatTime(Date.UTC(2026, 6, 1, 21, 30), 'nl')).toBe('23:30'); // summer time
  });

  it('starts the week on Monday', () => {
    expect(weekdayNames('nl')).toEqual(['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo']);
    expect(weekdayNames('en')[0]).toBe('Mon');
  });

  it('says how long ago something happened, in the chosen language', () => {
    expect(formatAgo(t - 3 * 60_000, t, 'nl')).toMatch(/3 min\.? geleden/);
    expect(formatAgo(t - 3 * 60_000, t, 'en')).toMatch(/3 min\.? ago/);
  });
});
