import type { BeforeAfterResult, Confidence, DayTypeComparison, SideFigures } from '../api/impact.js';
import { type CalendarDayType, compileCalendar, type SchoolCalendar } from '../calendar/school-calendar.js';
import { energyStateOf, type StateWatts, wasteWatts } from '../energy.js';
import { formatNumber } from '../i18n/format.js';
import type { Interval } from '../intervals.js';
import { HOUR_MS } from '../time.js';

/**
 * Before/after (docs/impact.md): avoidable waste per device-day before and after a group's policy
 * changed, compared only between days of the same type. A vacation day is never set against a
 * school day; the day the change happened is left out because it is half one, half the other.
 */

/** Fewer device-days than this on either side and the comparison carries a confidence note. */
export const BEFORE_AFTER_MIN_DEVICE_DAYS = 20;

export interface DeviceDayWaste {
  deviceId: number;
  /** local date in the school's time zone */
  date: string;
  dayType: CalendarDayType;
  /** recorded avoidable waste that day (as `/usage` counts it) */
  wasteKwh: number;
  /** false when the device reported nothing that day: left out, because no data is not zero waste */
  hasData?: boolean;
}

export interface BeforeAfterInput {
  days: readonly DeviceDayWaste[];
  /** the local date the new policy took effect */
  changedOn: string;
  /** day types to compare, each only with itself (default: school days only) */
  dayTypes?: readonly CalendarDayType[];
  minDeviceDays?: number;
}

const DAY_NAMES: Record<CalendarDayType, { nl: string; en: string }> = {
  school_day: { nl: 'apparaat-schooldagen', en: 'device school days' },
  weekend: { nl: 'apparaat-weekenddagen', en: 'device weekend days' },
  vacation: { nl: 'apparaat-vakantiedagen', en: 'device vacation days' },
  holiday: { nl: 'apparaat-feestdagen', en: 'device holidays' },
  study_day: { nl: 'apparaat-studiedagen', en: 'device study days' },
};

function side(days: DeviceDayWaste[]): SideFigures {
  const wasteKwh = days.reduce((s, d) => s + d.wasteKwh, 0);
  return {
    deviceDays: days.length,
    wasteKwh,
    wasteKwhPerDeviceDay: days.length > 0 ? wasteKwh / days.length : null,
  };
}

function noteFor(t: CalendarDayType, before: number, after: number, min: number): DayTypeComparison['note'] {
  const n = DAY_NAMES[t];
  if (before === 0 || after === 0) {
    const which = before === 0 ? { nl: 'vóór', en: 'before' } : { nl: 'na', en: 'after' };
    return {
      nl: `Nog geen ${n.nl} ${which.nl} de wijziging, dus nog geen vergelijking.`,
      en: `No ${n.en} ${which.en} the change yet, so no comparison yet.`,
    };
  }
  return {
    nl: `Voorzichtig: dit rust op weinig gegevens (${formatNumber('nl', before, 0)} ${n.nl} vóór en ${formatNumber('nl', after, 0)} na de wijziging; minder dan ${min} aan een kant). Kijk over een paar schoolweken opnieuw.`,
    en: `Careful: this rests on little data (${formatNumber('en', before, 0)} ${n.en} before and ${formatNumber('en', after, 0)} after the change; fewer than ${min} on one side). Look again in a few school weeks.`,
  };
}

function compare(
  days: DeviceDayWaste[],
  t: CalendarDayType,
  changedOn: string,
  min: number,
): DayTypeComparison {
  const like = days.filter((d) => d.dayType === t && d.hasData !== false);
  const before = side(like.filter((d) => d.date < changedOn));
  const after = side(like.filter((d) => d.date > changedOn));
  const b = before.wasteKwhPerDeviceDay;
  const a = after.wasteKwhPerDeviceDay;
  const reductionPct = b !== null && a !== null && b > 0 ? ((b - a) / b) * 100 : null;
  const confidence: Confidence =
    before.deviceDays === 0 || after.deviceDays === 0
      ? 'none'
      : before.deviceDays < min || after.deviceDays < min
        ? 'few'
        : 'enough';
  const out: DayTypeComparison = { dayType: t, before, after, reductionPct, confidence };
  if (confidence !== 'enough') out.note = noteFor(t, before.deviceDays, after.deviceDays, min);
  return out;
}

/** Compares waste per device-day before and after `changedOn`, like day types only. */
export function compareBeforeAfter(input: BeforeAfterInput): BeforeAfterResult {
  const types =
    input.dayTypes && input.dayTypes.length > 0 ? [...new Set(input.dayTypes)] : (['school_day'] as const);
  const min = input.minDeviceDays ?? BEFORE_AFTER_MIN_DEVICE_DAYS;
  const byDayType = types.map((t) => compare([...input.days], t, input.changedOn, min));
  return { ...byDayType[0]!, changedOn: input.changedOn, byDayType };
}

/**
 * One device's recorded waste per local day of its school over [from, to), with each day's type:
 * the input `compareBeforeAfter` takes. Days on which no interval overlaps get `hasData: false`.
 * Waste per interval is the energy model's (`wasteWatts`), as in `/usage`.
 */
export function wastePerDeviceDay(
  device: { deviceId: number; watts: StateWatts; intervals: readonly Interval[] },
  calendar: SchoolCalendar,
  from: number,
  to: number,
): DeviceDayWaste[] {
  const days = compileCalendar(calendar).daysBetween(from, to);
  const intervals = [...device.intervals].sort((a, b) => a.start - b.start);
  const out: DeviceDayWaste[] = [];
  let first = 0;
  for (const d of days) {
    const a = Math.max(d.start, from);
    const b = Math.min(d.end, to);
    while (first < intervals.length && intervals[first]!.end <= a) first++;
    let wh = 0;
    let hasData = false;
    for (let i = first; i < intervals.length && intervals[i]!.start < b; i++) {
      const iv = intervals[i]!;
      const ms = Math.min(b, iv.end) - Math.max(a, iv.start);
      if (ms <= 0) continue;
      hasData = true;
      wh += (ms / HOUR_MS) * wasteWatts(device.watts, energyStateOf(iv));
    }
    out.push({ deviceId: device.deviceId, date: d.date, dayType: d.type, wasteKwh: wh / 1000, hasData });
  }
  return out;
}
