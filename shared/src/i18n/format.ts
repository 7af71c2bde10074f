/**
 * Number, money and duration formats for pupil-facing texts (docs/wording.md, "Formats"): nl-NL first
 * (`1.234,5 kWh`, `€ 12,50`), en-GB second. Browser-safe: Intl only.
 */
export const LANGUAGES = ['nl', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'nl';

export function isLang(value: unknown): value is Lang {
  return value === 'nl' || value === 'en';
}

const LOCALE: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], options);
    numberFormats.set(key, f);
  }
  return f;
}

/** Intl puts a no-break space in `€ 12,50`; plain spaces read the same and compare simply. */
const plainSpaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

export function formatNumber(lang: Lang, value: number, maxFractionDigits = 1): string {
  return plainSpaces(
    numberFormat(lang, { maximumFractionDigits: maxFractionDigits, useGrouping: true }).format(value),
  );
}

/** kWh for display: two decimals below 10 kWh, one up to 100, whole numbers above (docs/energy-model.md). */
export function formatKwh(lang: Lang, kwh: number): string {
  const digits = kwh < 10 ? 2 : kwh < 100 ? 1 : 0;
  return `${formatNumber(lang, kwh, digits)} kWh`;
}

/** Euros to the cent: `€ 0,02` / `€0.02`. */
export function formatEur(lang: Lang, eur: number): string {
  return plainSpaces(
    numberFormat(lang, {
      style: 'currency',
      currency: 'EUR',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(eur),
  );
}

/** Percent as pupils read it: `70 %` in Dutch, `70%` in English. */
export function formatPercent(lang: Lang, pct: number): string {
  return lang === 'nl' ? `${formatNumber(lang, pct, 0)} %` : `${formatNumber(lang, pct, 0)}%`;
}

export function formatWatts(lang: Lang, watts: number): string {
  return `${formatNumber(lang, watts, 1)} W`;
}

/** `1 minuut`, `15 minuten`, `2 uur`, `1 uur en 30 minuten` (and the English equivalents). */
export function formatMinutes(lang: Lang, minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const minPart = (n: number) =>
    lang === 'nl' ? `${n} ${n === 1 ? 'minuut' : 'minuten'}` : `${n} ${n === 1 ? 'minute' : 'minutes'}`;
  const hourPart = (n: number) => (lang === 'nl' ? `${n} uur` : `${n} ${n === 1 ? 'hour' : 'hours'}`);
  if (h === 0) return minPart(rest);
  if (rest === 0) return hourPart(h);
  return lang === 'nl' ? `${hourPart(h)} en ${minPart(rest)}` : `${hourPart(h)} and ${minPart(rest)}`;
}

/** Short clock-style duration for menus: `3 u 20 min` / `3 h 20 min`. */
export function formatDurationShort(lang: Lang, ms: number): string {
  const totalMin = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  const hu = lang === 'nl' ? 'u' : 'h';
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} ${hu}` : `${h} ${hu} ${m} min`;
}

/** Hours with at most one decimal: `9 uur`, `1,5 uur`, `1 hour`, `2.5 hours`. */
export function formatHours(lang: Lang, hours: number): string {
  const rounded = Math.round(hours * 10) / 10;
  const n = formatNumber(lang, rounded, 1);
  if (lang === 'nl') return `${n} uur`;
  return `${n} ${rounded === 1 ? 'hour' : 'hours'}`;
}
