import { z } from 'zod';
import type { DeviceClass } from '../energy.js';
import type { EffectivePolicy, PolicySettings } from '../policy.js';
import type { Lang } from './format.js';
import { type DeviceNoun, messages } from './messages.js';

export * from './format.js';
export * from './messages.js';

export function deviceNoun(deviceClass: DeviceClass | undefined): DeviceNoun {
  switch (deviceClass) {
    case 'laptop':
    case 'chromebook':
      return 'laptop';
    case 'tablet':
      return 'tablet';
    default:
      return 'computer';
  }
}

export const DeviceNounSchema = z.enum(['laptop', 'computer', 'tablet']);
export const SummaryScopeSchema = z.enum(['device', 'room', 'class']);

export const NUDGE_KINDS = ['sleepSoon', 'leftOn', 'brightness', 'weekly'] as const;
export const NudgeKindSchema = z.enum(NUDGE_KINDS);
export type NudgeKind = z.infer<typeof NudgeKindSchema>;

const nonNeg = z.number().min(0).max(1e9);

/**
 * What a nudge says, as data: the service decides it, the tray renders it in the pupil's language.
 * Numbers are raw (hours, kWh, euros, watts); formatting happens in `renderNudge`.
 */
export const NudgeContentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sleepSoon'),
    noun: DeviceNounSchema,
    minutes: z.number().int().min(1).max(60),
  }),
  z.object({
    kind: z.literal('leftOn'),
    noun: DeviceNounSchema,
    hours: nonNeg,
    kwh: nonNeg,
    eur: nonNeg,
  }),
  z.object({
    kind: z.literal('brightness'),
    reason: z.enum(['capped', 'fullOnBattery']),
    pct: z.number().min(1).max(100),
    onBattery: z.boolean(),
    savedWatts: nonNeg,
  }),
  z.object({
    kind: z.literal('weekly'),
    scope: SummaryScopeSchema,
    noun: DeviceNounSchema,
    kwh: nonNeg,
    charges: z.number().int().min(0).max(1e9),
  }),
]);
export type NudgeContent = z.infer<typeof NudgeContentSchema>;

export interface RenderedNudge {
  title: string;
  body: string;
}

export function renderNudge(content: NudgeContent, lang: Lang): RenderedNudge {
  const m = messages(lang).nudge;
  switch (content.kind) {
    case 'sleepSoon':
      return { title: m.sleepSoon.title, body: m.sleepSoon.body(content.noun, content.minutes) };
    case 'leftOn':
      return {
        title: m.leftOn.title,
        body: m.leftOn.body(content.noun, content.hours, content.kwh, content.eur),
      };
    case 'brightness':
      return content.reason === 'capped'
        ? {
            title: m.brightnessCapped.title,
            body: m.brightnessCapped.body(content.pct, content.onBattery, content.savedWatts),
          }
        : { title: m.brightnessFull.title, body: m.brightnessFull.body(content.pct, content.savedWatts) };
    case 'weekly':
      return {
        title: m.weekly.title,
        body: m.weekly.body(content.scope, content.noun, content.kwh, content.charges),
      };
  }
}

const minutesOf = (sec: number) => Math.round(sec / 60);

/**
 * The policy in plain words for the tray menu, e.g. "Deze computer gaat na 15 minuten zonder gebruik
 * in slaapstand; het scherm is op accu beperkt tot 70 %."
 */
export function describePolicy(
  policy: EffectivePolicy | PolicySettings | null | undefined,
  lang: Lang,
  noun: DeviceNoun,
): string {
  const p = messages(lang).policy;
  if (!policy) return p.nothing(noun);
  if ('excludedReason' in policy && policy.excludedReason) return p.excluded(noun);
  if (policy.auditOnly) return p.auditOnly(noun);

  const clauses: string[] = [];
  const sleep = policy.sleepAfterSec;
  if (sleep?.ac !== undefined && sleep.battery !== undefined && sleep.ac !== sleep.battery) {
    clauses.push(p.sleepAfterPerSource(noun, minutesOf(sleep.ac), minutesOf(sleep.battery)));
  } else if (sleep?.ac !== undefined) {
    clauses.push(p.sleepAfter(noun, minutesOf(sleep.ac)));
  } else if (sleep?.battery !== undefined) {
    clauses.push(p.sleepAfterBatteryOnly(noun, minutesOf(sleep.battery)));
  }

  const display = policy.displayOffAfterSec;
  if (
    display &&
    (display.ac === undefined || display.battery === undefined || display.ac === display.battery)
  ) {
    const sec = display.ac ?? display.battery;
    if (sec !== undefined) clauses.push(p.displayOffAfter(minutesOf(sec)));
  }

  const capPct = policy.brightnessCapPct;
  if (capPct?.ac !== undefined && capPct.battery !== undefined) {
    clauses.push(
      capPct.ac === capPct.battery ? p.capBoth(capPct.ac) : p.capPerSource(capPct.ac, capPct.battery),
    );
  } else if (capPct?.battery !== undefined) {
    clauses.push(p.capBattery(capPct.battery));
  } else if (capPct?.ac !== undefined) {
    clauses.push(p.capAc(capPct.ac));
  }

  const after = policy.outsideSchoolHours;
  if (after?.action && after.action !== 'none' && after.actionAt) {
    clauses.push(p.afterSchool(after.action, after.actionAt));
  }

  if (clauses.length === 0) return p.nothing(noun);
  const sentence = clauses.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** Whole laptop charges in `kwh`, with a 50 Wh battery, rounded down (docs/wording.md). */
export const LAPTOP_BATTERY_WH = 50;
export function laptopCharges(kwh: number): number {
  return Math.max(0, Math.floor((kwh * 1000) / LAPTOP_BATTERY_WH + 1e-9));
}
