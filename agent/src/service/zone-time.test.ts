import { intlLocalTime } from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processZoneLocalTime } from './zone-time.js';

let savedTz: string | undefined;
beforeEach(() => {
  savedTz = process.env.TZ;
});
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const HOUR = 3_600_000;
/** every 37 minutes over the given days: crosses hours, midnights and both DST switches */
function instants(fromIso: string, days: number): number[] {
  const from = Date.parse(fromIso);
  const out: number[] = [];
  for (let t = from; t < from + days * 24 * HOUR; t += 37 * 60_000) out.push(t);
  return out;
}

describe('processZoneLocalTime', () => {
  it.each([
    ['Europe/Amsterdam', '2026-03-27T00:00:00Z'], // summer time starts 29 March
    ['Europe/Amsterdam', '2026-10-23T00:00:00Z'], // and ends 25 October
    ['America/New_York', '2026-03-06T00:00:00Z'],
    ['Asia/Kolkata', '2026-12-30T00:00:00Z'], // +05:30 across a new year
    ['Australia/Lord_Howe', '2026-04-03T00:00:00Z'], // a half-hour DST shift
  ])('reads the same wall-clock parts as Intl in %s around %s', (zone, from) => {
    for (const t of instants(from, 4))
      expect(processZoneLocalTime(t, zone), new Date(t).toISOString()).toEqual(intlLocalTime(t, zone));
  });

  it('follows a change of zone between calls', () => {
    const t = Date.parse('2026-06-01T10:00:00Z');
    expect(processZoneLocalTime(t, 'Europe/Amsterdam')).toMatchObject({ hour: 12, date: '2026-06-01' });
    expect(processZoneLocalTime(t, 'America/New_York')).toMatchObject({ hour: 6, date: '2026-06-01' });
    expect(processZoneLocalTime(t, 'Pacific/Auckland')).toMatchObject({ hour: 22, weekday: 0 });
    expect(processZoneLocalTime(t, 'Europe/Amsterdam')).toMatchObject({ hour: 12, weekday: 0 });
  });

  it('reads zones without an offset right and refuses a name that is no zone, as Intl does', () => {
    const t = Date.parse('2026-06-01T10:15:00Z');
    expect(processZoneLocalTime(t, 'UTC')).toEqual({ date: '2026-06-01', weekday: 0, hour: 10, minute: 15 });
    expect(processZoneLocalTime(t, 'Africa/Abidjan')).toMatchObject({ hour: 10 });
    expect(() => processZoneLocalTime(t, 'Europe/Atlantis')).toThrow(RangeError);
  });
});
