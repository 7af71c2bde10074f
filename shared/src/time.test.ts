import { afterEach, describe, expect, it } from 'vitest';
import { intlLocalTime, type LocalTime, localTime, setLocalTimeReader } from './time.js';

afterEach(() => setLocalTimeReader(null));

describe('localTime', () => {
  it('reads wall-clock parts in the school’s zone through Intl by default', () => {
    // 2026-03-30 is a Monday; 07:30 UTC is 09:30 in Amsterdam (summer time)
    expect(localTime(Date.UTC(2026, 2, 30, 7, 30))).toEqual({
      date: '2026-03-30',
      weekday: 0,
      hour: 9,
      minute: 30,
    });
  });

  it('uses the reader a process installs, and Intl again once it is removed', () => {
    const asked: [number, string][] = [];
    const fixed: LocalTime = { date: '2000-01-01', weekday: 5, hour: 1, minute: 2 };
    setLocalTimeReader((ms, zone) => {
      asked.push([ms, zone]);
      return fixed;
    });
    expect(localTime(5, 'America/New_York')).toBe(fixed);
    expect(asked).toEqual([[5, 'America/New_York']]);
    setLocalTimeReader(null);
    const t = Date.UTC(2026, 2, 30, 7, 30);
    expect(localTime(t, 'America/New_York')).toEqual(intlLocalTime(t, 'America/New_York'));
  });
});
