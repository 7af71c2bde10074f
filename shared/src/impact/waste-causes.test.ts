import { describe, expect, it } from 'vitest';
import type { SchoolCalendar } from '../calendar/school-calendar.js';
import { totalWatts } from '../energy.js';
import type { Interval } from '../intervals.js';
import { recommendedPolicy } from './recommended-policy.js';
import { type DeviceWasteInput, explainRemainingWaste, type PolicyFacts } from './waste-causes.js';
import { type ReplayDevice, replayWhatIf } from './what-if.js';

const DAY = '2027-11-15'; // a Monday
const T = (hhmm: string) => Date.parse(`${DAY}T${hhmm}:00Z`);
const idle = (a: string, b: string): Interval => ({ start: T(a), end: T(b), state: 'idle' });
const weekday = { start: '08:00', end: '16:00' };
const calendar: SchoolCalendar = {
  timeZone: 'UTC',
  schoolHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
  vacations: [],
  holidays: [],
  studyDays: [],
};
const laptop = totalWatts({ deviceClass: 'laptop' });
const room = (id: number, name: string) => ({ id, name });

const devices: (ReplayDevice & { facts: DeviceWasteInput['facts'] })[] = [
  // held by vlc.exe all evening in B1
  {
    deviceId: 1,
    group: room(1, 'Computerlokaal B1'),
    watts: laptop,
    intervals: [idle('16:30', '20:00')],
    blockers: [{ start: T('16:30'), end: T('19:00'), name: 'vlc.exe' }],
    facts: { policy: 'enforced', status: 'compliant' },
  },
  {
    deviceId: 2,
    group: room(1, 'Computerlokaal B1'),
    watts: laptop,
    intervals: [idle('16:30', '18:00')],
    blockers: [{ start: T('16:00'), end: T('18:00'), name: 'vlc.exe' }],
    facts: { policy: 'enforced', status: 'compliant' },
  },
  // no policy at De Regenboog
  {
    deviceId: 3,
    group: room(2, 'De Regenboog'),
    watts: laptop,
    intervals: [idle('10:00', '14:00')],
    facts: { policy: 'none' },
  },
  // audit-only, then failed half way
  {
    deviceId: 4,
    group: room(2, 'De Regenboog'),
    watts: laptop,
    intervals: [idle('10:00', '12:00')],
    facts: [
      { share: 0.5, facts: { policy: 'audit_only' } },
      { share: 0.5, facts: { policy: 'enforced', status: 'failed' } },
    ],
  },
  // a kiosk, excluded
  {
    deviceId: 5,
    group: room(3, 'Aula'),
    watts: laptop,
    excludedReason: 'kiosk',
    intervals: [idle('08:00', '16:00')],
    facts: { policy: 'enforced', status: 'compliant' },
  },
  // locked by MDM
  {
    deviceId: 6,
    group: room(3, 'Aula'),
    watts: laptop,
    intervals: [idle('10:00', '11:00')],
    facts: { policy: 'enforced', status: 'locked' },
  },
  // no data at all
  { deviceId: 7, group: room(3, 'Aula'), watts: laptop, intervals: [], facts: { policy: 'unknown' } },
];

function explain(yearFactor?: number) {
  const replay = replayWhatIf({
    policy: recommendedPolicy({ schoolHours: calendar.schoolHours }).settings,
    from: T('00:00'),
    to: Date.parse('2027-11-16T00:00:00Z'),
    rawRetentionFrom: 0,
    calendar,
    devices,
    energy: { priceEurPerKwh: 0.25, gridKgPerKwh: 0.27 },
  });
  const inputs: DeviceWasteInput[] = devices.map((d, i) => ({
    deviceId: d.deviceId,
    group: d.group!,
    replay: replay.perDevice[i]!,
    facts: d.facts,
  }));
  const opts: { priceEurPerKwh: number; yearFactor?: number } = { priceEurPerKwh: 0.25 };
  if (yearFactor !== undefined) opts.yearFactor = yearFactor;
  return { replay, result: explainRemainingWaste(inputs, opts) };
}

describe('why the rest is still wasted', () => {
  it('splits every device so its parts add up to its recorded waste, and the causes to the total', () => {
    const { replay, result } = explain();
    expect(result.totalKwh).toBeCloseTo(replay.wasteKwh, 12);
    expect(result.causes.reduce((s, c) => s + c.kwh, 0)).toBeCloseTo(replay.wasteKwh, 12);
    for (const [i, d] of result.perDevice.entries()) {
      expect(d.totalKwh).toBeCloseTo(replay.perDevice[i]!.wasteKwh, 12);
      expect(d.parts.reduce((s, p) => s + p.kwh, 0)).toBeCloseTo(d.totalKwh, 12);
    }
    expect(result.totalEur).toBeCloseTo(replay.wasteKwh * 0.25, 12);
  });

  it('names the blocker, the devices it held and the room', () => {
    const { result } = explain();
    const b = result.causes.find((c) => c.cause === 'blocker')!;
    expect(b.detail).toBe('vlc.exe');
    expect(b.devices).toBe(2);
    expect(b.nextStep.nl).toBe(
      'vlc.exe hield 2 apparaten wakker in Computerlokaal B1. Kijk of het open moet blijven, of sluit het na de les.',
    );
    // device 1, held (screen too) 16:30–19:00. Recommended after hours: screen off after 5 min, asleep
    // after 15, so without the blocker 5 min at 7 W + 10 min at 3 W; with it 150 min at 7 W
    const d1 = result.perDevice.find((d) => d.deviceId === 1)!;
    expect(d1.parts.find((p) => p.cause === 'blocker')?.kwh).toBeCloseTo(
      (150 * 7 - (5 * 7 + 10 * 3)) / 60 / 1000,
      12,
    );
  });

  it('reads each cause from the recorded facts of the period', () => {
    const { result } = explain();
    const causesOf = (id: number) =>
      result.perDevice
        .find((d) => d.deviceId === id)!
        .parts.map((p) => `${p.cause}${p.detail ? `:${p.detail}` : ''}`);
    expect(causesOf(3)).toEqual(['within_recommended', 'no_policy:none']);
    expect(causesOf(4)).toEqual(['within_recommended', 'no_policy:audit_only', 'policy_failed:failed']);
    expect(causesOf(5)).toEqual(['within_recommended', 'excluded:kiosk']);
    expect(causesOf(6)).toEqual(['within_recommended', 'locked']);
    expect(causesOf(7)).toEqual(['no_data']);
    const d4 = result.perDevice.find((d) => d.deviceId === 4)!;
    expect(d4.parts[1]!.kwh).toBeCloseTo(d4.parts[2]!.kwh, 12);
  });

  it('prices the next step per year when given a year factor', () => {
    const { result } = explain(190);
    const none = result.causes.find((c) => c.cause === 'no_policy' && c.detail === 'none')!;
    expect(none.eurPerYear).toBeCloseTo(none.eur * 190, 12);
    expect(none.nextStep.nl).toMatch(
      /^Wijs het aanbevolen beleid toe aan De Regenboog: ~€ \d+,\d\d per jaar\.$/,
    );
    expect(none.nextStep.en).toMatch(/^Assign the recommended policy to De Regenboog: ~€\d+\.\d\d a year\.$/);
    const noData = result.causes.find((c) => c.cause === 'no_data')!;
    expect(noData.devices).toBe(1);
    expect(noData.kwh).toBe(0);
  });

  it('treats an enforced, working policy that still leaves avoidable waste as less strict than recommended', () => {
    const facts: PolicyFacts = { policy: 'enforced', status: 'compliant' };
    const r = explainRemainingWaste(
      [
        {
          deviceId: 1,
          replay: {
            hasData: true,
            wasteKwh: 1,
            avoidedKwh: 0.6,
            keptKwh: 0.4,
            unreachable: { excludedKwh: 0, blockers: [] },
          },
          facts,
        },
      ],
      { priceEurPerKwh: 0.2 },
    );
    expect(r.causes.map((c) => [c.cause, c.kwh])).toEqual([
      ['timeouts_long', 0.6],
      ['within_recommended', 0.4],
    ]);
  });

  it('gives a Chromebook whose Google Admin settings are not in force its own cause, naming the Admin fields', () => {
    const replay = {
      hasData: true,
      wasteKwh: 1,
      avoidedKwh: 0.6,
      keptKwh: 0.4,
      unreachable: { excludedKwh: 0, blockers: [] },
    };
    const r = explainRemainingWaste(
      [
        {
          deviceId: 1,
          group: { id: 3, name: 'Lokaal 2' },
          replay,
          facts: [
            { share: 0.5, facts: { policy: 'enforced', status: 'admin_not_in_force' } },
            { share: 0.5, facts: { policy: 'enforced', status: 'failed' } },
          ],
        },
        { deviceId: 2, replay, facts: { policy: 'enforced', status: 'compliant' } },
      ],
      { priceEurPerKwh: 0.2 },
    );
    expect(r.perDevice[0]!.parts.map((p) => [p.cause, p.kwh])).toEqual([
      ['within_recommended', 0.4],
      ['google_admin_not_in_force', 0.3],
      ['policy_failed', 0.3],
    ]);
    expect(r.perDevice[1]!.parts.map((p) => p.cause)).toEqual(['within_recommended', 'timeouts_long']);
    expect(r.causes.reduce((s, c) => s + c.kwh, 0)).toBeCloseTo(r.totalKwh, 12);
    const admin = r.causes.find((c) => c.cause === 'google_admin_not_in_force')!;
    expect(admin.nextStep.nl).toMatch(
      /^Op 1 apparaat in Lokaal 2 werken de Google Admin-instellingen niet: .*'Idle settings: Action on idle' op Sleep en 'Idle settings: Idle time \(minutes\)'/,
    );
    expect(admin.nextStep.en).toContain(
      "In Google Admin under Devices > Chrome > Settings > Users & browsers > Power and shutdown, set 'Idle settings: Action on idle' to Sleep",
    );
  });
});
