import {
  DEFAULT_ENERGY_SETTINGS,
  type EffectivePolicy,
  HOUR_MS,
  type Interval,
  MINUTE_MS,
  renderNudge,
} from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  addToTotals,
  decideNudge,
  deviceWeekFromTotals,
  FALLBACK_NUDGE_KINDS,
  groupWeeksFromSummary,
  initialNudgeState,
  msOutsideSchoolHours,
  NudgeCounters,
  type NudgeInput,
  snoozeNudges,
  todayFromTotals,
  weekKey,
} from './nudges.js';

/** Local Amsterdam time (CET, UTC+1, in late November 2026). 2026-11-23 is a Monday. */
const at = (local: string) => Date.parse(`${local}:00+01:00`);
const zone = 'Europe/Amsterdam';

const policy: EffectivePolicy = {
  sleepAfterSec: { ac: 900, battery: 600 },
  schoolHours: {
    mon: { start: '08:30', end: '16:00' },
    tue: { start: '08:30', end: '16:00' },
    wed: { start: '08:30', end: '12:30' },
    thu: { start: '08:30', end: '16:00' },
    fri: { start: '08:30', end: '15:00' },
  },
  allowSnooze: true,
  snoozeMinutes: 60,
  timeZone: zone,
};

const laptop = { deviceClass: 'laptop' as const };

function input(over: Partial<NudgeInput> = {}): NudgeInput {
  return {
    now: at('2026-11-24T10:00'),
    policy,
    timeline: [],
    session: { idleMs: 0, presenting: false },
    power: 'ac',
    profile: laptop,
    energy: DEFAULT_ENERGY_SETTINGS,
    state: initialNudgeState(),
    ...over,
  };
}

/** idle 13 min 30 s on AC with a 15-minute sleep timeout: 1.5 minutes left */
const almostAsleep = { idleMs: 13.5 * MINUTE_MS, presenting: false };

describe('sleep soon', () => {
  it('warns two minutes before the policy puts the device to sleep, in both languages', () => {
    const d = decideNudge(input({ session: { idleMs: 13 * MINUTE_MS, presenting: false } }));
    expect(d.nudge?.content).toEqual({ kind: 'sleepSoon', noun: 'laptop', minutes: 2 });
    expect(d.nudge?.snoozeMinutes).toBe(60);
    expect(renderNudge(d.nudge!.content, 'nl').body).toBe(
      'Deze laptop gaat over 2 minuten in slaapstand. Beweeg de muis om verder te werken.',
    );
    expect(renderNudge(d.nudge!.content, 'en').body).toBe(
      'This laptop will go to sleep in 2 minutes. Move the mouse to keep working.',
    );
  });

  it('uses the battery timeout on battery and stays silent earlier than two minutes before', () => {
    expect(decideNudge(input({ session: almostAsleep })).nudge).not.toBeNull();
    expect(decideNudge(input({ session: { idleMs: 5 * MINUTE_MS, presenting: false } })).nudge).toBeNull();
    const battery = decideNudge(
      input({ power: 'battery', session: { idleMs: 9 * MINUTE_MS, presenting: false } }),
    );
    expect(battery.nudge?.content).toMatchObject({ kind: 'sleepSoon', minutes: 1 });
  });

  it('warns once per idle stretch', () => {
    const now = at('2026-11-24T10:00');
    const first = decideNudge(
      input({ now, session: almostAsleep, policy: { ...policy, nudges: { minGapMin: 5 } } }),
    );
    expect(first.nudge).not.toBeNull();
    const again = decideNudge(
      input({
        now: now + 6 * MINUTE_MS,
        session: { idleMs: almostAsleep.idleMs + 6 * MINUTE_MS - 1, presenting: false },
        policy: { ...policy, sleepAfterSec: { ac: 1200 }, nudges: { minGapMin: 5 } },
        state: first.state,
      }),
    );
    expect(again.nudge).toBeNull();
  });

  it('offers no snooze when the policy does not allow it, and says nothing in audit-only mode', () => {
    const noSnooze = decideNudge(input({ session: almostAsleep, policy: { ...policy, allowSnooze: false } }));
    expect(noSnooze.nudge?.snoozeMinutes).toBeUndefined();
    expect(
      decideNudge(input({ session: almostAsleep, policy: { ...policy, auditOnly: true } })).nudge,
    ).toBeNull();
  });
});

describe('left on', () => {
  // Monday 15:30 active until 16:00, idle all night (display off after a while), active Tuesday 08:10
  const night: Interval[] = [
    { start: at('2026-11-23T15:30'), end: at('2026-11-23T16:00'), state: 'active', display: 'on' },
    { start: at('2026-11-23T16:00'), end: at('2026-11-23T16:30'), state: 'idle', display: 'on' },
    { start: at('2026-11-23T16:30'), end: at('2026-11-24T08:00'), state: 'idle', display: 'off' },
    { start: at('2026-11-24T08:00'), end: at('2026-11-24T08:10'), state: 'active', display: 'on' },
  ];

  it('tells at the next session how long the device stood on unused outside school hours, with kWh and euros', () => {
    const d = decideNudge(input({ now: at('2026-11-24T08:10'), timeline: night }));
    expect(d.nudge?.content.kind).toBe('leftOn');
    // 16:00–08:00 is 16 h, all outside school hours: 0.5 h display on (8 W) + 15.5 h display off (4 W)
    // waste = 0.5 × (8 − 1) + 15.5 × (4 − 1) = 50 Wh = 0.05 kWh, × €0.25 = €0.0125 → €0.01
    expect(d.nudge?.content).toEqual({ kind: 'leftOn', noun: 'laptop', hours: 16, kwh: 0.05, eur: 0.01 });
    expect(renderNudge(d.nudge!.content, 'nl').body).toContain(
      'Deze laptop stond buiten schooltijd 16 uur aan zonder gebruik. In slaapstand had dat ongeveer 0,05 kWh (€ 0,01) gescheeld.',
    );
    expect(renderNudge(d.nudge!.content, 'en').body).toContain(
      'on but unused for 16 hours outside school hours',
    );
    // once per night
    const later = decideNudge(
      input({
        now: at('2026-11-24T11:30'),
        timeline: night,
        state: d.state,
        session: { idleMs: 0, presenting: false },
      }),
    );
    expect(later.nudge).toBeNull();
  });

  it('does not count idle time inside school hours, nor a short evening', () => {
    const inSchool: Interval[] = [
      { start: at('2026-11-24T09:00'), end: at('2026-11-24T11:00'), state: 'idle', display: 'on' },
      { start: at('2026-11-24T11:00'), end: at('2026-11-24T11:05'), state: 'active' },
    ];
    expect(decideNudge(input({ now: at('2026-11-24T11:05'), timeline: inSchool })).nudge).toBeNull();
    expect(
      msOutsideSchoolHours(at('2026-11-24T15:00'), at('2026-11-24T17:00'), policy.schoolHours, zone),
    ).toBe(HOUR_MS);
    // Wednesday ends at 12:30
    expect(
      msOutsideSchoolHours(at('2026-11-25T12:00'), at('2026-11-25T13:00'), policy.schoolHours, zone),
    ).toBe(30 * MINUTE_MS);
    // Saturday has no school
    expect(
      msOutsideSchoolHours(at('2026-11-28T10:00'), at('2026-11-28T12:00'), policy.schoolHours, zone),
    ).toBe(2 * HOUR_MS);
  });

  it('counts a study day the console names in daysOff as outside school hours all day', () => {
    const studyDay = [{ kind: 'study_day' as const, start: '2026-11-24', end: '2026-11-24' }];
    expect(
      msOutsideSchoolHours(
        at('2026-11-24T09:00'),
        at('2026-11-24T11:00'),
        policy.schoolHours,
        zone,
        studyDay,
      ),
    ).toBe(2 * HOUR_MS);
    // the day after is a school day again
    expect(
      msOutsideSchoolHours(
        at('2026-11-25T09:00'),
        at('2026-11-25T11:00'),
        policy.schoolHours,
        zone,
        studyDay,
      ),
    ).toBe(0);
    const leftOnStudyDay: Interval[] = [
      { start: at('2026-11-24T08:00'), end: at('2026-11-24T13:00'), state: 'idle', display: 'on' },
      { start: at('2026-11-24T13:00'), end: at('2026-11-24T13:05'), state: 'active' },
    ];
    const now = at('2026-11-24T13:05');
    expect(decideNudge(input({ now, timeline: leftOnStudyDay })).nudge).toBeNull();
    const nudge = decideNudge(
      input({ now, timeline: leftOnStudyDay, policy: { ...policy, daysOff: studyDay } }),
    ).nudge;
    expect(nudge?.content.kind).toBe('leftOn');
  });

  it('waits while the device is still unused (no session yet)', () => {
    expect(decideNudge(input({ now: at('2026-11-24T07:00'), timeline: night.slice(0, 3) })).nudge).toBeNull();
  });
});

describe('brightness', () => {
  it('explains a cap that just lowered the screen, with the saving', () => {
    const now = at('2026-11-24T10:00');
    const d = decideNudge(
      input({
        now,
        power: 'battery',
        brightness: { pct: 70, cappedFromPct: 100, cappedAt: now - MINUTE_MS },
      }),
    );
    // laptop backlight 8 − 4 = 4 W, lowered by 30 %
    expect(d.nudge?.content).toEqual({
      kind: 'brightness',
      reason: 'capped',
      pct: 70,
      onBattery: true,
      savedWatts: 1.2,
    });
    expect(renderNudge(d.nudge!.content, 'nl').body).toBe(
      'Het scherm is op accu beperkt tot 70 %. Dat spaart ongeveer 1,2 W, zodat je accu langer meegaat.',
    );
    expect(renderNudge(d.nudge!.content, 'en').body).toContain('limited to 70%');
    const again = decideNudge(
      input({
        now: now + 2 * HOUR_MS,
        power: 'battery',
        brightness: { pct: 70, cappedFromPct: 100, cappedAt: now - MINUTE_MS },
        state: d.state,
      }),
    );
    expect(again.nudge).toBeNull();
  });

  it('gives a tip on battery at full brightness without a cap, once a day', () => {
    const d = decideNudge(input({ power: 'battery', brightness: { pct: 100 } }));
    expect(d.nudge?.content).toMatchObject({
      kind: 'brightness',
      reason: 'fullOnBattery',
      pct: 70,
      savedWatts: 1.2,
    });
    expect(renderNudge(d.nudge!.content, 'nl').body).toContain('volle helderheid');
    const later = decideNudge(
      input({ now: at('2026-11-24T14:00'), power: 'battery', brightness: { pct: 100 }, state: d.state }),
    );
    expect(later.nudge).toBeNull();
    // with a battery cap in the policy, or on AC, or on a desktop: no tip
    const capped = { ...policy, brightnessCapPct: { battery: 80 } };
    expect(
      decideNudge(input({ policy: capped, power: 'battery', brightness: { pct: 100 } })).nudge,
    ).toBeNull();
    expect(decideNudge(input({ power: 'ac', brightness: { pct: 100 } })).nudge).toBeNull();
    expect(
      decideNudge(input({ profile: { deviceClass: 'desktop' }, power: 'battery', brightness: { pct: 100 } }))
        .nudge,
    ).toBeNull();
  });
});

describe('kinds (the no-tray fallback)', () => {
  it('decides only the kinds it is given: a brightness tip is left out, sleep soon still comes', () => {
    const tip = { power: 'battery' as const, brightness: { pct: 100 } };
    expect(decideNudge(input(tip)).nudge?.content.kind).toBe('brightness');
    const fallback = decideNudge(input({ ...tip, kinds: FALLBACK_NUDGE_KINDS }));
    expect(fallback.nudge).toBeNull();
    // nothing was marked as told, so the tray can still give the tip later
    expect(fallback.state.fullBrightnessDay).toBeUndefined();
    const soon = decideNudge(
      input({ ...tip, session: { idleMs: 8.5 * MINUTE_MS, presenting: false }, kinds: FALLBACK_NUDGE_KINDS }),
    );
    expect(soon.nudge?.content).toEqual({ kind: 'sleepSoon', noun: 'laptop', minutes: 2 });
  });
});

describe('weekly', () => {
  const room = {
    scope: 'room' as const,
    thisWeek: { idleOnMs: 20 * HOUR_MS, wasteKwh: 1.1, wasteEur: 0.28 },
    lastWeek: { idleOnMs: 50 * HOUR_MS, wasteKwh: 4.3, wasteEur: 1.08 },
  };

  it('shows the room result on the last school day afternoon, with whole laptop charges', () => {
    const d = decideNudge(input({ now: at('2026-11-27T13:00'), weeks: [room] }));
    // 4.3 − 1.1 = 3.2 kWh = 3200 Wh / 50 Wh = 64 charges
    expect(d.nudge?.content).toEqual({
      kind: 'weekly',
      scope: 'room',
      noun: 'laptop',
      kwh: 3.2,
      charges: 64,
    });
    expect(renderNudge(d.nudge!.content, 'nl').body).toBe(
      'Jullie lokaal bespaarde deze week 3,2 kWh — genoeg om een laptop ruim 64 keer op te laden.',
    );
    expect(renderNudge(d.nudge!.content, 'en').body).toBe(
      'Your room saved 3.2 kWh this week — enough to charge a laptop more than 64 times.',
    );
    expect(
      decideNudge(input({ now: at('2026-11-27T16:00'), weeks: [room], state: d.state })).nudge,
    ).toBeNull();
  });

  it('is never shown before Friday noon, nor when the week was not better (never shaming)', () => {
    expect(decideNudge(input({ now: at('2026-11-26T13:00'), weeks: [room] })).nudge).toBeNull();
    const worse = { ...room, thisWeek: room.lastWeek, lastWeek: room.thisWeek };
    expect(decideNudge(input({ now: at('2026-11-27T13:00'), weeks: [worse] })).nudge).toBeNull();
  });
});

describe('room/class week from the console (summary frame)', () => {
  const frame = {
    weekStart: '2026-11-23',
    groups: [
      {
        scope: 'room' as const,
        label: 'Lokaal 2.14',
        thisWeek: { idleOnHours: 20, wasteKwh: 1.1, wasteEur: 0.28 },
        lastWeek: { idleOnHours: 50.5, wasteKwh: 4.3, wasteEur: 1.08 },
      },
      {
        scope: 'class' as const,
        thisWeek: { idleOnHours: 2, wasteKwh: 0.2, wasteEur: 0.05 },
        lastWeek: { idleOnHours: 3, wasteKwh: 0.3, wasteEur: 0.08 },
      },
    ],
  };

  it('becomes the summaries of this week, most specific first, and drives the weekly nudge', () => {
    const friday = at('2026-11-27T13:00');
    const weeks = groupWeeksFromSummary(frame, friday, zone);
    expect(weeks).toEqual([
      {
        scope: 'room',
        label: 'Lokaal 2.14',
        thisWeek: { idleOnMs: 20 * HOUR_MS, wasteKwh: 1.1, wasteEur: 0.28 },
        lastWeek: { idleOnMs: 50.5 * HOUR_MS, wasteKwh: 4.3, wasteEur: 1.08 },
      },
      {
        scope: 'class',
        thisWeek: { idleOnMs: 2 * HOUR_MS, wasteKwh: 0.2, wasteEur: 0.05 },
        lastWeek: { idleOnMs: 3 * HOUR_MS, wasteKwh: 0.3, wasteEur: 0.08 },
      },
    ]);
    const d = decideNudge(input({ now: friday, weeks }));
    expect(d.nudge?.content).toMatchObject({ kind: 'weekly', scope: 'room', kwh: 3.2 });
  });

  it('is ignored once its week is over (figures kept over the weekend are not this week)', () => {
    expect(groupWeeksFromSummary(frame, at('2026-11-30T09:00'), zone)).toEqual([]);
    expect(groupWeeksFromSummary(null, at('2026-11-27T13:00'), zone)).toEqual([]);
  });
});

describe('rate limits and silence', () => {
  it('holds nudges during quiet hours and while presenting', () => {
    const quiet = {
      ...policy,
      nudges: { quietHours: [{ days: ['tue' as const], start: '09:00', end: '11:00' }] },
    };
    const q = decideNudge(input({ policy: quiet, session: almostAsleep }));
    expect(q.nudge).toBeNull();
    expect(q.suppressed).toEqual({ kind: 'sleepSoon', reason: 'quiet-hours' });
    expect(
      decideNudge(input({ policy: quiet, session: almostAsleep, now: at('2026-11-24T11:00') })).nudge,
    ).not.toBeNull();
    const p = decideNudge(input({ session: { ...almostAsleep, presenting: true } }));
    expect(p.suppressed?.reason).toBe('presenting');
  });

  it('keeps a minimum gap and a daily maximum across all kinds', () => {
    const limited = { ...policy, nudges: { maxPerDay: 2, minGapMin: 30 } };
    let state = initialNudgeState();
    const t0 = at('2026-11-24T09:00');
    const shownAt: number[] = [];
    // a fresh idle stretch every 10 minutes, each almost at its sleep timeout
    for (let i = 0; i < 30; i++) {
      const d = decideNudge(
        input({ policy: limited, now: t0 + i * 10 * MINUTE_MS, session: almostAsleep, state }),
      );
      state = d.state;
      if (d.nudge) shownAt.push(i * 10);
    }
    expect(shownAt).toEqual([0, 30]);
    // the next local day starts a new count
    const nextDay = decideNudge(
      input({ policy: limited, now: at('2026-11-25T09:00'), session: almostAsleep, state }),
    );
    expect(nextDay.nudge).not.toBeNull();
  });

  it('holds everything while snoozed, when disabled, and without a tray session', () => {
    const now = at('2026-11-24T10:00');
    const snoozed = snoozeNudges(initialNudgeState(), now - MINUTE_MS, 60);
    expect(decideNudge(input({ now, session: almostAsleep, state: snoozed })).suppressed?.reason).toBe(
      'snoozed',
    );
    const off = { ...policy, nudges: { enabled: false } };
    expect(decideNudge(input({ policy: off, session: almostAsleep })).suppressed?.reason).toBe('disabled');
    expect(
      decideNudge(input({ session: null, power: 'battery', brightness: { pct: 100 } })).suppressed?.reason,
    ).toBe('no-session');
  });
});

describe('outcome counters', () => {
  it('count per kind without identity and reset when taken', () => {
    const c = new NudgeCounters();
    expect(c.take()).toBeUndefined();
    c.add('sleepSoon', 'shown');
    c.add('sleepSoon', 'shown');
    c.add('sleepSoon', 'snoozed');
    c.add('weekly', 'dismissed');
    const taken = c.take();
    expect(taken).toEqual({
      sleepSoon: { shown: 2, dismissed: 0, snoozed: 1 },
      weekly: { shown: 0, dismissed: 1, snoozed: 0 },
    });
    expect(JSON.stringify(taken)).not.toMatch(/user|name|id/i);
    expect(c.take()).toBeUndefined();
    c.restore(taken);
    expect(c.take()).toEqual(taken);
  });
});

describe('hourly totals', () => {
  it('give today and the week against the same span of last week', () => {
    let totals = {};
    const lastWeek: Interval = {
      start: at('2026-11-17T16:00'),
      end: at('2026-11-18T08:00'),
      state: 'idle',
      display: 'off',
    };
    const thisWeek: Interval = {
      start: at('2026-11-24T16:00'),
      end: at('2026-11-24T20:00'),
      state: 'idle',
      display: 'off',
    };
    const today: Interval = { start: at('2026-11-25T08:00'), end: at('2026-11-25T09:30'), state: 'active' };
    for (const iv of [lastWeek, thisWeek, today])
      totals = addToTotals(totals, iv, laptop, DEFAULT_ENERGY_SETTINGS);
    const now = at('2026-11-25T09:30');
    expect(todayFromTotals(totals, now, zone)).toEqual({ onMs: 1.5 * HOUR_MS, idleOnMs: 0 });
    const week = deviceWeekFromTotals(totals, now, 0.25, zone);
    expect(week.thisWeek.idleOnMs).toBe(4 * HOUR_MS);
    expect(week.lastWeek.idleOnMs).toBe(16 * HOUR_MS);
    expect(week.lastWeek.wasteKwh).toBeCloseTo((16 * 3) / 1000, 9);
    expect(week.thisWeek.wasteEur).toBeCloseTo(((4 * 3) / 1000) * 0.25, 9);
    expect(weekKey(now, zone)).toBe('2026-11-23');
  });
});
