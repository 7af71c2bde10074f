import { intlLocalTime, type LocalTime } from '@sluimer/shared';

/**
 * `localTime` for the service (installed by `run` through setLocalTimeReader): wall-clock parts read
 * with the Date getters after pointing the process's own time zone at the zone asked for
 * (`process.env.TZ`; Node passes the change to V8 at once). V8 takes those from the same ICU
 * time-zone data Intl uses, but without Intl's first-use cost: listing every ICU locale, ≈ 6–7 MB
 * resident for the life of the service (docs/benchmarks.md "Agent footprint").
 *
 * Nothing else in the service reads local time (logs, reports and the protocol use UTC epoch ms), and
 * it asks for one zone, the school's; switching zones only costs V8 a reset of its date cache. Commands
 * the service starts inherit the variable; they are given and print no local times the service does not
 * read in that same zone (OS schedulers such as systemd and powerd keep their own zone).
 * A zone name ICU does not know reads as UTC without an error, so a zone with no offset in January
 * and in July (UTC itself, West Africa, Iceland, a typo) is read through Intl instead: right answers
 * there, and the same RangeError as before for a name that is no zone.
 */
export function processZoneLocalTime(ms: number, timeZone: string): LocalTime {
  if (process.env.TZ !== timeZone) process.env.TZ = timeZone;
  if (!hasOffset(timeZone)) return intlLocalTime(ms, timeZone);
  const d = new Date(ms);
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    weekday: (d.getDay() + 6) % 7, // Monday = 0
    hour: d.getHours(),
    minute: d.getMinutes(),
  };
}

const offsetKnown = new Map<string, boolean>();

/** whether the zone, as the process now has it, is away from UTC at some time of the year */
function hasOffset(timeZone: string): boolean {
  let known = offsetKnown.get(timeZone);
  if (known === undefined) {
    const year = new Date().getUTCFullYear();
    known =
      new Date(Date.UTC(year, 0, 15)).getTimezoneOffset() !== 0 ||
      new Date(Date.UTC(year, 6, 15)).getTimezoneOffset() !== 0;
    offsetKnown.set(timeZone, known);
  }
  return known;
}

const pad = (n: number) => String(n).padStart(2, '0');
