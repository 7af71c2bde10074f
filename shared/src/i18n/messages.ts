import {
  formatDurationShort,
  formatEur,
  formatHours,
  formatKwh,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatWatts,
  type Lang,
} from './format.js';

/** What the pupil-facing texts call this device. */
export type DeviceNoun = 'laptop' | 'computer' | 'tablet';
/** Whose week a weekly result is about. */
export type SummaryScope = 'device' | 'room' | 'class';

/**
 * Every pupil-facing text, once per language. The `Messages` type makes a missing English (or Dutch)
 * text a compile error. Tone (docs/wording.md): short, friendly, concrete, never blaming; no exclamation
 * marks; "je/jij".
 */
export interface Messages {
  langName: string;
  device: (noun: DeviceNoun) => string;
  status: { managed: string; nudgeWaiting: string; notConnected: string; auditOnly: string };
  menu: {
    todayOn: (ms: number) => string;
    todayIdle: (ms: number) => string;
    todayUnknown: string;
    why: (noun: DeviceNoun) => string;
    snooze: (minutes: number) => string;
    snoozedUntil: (clock: string) => string;
    week: string;
    language: string;
  };
  policy: {
    sleepAfter: (noun: DeviceNoun, minutes: number) => string;
    sleepAfterPerSource: (noun: DeviceNoun, acMin: number, batteryMin: number) => string;
    sleepAfterBatteryOnly: (noun: DeviceNoun, minutes: number) => string;
    displayOffAfter: (minutes: number) => string;
    capBattery: (pct: number) => string;
    capAc: (pct: number) => string;
    capBoth: (pct: number) => string;
    capPerSource: (acPct: number, batteryPct: number) => string;
    afterSchool: (action: 'sleep' | 'shutdown', clock: string) => string;
    auditOnly: (noun: DeviceNoun) => string;
    excluded: (noun: DeviceNoun) => string;
    nothing: (noun: DeviceNoun) => string;
  };
  nudge: {
    sleepSoon: { title: string; body: (noun: DeviceNoun, minutes: number) => string };
    leftOn: { title: string; body: (noun: DeviceNoun, hours: number, kwh: number, eur: number) => string };
    brightnessCapped: {
      title: string;
      body: (pct: number, onBattery: boolean, savedWatts: number) => string;
    };
    brightnessFull: { title: string; body: (suggestPct: number, savedWatts: number) => string };
    weekly: {
      title: string;
      body: (scope: SummaryScope, noun: DeviceNoun, kwh: number, charges: number) => string;
    };
    ok: string;
    snooze: (minutes: number) => string;
  };
  week: {
    title: string;
    device: (noun: DeviceNoun) => string;
    scope: (scope: SummaryScope, label?: string) => string;
    idleOn: string;
    idleOnValue: (hours: number) => string;
    avoided: string;
    avoidedValue: (kwh: number, eur: number) => string;
    fewerHours: (hours: number) => string;
    steady: string;
    noData: string;
    charges: (charges: number) => string;
  };
  why: { title: string; paragraphs: (noun: DeviceNoun) => string[]; more: string; close: string };
}

const nlNoun = (n: DeviceNoun) => n;
const enNoun = (n: DeviceNoun) => n;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const nl: Messages = {
  langName: 'Nederlands',
  device: (n) => `deze ${nlNoun(n)}`,
  status: {
    managed: 'Sluimer is actief. Alles in orde.',
    nudgeWaiting: 'Sluimer heeft een melding voor je.',
    notConnected: 'Sluimer is even niet bereikbaar. Je kunt gewoon doorwerken.',
    auditOnly: 'Sluimer meet alleen; er wordt niets ingesteld.',
  },
  menu: {
    todayOn: (ms) => `Vandaag aan: ${formatDurationShort('nl', ms)}`,
    todayIdle: (ms) => `Aan maar niet in gebruik: ${formatDurationShort('nl', ms)}`,
    todayUnknown: 'Vandaag: nog geen gegevens',
    why: (n) => `Waarom wordt deze ${nlNoun(n)} beheerd?`,
    snooze: (m) => `Slaapstand ${formatMinutes('nl', m)} uitstellen`,
    snoozedUntil: (clock) => `Slaapstand uitgesteld tot ${clock}`,
    week: 'Deze week bekijken',
    language: 'Taal',
  },
  policy: {
    sleepAfter: (n, m) => `Deze ${nlNoun(n)} gaat na ${formatMinutes('nl', m)} zonder gebruik in slaapstand`,
    sleepAfterPerSource: (n, ac, bat) =>
      `Deze ${nlNoun(n)} gaat na ${formatMinutes('nl', ac)} zonder gebruik in slaapstand (op accu na ${formatMinutes('nl', bat)})`,
    sleepAfterBatteryOnly: (n, m) =>
      `Deze ${nlNoun(n)} gaat op accu na ${formatMinutes('nl', m)} zonder gebruik in slaapstand`,
    displayOffAfter: (m) => `het beeldscherm gaat na ${formatMinutes('nl', m)} uit`,
    capBattery: (p) => `het scherm is op accu beperkt tot ${formatPercent('nl', p)}`,
    capAc: (p) => `het scherm is aan de lader beperkt tot ${formatPercent('nl', p)}`,
    capBoth: (p) => `het scherm is beperkt tot ${formatPercent('nl', p)}`,
    capPerSource: (ac, bat) =>
      `het scherm is beperkt tot ${formatPercent('nl', ac)} (op accu ${formatPercent('nl', bat)})`,
    afterSchool: (a, clock) =>
      a === 'sleep'
        ? `na schooltijd gaat hij om ${clock} in slaapstand`
        : `na schooltijd gaat hij om ${clock} uit`,
    auditOnly: (n) => `Sluimer meet alleen hoe lang deze ${nlNoun(n)} aan staat. Er wordt niets ingesteld.`,
    excluded: (n) => `Deze ${nlNoun(n)} is uitgezonderd van het energiebeleid. Sluimer meet alleen.`,
    nothing: (n) => `Voor deze ${nlNoun(n)} is nog geen energiebeleid ingesteld.`,
  },
  nudge: {
    sleepSoon: {
      title: 'Bijna slaapstand',
      body: (n, m) =>
        `Deze ${nlNoun(n)} gaat over ${formatMinutes('nl', m)} in slaapstand. Beweeg de muis om verder te werken.`,
    },
    leftOn: {
      title: 'Aan maar niet in gebruik',
      body: (n, h, kwh, eur) =>
        `Deze ${nlNoun(n)} stond buiten schooltijd ${formatHours('nl', h)} aan zonder gebruik. ` +
        `In slaapstand had dat ongeveer ${formatKwh('nl', kwh)} (${formatEur('nl', eur)}) gescheeld. ` +
        'Klaar met werken? Kies dan slaapstand of klap de laptop dicht.',
    },
    brightnessCapped: {
      title: 'Helderheid aangepast',
      body: (p, bat, w) =>
        bat
          ? `Het scherm is op accu beperkt tot ${formatPercent('nl', p)}. Dat spaart ongeveer ${formatWatts('nl', w)}, zodat je accu langer meegaat.`
          : `Het scherm is beperkt tot ${formatPercent('nl', p)}. Dat spaart ongeveer ${formatWatts('nl', w)}.`,
    },
    brightnessFull: {
      title: 'Tip voor je accu',
      body: (p, w) =>
        `Je scherm staat op volle helderheid terwijl je op de accu werkt. Op ${formatPercent('nl', p)} spaar je ongeveer ${formatWatts('nl', w)} en gaat je accu langer mee.`,
    },
    weekly: {
      title: 'Jullie week',
      body: (scope, n, kwh, charges) => {
        const who =
          scope === 'room' ? 'Jullie lokaal' : scope === 'class' ? 'Jullie klas' : `Deze ${nlNoun(n)}`;
        return `${who} bespaarde deze week ${formatKwh('nl', kwh)} — genoeg om een laptop ruim ${formatNumber('nl', charges, 0)} keer op te laden.`;
      },
    },
    ok: 'Oké',
    snooze: (m) => `${formatMinutes('nl', m)} uitstellen`,
  },
  week: {
    title: 'Deze week',
    device: (n) => cap(`deze ${nlNoun(n)}`),
    scope: (s, label) =>
      s === 'room'
        ? label
          ? `Lokaal ${label}`
          : 'Jullie lokaal'
        : s === 'class'
          ? label
            ? `Klas ${label}`
            : 'Jullie klas'
          : 'Dit apparaat',
    idleOn: 'Aan maar niet in gebruik',
    idleOnValue: (h) => formatHours('nl', h),
    avoided: 'Bespaard ten opzichte van vorige week',
    avoidedValue: (kwh, eur) => `${formatKwh('nl', kwh)} (${formatEur('nl', eur)})`,
    fewerHours: (h) => `${formatHours('nl', h)} minder dan vorige week. Goed bezig.`,
    steady: 'Elke keer dat je de slaapstand kiest, telt mee.',
    noData: 'Nog geen gegevens van deze week.',
    charges: (c) => `Genoeg om een laptop ruim ${formatNumber('nl', c, 0)} keer op te laden.`,
  },
  why: {
    title: 'Waarom wordt deze computer beheerd?',
    paragraphs: (n) => [
      `Je school gebruikt Sluimer om stroom te besparen. Een ${nlNoun(n)} die aan staat terwijl niemand hem gebruikt, verbruikt stroom voor niets.`,
      'Sluimer zet apparaten daarom na een tijdje zonder gebruik in slaapstand en kan de helderheid van het scherm beperken. Je werk blijft gewoon staan.',
      'Sluimer kijkt niet mee: het ziet geen namen, geen vensters, geen toetsaanslagen en geen websites. Het telt alleen hoe lang dit apparaat aan staat en in gebruik is.',
    ],
    more: 'Meer uitleg van je school',
    close: 'Sluiten',
  },
};

export const en: Messages = {
  langName: 'English',
  device: (n) => `this ${enNoun(n)}`,
  status: {
    managed: 'Sluimer is active. All is well.',
    nudgeWaiting: 'Sluimer has a message for you.',
    notConnected: 'Sluimer cannot be reached right now. You can keep working.',
    auditOnly: 'Sluimer only measures; nothing is changed.',
  },
  menu: {
    todayOn: (ms) => `On today: ${formatDurationShort('en', ms)}`,
    todayIdle: (ms) => `On but unused: ${formatDurationShort('en', ms)}`,
    todayUnknown: 'Today: no data yet',
    why: (n) => `Why is this ${enNoun(n)} managed?`,
    snooze: (m) => `Postpone sleep for ${formatMinutes('en', m)}`,
    snoozedUntil: (clock) => `Sleep postponed until ${clock}`,
    week: 'Show this week',
    language: 'Language',
  },
  policy: {
    sleepAfter: (n, m) => `This ${enNoun(n)} goes to sleep after ${formatMinutes('en', m)} without use`,
    sleepAfterPerSource: (n, ac, bat) =>
      `This ${enNoun(n)} goes to sleep after ${formatMinutes('en', ac)} without use (on battery after ${formatMinutes('en', bat)})`,
    sleepAfterBatteryOnly: (n, m) =>
      `On battery, this ${enNoun(n)} goes to sleep after ${formatMinutes('en', m)} without use`,
    displayOffAfter: (m) => `the display turns off after ${formatMinutes('en', m)}`,
    capBattery: (p) => `on battery the screen is limited to ${formatPercent('en', p)}`,
    capAc: (p) => `on the charger the screen is limited to ${formatPercent('en', p)}`,
    capBoth: (p) => `the screen is limited to ${formatPercent('en', p)}`,
    capPerSource: (ac, bat) =>
      `the screen is limited to ${formatPercent('en', ac)} (on battery ${formatPercent('en', bat)})`,
    afterSchool: (a, clock) =>
      a === 'sleep' ? `after school it goes to sleep at ${clock}` : `after school it shuts down at ${clock}`,
    auditOnly: (n) => `Sluimer only measures how long this ${enNoun(n)} is on. Nothing is changed.`,
    excluded: (n) => `This ${enNoun(n)} is excluded from the power policy. Sluimer only measures.`,
    nothing: (n) => `No power policy has been set for this ${enNoun(n)} yet.`,
  },
  nudge: {
    sleepSoon: {
      title: 'Going to sleep soon',
      body: (n, m) =>
        `This ${enNoun(n)} will go to sleep in ${formatMinutes('en', m)}. Move the mouse to keep working.`,
    },
    leftOn: {
      title: 'On but unused',
      body: (n, h, kwh, eur) =>
        `This ${enNoun(n)} was on but unused for ${formatHours('en', h)} outside school hours. ` +
        `Asleep, it would have used about ${formatKwh('en', kwh)} (${formatEur('en', eur)}) less. ` +
        'Done working? Choose sleep or close the lid.',
    },
    brightnessCapped: {
      title: 'Brightness adjusted',
      body: (p, bat, w) =>
        bat
          ? `On battery the screen is limited to ${formatPercent('en', p)}. That saves about ${formatWatts('en', w)}, so your battery lasts longer.`
          : `The screen is limited to ${formatPercent('en', p)}. That saves about ${formatWatts('en', w)}.`,
    },
    brightnessFull: {
      title: 'A tip for your battery',
      body: (p, w) =>
        `Your screen is at full brightness while you work on battery. At ${formatPercent('en', p)} you save about ${formatWatts('en', w)} and your battery lasts longer.`,
    },
    weekly: {
      title: 'Your week',
      body: (scope, n, kwh, charges) => {
        const who = scope === 'room' ? 'Your room' : scope === 'class' ? 'Your class' : `This ${enNoun(n)}`;
        return `${who} saved ${formatKwh('en', kwh)} this week — enough to charge a laptop more than ${formatNumber('en', charges, 0)} times.`;
      },
    },
    ok: 'OK',
    snooze: (m) => `Postpone ${formatMinutes('en', m)}`,
  },
  week: {
    title: 'This week',
    device: (n) => cap(`this ${enNoun(n)}`),
    scope: (s, label) =>
      s === 'room'
        ? label
          ? `Room ${label}`
          : 'Your room'
        : s === 'class'
          ? label
            ? `Class ${label}`
            : 'Your class'
          : 'This device',
    idleOn: 'On but unused',
    idleOnValue: (h) => formatHours('en', h),
    avoided: 'Saved compared with last week',
    avoidedValue: (kwh, eur) => `${formatKwh('en', kwh)} (${formatEur('en', eur)})`,
    fewerHours: (h) => `${formatHours('en', h)} fewer than last week. Well done.`,
    steady: 'Every time you choose sleep, it counts.',
    noData: 'No data for this week yet.',
    charges: (c) => `Enough to charge a laptop more than ${formatNumber('en', c, 0)} times.`,
  },
  why: {
    title: 'Why is this computer managed?',
    paragraphs: (n) => [
      `Your school uses Sluimer to save electricity. A ${enNoun(n)} that is on while nobody uses it uses power for nothing.`,
      'So Sluimer puts devices to sleep after a while without use and can limit screen brightness. Your work stays where it is.',
      'Sluimer does not watch you: it sees no names, no windows, no keystrokes and no websites. It only counts how long this device is on and in use.',
    ],
    more: 'More from your school',
    close: 'Close',
  },
};

export const MESSAGES: Record<Lang, Messages> = { nl, en };

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}
