import {
  POLICY_BOUNDS,
  type PolicySettings,
  PolicySettingsSchema,
  WEEKDAYS,
  type Weekday,
} from '@sluimer/shared';
import type { Lang } from './format.js';

/**
 * The policy editor's model: every field of the shared PolicySettingsSchema with its bounds, its
 * default and a one-line explanation. Times are edited in minutes, stored in seconds. Validation is
 * the shared schema itself, with its issues turned into messages in the editor's language.
 */
export type NumericUnit = 'min' | 'pct' | 'count';
export interface NumericField {
  /** dot path in PolicySettings, e.g. `sleepAfterSec.ac` */
  path: string;
  unit: NumericUnit;
  /** seconds per edited unit (60 for minutes) */
  factor: number;
  bounds: { min: number; max: number; default?: number };
  label: Record<Lang, string>;
  help: Record<Lang, string>;
}

const perSource = (
  base: string,
  bounds: { min: number; max: number },
  unit: NumericUnit,
  factor: number,
  label: Record<Lang, string>,
  help: Record<Lang, string>,
): NumericField[] => [
  {
    path: `${base}.ac`,
    unit,
    factor,
    bounds,
    label: { nl: `${label.nl} (stroomnet)`, en: `${label.en} (on AC)` },
    help,
  },
  {
    path: `${base}.battery`,
    unit,
    factor,
    bounds,
    label: { nl: `${label.nl} (batterij)`, en: `${label.en} (on battery)` },
    help,
  },
];

export const NUMERIC_FIELDS: NumericField[] = [
  {
    path: 'idleThresholdSec',
    unit: 'min',
    factor: 60,
    bounds: POLICY_BOUNDS.idleThresholdSec,
    label: { nl: 'Inactief na', en: 'Idle after' },
    help: {
      nl: 'Na zoveel minuten zonder muis of toetsenbord telt een apparaat als aan maar niet in gebruik.',
      en: 'After this many minutes without mouse or keyboard a device counts as on but unused.',
    },
  },
  ...perSource(
    'sleepAfterSec',
    POLICY_BOUNDS.sleepAfterSec,
    'min',
    60,
    { nl: 'Slaapstand na', en: 'Sleep after' },
    {
      nl: 'Minuten zonder gebruik waarna het apparaat in slaapstand gaat.',
      en: 'Minutes without use after which the device goes to sleep.',
    },
  ),
  ...perSource(
    'displayOffAfterSec',
    POLICY_BOUNDS.displayOffAfterSec,
    'min',
    60,
    { nl: 'Beeldscherm uit na', en: 'Display off after' },
    {
      nl: 'Minuten zonder gebruik waarna het beeldscherm uitgaat.',
      en: 'Minutes without use after which the display turns off.',
    },
  ),
  ...perSource(
    'brightnessCapPct',
    POLICY_BOUNDS.brightnessCapPct,
    'pct',
    1,
    { nl: 'Maximale helderheid', en: 'Brightness cap' },
    {
      nl: 'De helderheid van het ingebouwde scherm gaat nooit boven dit percentage.',
      en: 'The built-in screen never gets brighter than this percentage.',
    },
  ),
  ...perSource(
    'outsideSchoolHours.sleepAfterSec',
    POLICY_BOUNDS.sleepAfterSec,
    'min',
    60,
    { nl: 'Buiten schooltijd: slaapstand na', en: 'Outside school hours: sleep after' },
    {
      nl: 'Strengere slaapstand-tijd voor avonden, nachten en weekenden.',
      en: 'A stricter sleep timeout for evenings, nights and weekends.',
    },
  ),
  ...perSource(
    'outsideSchoolHours.displayOffAfterSec',
    POLICY_BOUNDS.displayOffAfterSec,
    'min',
    60,
    { nl: 'Buiten schooltijd: beeldscherm uit na', en: 'Outside school hours: display off after' },
    {
      nl: 'Strengere tijd voor het beeldscherm buiten schooltijd.',
      en: 'A stricter display timeout outside school hours.',
    },
  ),
  {
    path: 'nudges.maxPerDay',
    unit: 'count',
    factor: 1,
    bounds: POLICY_BOUNDS.nudgesMaxPerDay,
    label: { nl: 'Meldingen per dag (max.)', en: 'Nudges per day (max)' },
    help: {
      nl: 'Hoe vaak een leerling per dag hoogstens een vriendelijke melding krijgt.',
      en: 'How often a pupil gets a friendly nudge per day at most.',
    },
  },
  {
    path: 'nudges.minGapMin',
    unit: 'min',
    factor: 1,
    bounds: POLICY_BOUNDS.nudgesMinGapMin,
    label: { nl: 'Minuten tussen meldingen (min.)', en: 'Minutes between nudges (min)' },
    help: {
      nl: 'Er zitten minstens zoveel minuten tussen twee meldingen.',
      en: 'At least this many minutes pass between two nudges.',
    },
  },
  {
    path: 'snoozeMinutes',
    unit: 'min',
    factor: 1,
    bounds: POLICY_BOUNDS.snoozeMinutes,
    label: { nl: 'Uitstel (minuten)', en: 'Snooze (minutes)' },
    help: {
      nl: 'Hoe lang een leerling de slaapstand kan uitstellen als uitstellen mag.',
      en: 'How long a pupil can put off sleep when snoozing is allowed.',
    },
  },
];

export const BOOLEAN_FIELDS: { path: string; label: Record<Lang, string>; help: Record<Lang, string> }[] = [
  {
    path: 'auditOnly',
    label: { nl: 'Alleen meten, niets instellen', en: 'Measure only, change nothing' },
    help: {
      nl: 'Meet het verbruik maar verandert niets aan het apparaat: de nulmeting vóór een uitrol.',
      en: 'Measures use but changes nothing on the device: the baseline before a rollout.',
    },
  },
  {
    path: 'nudges.enabled',
    label: { nl: 'Meldingen aan', en: 'Nudges on' },
    help: {
      nl: 'Toont leerlingen een korte melding voordat hun apparaat in slaapstand gaat.',
      en: 'Shows pupils a short notice before their device goes to sleep.',
    },
  },
  {
    path: 'allowSnooze',
    label: { nl: 'Leerlingen mogen uitstellen', en: 'Pupils may snooze' },
    help: {
      nl: 'Een leerling kan de slaapstand één keer uitstellen, bijvoorbeeld tijdens een presentatie.',
      en: 'A pupil can put off sleep once, for example during a presentation.',
    },
  },
];

export const ACTION_HELP: Record<Lang, string> = {
  nl: 'Op schooldagen op een vast tijdstip na schooltijd alle apparaten in slaapstand zetten of uitzetten.',
  en: 'On school days, put every device to sleep or shut it down at a fixed time after school.',
};
export const SCHOOL_HOURS_HELP: Record<Lang, string> = {
  nl: 'Per weekdag, in de tijdzone van de school. Dagen zonder vinkje hebben geen school.',
  en: "Per weekday, in the school's time zone. Unticked days have no school.",
};
export const QUIET_HELP: Record<Lang, string> = {
  nl: 'Tijden waarop leerlingen geen meldingen krijgen, bijvoorbeeld tijdens toetsen.',
  en: 'Times when pupils get no nudges, for example during tests.',
};

export interface QuietDraft {
  days: Weekday[];
  start: string;
  end: string;
}

/** What the form holds: text for numbers so half-typed values can be shown and checked. */
export interface PolicyDraft {
  numbers: Record<string, string>;
  flags: Record<string, boolean | undefined>;
  schoolHours: Partial<Record<Weekday, { start: string; end: string }>>;
  action: '' | 'none' | 'sleep' | 'shutdown';
  actionAt: string;
  quietHours: QuietDraft[];
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

export function emptyDraft(): PolicyDraft {
  return { numbers: {}, flags: {}, schoolHours: {}, action: '', actionAt: '', quietHours: [] };
}

export function draftFromSettings(s: PolicySettings): PolicyDraft {
  const d = emptyDraft();
  for (const f of NUMERIC_FIELDS) {
    const v = getPath(s, f.path);
    if (typeof v === 'number') d.numbers[f.path] = String(v / f.factor);
  }
  for (const f of BOOLEAN_FIELDS) {
    const v = getPath(s, f.path);
    if (typeof v === 'boolean') d.flags[f.path] = v;
  }
  for (const day of WEEKDAYS) {
    const w = s.schoolHours?.[day];
    if (w) d.schoolHours[day] = { start: w.start, end: w.end };
  }
  d.action = s.outsideSchoolHours?.action ?? '';
  d.actionAt = s.outsideSchoolHours?.actionAt ?? '';
  d.quietHours = (s.nudges?.quietHours ?? []).map((q) => ({ days: [...q.days], start: q.start, end: q.end }));
  return d;
}

/** Parses "12", "12,5" or "12.5"; empty → undefined; anything else → NaN (an error to show). */
export function parseDecimal(text: string): number | undefined {
  const s = text.trim().replace(',', '.');
  if (s === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
}

export type FieldErrors = Record<string, string>;

export function fieldBoundsMessage(f: NumericField, lang: Lang): string {
  const unit = f.unit === 'min' ? (lang === 'nl' ? 'minuten' : 'minutes') : f.unit === 'pct' ? '%' : '';
  const min = f.bounds.min / f.factor;
  const max = f.bounds.max / f.factor;
  return lang === 'nl'
    ? `Kies een heel getal van ${min} tot en met ${max} ${unit}`.trim()
    : `Choose a whole number from ${min} to ${max} ${unit}`.trim();
}

/** Draft → settings, checked against the shared schema. `errors` is keyed by field path. */
export function settingsFromDraft(
  d: PolicyDraft,
  lang: Lang,
): { settings?: PolicySettings; errors: FieldErrors } {
  const out: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const f of NUMERIC_FIELDS) {
    const v = parseDecimal(d.numbers[f.path] ?? '');
    if (v === undefined) continue;
    const stored = v * f.factor;
    if (!Number.isFinite(v) || !Number.isInteger(stored)) {
      errors[f.path] = fieldBoundsMessage(f, lang);
      continue;
    }
    setPath(out, f.path, stored);
  }
  for (const f of BOOLEAN_FIELDS) {
    const v = d.flags[f.path];
    if (typeof v === 'boolean') setPath(out, f.path, v);
  }
  const days = Object.entries(d.schoolHours).filter(([, w]) => w);
  if (days.length) out.schoolHours = Object.fromEntries(days);
  if (d.action) setPath(out, 'outsideSchoolHours.action', d.action);
  if (d.actionAt) setPath(out, 'outsideSchoolHours.actionAt', d.actionAt);
  if (d.quietHours.length) setPath(out, 'nudges.quietHours', d.quietHours);

  const parsed = PolicySettingsSchema.safeParse(out);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      if (errors[path]) continue;
      const field = NUMERIC_FIELDS.find((f) => f.path === path);
      if (field) errors[path] = fieldBoundsMessage(field, lang);
      else if (/\.(start|end)$/.test(path) || path === 'outsideSchoolHours.actionAt')
        errors[path] =
          issue.message === 'start must be before end'
            ? lang === 'nl'
              ? 'De eindtijd moet na de begintijd liggen'
              : 'The end must be after the start'
            : lang === 'nl'
              ? 'Vul een tijd in als UU:MM (24 uur)'
              : 'Enter a time as HH:MM (24 h)';
      else if (/^nudges\.quietHours\.\d+\.days/.test(path))
        errors[path] = lang === 'nl' ? 'Kies minstens één dag' : 'Pick at least one day';
      else errors[path || 'form'] = issue.message;
    }
  }
  if (Object.keys(errors).length) return { errors };
  return { settings: parsed.data, errors };
}

/** The default of a field in display units, for the placeholder. */
export function fieldDefault(f: NumericField): number | undefined {
  return 'default' in f.bounds && f.bounds.default !== undefined ? f.bounds.default / f.factor : undefined;
}
