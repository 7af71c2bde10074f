import { decideNudge, type Nudge, type NudgeDecision, type NudgeState } from '@sluimer/agent/core';
import {
  DEFAULT_ENERGY_SETTINGS,
  type EffectivePolicy,
  type Interval,
  type Lang,
  messages,
  type NudgeKind,
  renderNudge,
} from '@sluimer/shared';

/**
 * Nudges on a Chromebook: the core's decision (same triggers, rate limits, quiet hours, snooze) and the
 * shared texts the tray shows, rendered as a chrome.notifications notification. The extension has no
 * brightness control (ChromeOS keeps that), so brightness tips are not decided here.
 */
export const CHROME_NUDGE_KINDS: readonly NudgeKind[] = ['sleepSoon', 'leftOn', 'weekly'];

export interface ChromeNudgeInput {
  now: number;
  policy: EffectivePolicy | null;
  /** recent intervals, ascending; the open interval cut at `now` last */
  timeline: readonly Interval[];
  /** ms since the last input; null = unknown */
  idleMs: number | null;
  power?: 'ac' | 'battery';
  state: NudgeState;
  weeks?: Parameters<typeof decideNudge>[0]['weeks'];
}

export function decideChromeNudge(input: ChromeNudgeInput): NudgeDecision {
  return decideNudge({
    now: input.now,
    policy: input.policy,
    timeline: input.timeline,
    // a Chrome session always has someone signed in; presentations are not visible to an extension
    session: { idleMs: input.idleMs, presenting: false },
    ...(input.power ? { power: input.power } : {}),
    profile: { deviceClass: 'chromebook' },
    energy: DEFAULT_ENERGY_SETTINGS,
    ...(input.weeks ? { weeks: input.weeks } : {}),
    kinds: CHROME_NUDGE_KINDS,
    state: input.state,
  });
}

/** Dutch unless the browser runs in English (docs/wording.md: Dutch first). */
export function langFor(uiLanguage: string): Lang {
  return uiLanguage.toLowerCase().startsWith('en') ? 'en' : 'nl';
}

export interface NotificationSpec {
  id: string;
  options: {
    type: 'basic';
    iconUrl: string;
    title: string;
    message: string;
    priority: number;
    buttons?: { title: string }[];
  };
}

export function notificationFor(nudge: Nudge, lang: Lang, iconUrl: string): NotificationSpec {
  const text = renderNudge(nudge.content, lang);
  return {
    id: `sluimer-${nudge.id}`,
    options: {
      type: 'basic',
      iconUrl,
      title: text.title,
      message: text.body,
      priority: nudge.content.kind === 'sleepSoon' ? 2 : 0,
      ...(nudge.snoozeMinutes
        ? { buttons: [{ title: messages(lang).nudge.snooze(nudge.snoozeMinutes) }] }
        : {}),
    },
  };
}

/** The nudge kind behind a notification id (for counting outcomes), or null for foreign ids. */
export function kindOfNotification(id: string): NudgeKind | null {
  const m = /^sluimer-(sleepSoon|leftOn|brightness|weekly)-/.exec(id);
  return m ? (m[1] as NudgeKind) : null;
}
