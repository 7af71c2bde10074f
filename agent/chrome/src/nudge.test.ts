import { initialNudgeState } from '@sluimer/agent/core';
import { deviceNoun, type EffectivePolicy, renderNudge } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { decideChromeNudge, kindOfNotification, langFor, notificationFor } from './nudge.js';

const NOW = Date.UTC(2026, 2, 3, 10, 0, 0); // a Tuesday, 11:00 in Amsterdam
const policy: EffectivePolicy = {
  auditOnly: false,
  sleepAfterSec: { ac: 300 },
  timeZone: 'Europe/Amsterdam',
  allowSnooze: true,
  snoozeMinutes: 30,
} as EffectivePolicy;

describe('nudges on a Chromebook', () => {
  it('warns two minutes before the policy sleep timeout, once per idle stretch', () => {
    const first = decideChromeNudge({
      now: NOW,
      policy,
      timeline: [],
      idleMs: 200_000,
      state: initialNudgeState(),
    });
    expect(first.nudge?.content).toEqual({ kind: 'sleepSoon', noun: deviceNoun('chromebook'), minutes: 2 });
    const again = decideChromeNudge({
      now: NOW + 30_000,
      policy,
      timeline: [],
      idleMs: 230_000,
      state: first.state,
    });
    expect(again.nudge).toBeNull();
  });

  it('stays quiet while the pupil is working, and in audit-only mode', () => {
    expect(
      decideChromeNudge({ now: NOW, policy, timeline: [], idleMs: 0, state: initialNudgeState() }).nudge,
    ).toBeNull();
    const audit = { ...policy, auditOnly: true };
    expect(
      decideChromeNudge({
        now: NOW,
        policy: audit,
        timeline: [],
        idleMs: 200_000,
        state: initialNudgeState(),
      }).nudge,
    ).toBeNull();
  });

  it('keeps the tray rate limit: no second nudge within the minimum gap', () => {
    const first = decideChromeNudge({
      now: NOW,
      policy,
      timeline: [],
      idleMs: 200_000,
      state: initialNudgeState(),
    });
    const second = decideChromeNudge({
      now: NOW + 600_000,
      policy,
      timeline: [],
      idleMs: 200_000,
      state: first.state,
    });
    expect(second.nudge).toBeNull();
    expect(second.suppressed?.reason).toBe('min-gap');
  });

  it('shows the tray texts in a notification, Dutch unless Chrome runs in English, with snooze when allowed', () => {
    const { nudge } = decideChromeNudge({
      now: NOW,
      policy,
      timeline: [],
      idleMs: 200_000,
      state: initialNudgeState(),
    });
    if (!nudge) throw new Error('expected a nudge');
    const spec = notificationFor(nudge, langFor('nl-NL'), 'icon.png');
    const text = renderNudge(nudge.content, 'nl');
    expect(spec.options.title).toBe(text.title);
    expect(spec.options.message).toBe(text.body);
    expect(spec.options.buttons).toHaveLength(1);
    expect(kindOfNotification(spec.id)).toBe('sleepSoon');
    expect(langFor('en-GB')).toBe('en');
    expect(langFor('de')).toBe('nl');
  });
});
