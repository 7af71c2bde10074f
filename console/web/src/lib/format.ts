/**
 * Number, money, unit and date formatting for the console. Dutch (nl-NL) first: `1.234,5 kWh`,
 * `€ 12,50`, `ma 3 mrt`, 24-hour clock; English (en-GB) second. Times are shown in the school's
 * zone, Europe/Amsterdam unless a school sets another.
 */
export type Lang = 'nl' | 'en';

export const LOCALE: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };
export const DEFAULT_TZ = 'Europe/Amsterdam';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(lang: Lang, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], opts);
    cache.set(key, f);
  }
  return f;
}
function df(lang: Lang, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], opts);
    cache.set(key, f);
  }
  return f;
}

/** Plain number with a fixed number of decimals at most: 1234.5 → "1.234,5" (nl). */
export function formatNumber(value: number, lang: Lang, maxDecimals = 1, minDecimals = 0): string {
  if (!Number.isFinite(value)) return '–';
  // avoid "-0"
  const v = Math.abs(value) < 0.5 * 10 ** -maxDecimals ? 0 : value;
  return nf(lang, { maximumFractionDigits: maxDecimals, minimumFractionDigits: minDecimals }).format(v);
}

/** Decimals that keep small values readable: 0.0042 kWh stays visible, 12.345 kWh gets 1 decimal. */
function autoDecimals(value: number): number {
  const a = Math.abs(value);
  if (a === 0) return 0;
  if (a >= 10) return 1;
  if (a >= 0.1) return 2;
  return 3;
}

export function formatKwh(kwh: number, lang: Lang, decimals = autoDecimals(kwh)): string {
  return `${formatNumber(kwh, lang, decimals)}\u00a0kWh`;
}

export function formatKg(kg: number, lang: Lang, decimals = autoDecimals(kg)): string {
  return `${formatNumber(kg, lang, decimals)}\u00a0kg\u00a0CO2e`;
}

/**
 * Euros to the cent: `€ 12,50` (nl), `€12.50` (en). Large amounts keep cents too (docs/energy-model.md: round
 * for display only).
 */
export function formatEur(eur: number, lang: Lang): string {
  if (!Number.isFinite(eur)) return '–';
  const s = nf(lang, {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })
    .format(Math.abs(eur) < 0.005 ? 0 : eur)
    .replace(/\u00a0|\u202f/g, ' ');
  // nl-NL gives "€ 12,50"; keep that spacing but with a no-break space so it never wraps
  return s.replace('€ ', '€\u00a0');
}

export function formatPercent(fraction: number, lang: Lang, decimals = 0): string {
  if (!Number.isFinite(fraction)) return '–';
  return nf(lang, { style: 'percent', maximumFractionDigits: decimals, minimumFractionDigits: 0 })
    .format(fraction)
    .replace(/\u00a0|\u202f/g, '\u00a0');
}

/** Hours from seconds, e.g. 5400 s → "1,5 u" (nl) / "1.5 h" (en). */
export function formatHours(sec: number, lang: Lang): string {
  const h = sec / 3600;
  return `${formatNumber(h, lang, h >= 100 ? 0 : 1)}\u00a0${lang === 'nl' ? 'u' : 'h'}`;
}

/** A short duration: 90 s → "1 min 30 s"; 7200 s → "2 u". */
export function formatDuration(sec: number, lang: Lang): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.round(sec % 60);
  const hu = lang === 'nl' ? 'u' : 'h';
  const parts: string[] = [];
  if (h) parts.push(`${h}\u00a0${hu}`);
  if (m) parts.push(`${m}\u00a0min`);
  if (s && !h) parts.push(`${s}\u00a0s`);
  return parts.length ? parts.join(' ') : `0\u00a0s`;
}

/** `ma 3 mrt` (nl) / `Mon 3 Mar` (en). */
export function formatDay(ms: number, lang: Lang, timeZone = DEFAULT_TZ): string {
  const parts = df(lang, { weekday: 'short', day: 'numeric', month: 'short', timeZone }).formatToParts(ms);
  const get = (t: string) => (parts.find((p) => p.type === t)?.value ?? '').replace(/\.$/, '');
  return `${get('weekday')} ${get('day')} ${get('month')}`;
}

/** `3 mrt 2026` (nl) / `3 Mar 2026` (en). */
export function formatDate(ms: number, lang: Lang, timeZone = DEFAULT_TZ): string {
  const parts = df(lang, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).formatToParts(ms);
  const get = (t: string) => (parts.find((p) => p.type === t)?.value ?? '').replace(/\.$/, '');
  return `${get('day')} ${get('month')} ${get('year')}`;
}

/** 24-hour clock: `14:05`. */
export function formatTime(ms: number, lang: Lang, timeZone = DEFAULT_TZ): string {
  return df(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(ms);
}

/** `ma 3 mrt 14:05`. */
export function formatDateTime(ms: number, lang: Lang, timeZone = DEFAULT_TZ): string {
  return `${formatDay(ms, lang, timeZone)} ${formatTime(ms, lang, timeZone)}`;
}

/** "3 min geleden" / "3 min ago"; falls back to a date past a week. */
export function formatAgo(ms: number, now: number, lang: Lang, timeZone = DEFAULT_TZ): string {
  const sec = Math.max(0, Math.round((now - ms) / 1000));
  const rtf = new Intl.RelativeTimeFormat(LOCALE[lang], { numeric: 'auto', style: 'short' });
  if (sec < 60) return rtf.format(-sec, 'second');
  if (sec < 3600) return rtf.format(-Math.floor(sec / 60), 'minute');
  if (sec < 86400) return rtf.format(-Math.floor(sec / 3600), 'hour');
  if (sec < 7 * 86400) return rtf.format(-Math.floor(sec / 86400), 'day');
  return formatDate(ms, lang, timeZone);
}

/** Short weekday names Monday first: ["ma", "di", …] / ["Mon", "Tue", …]. */
export function weekdayNames(lang: Lang): string[] {
  // 2024-01-01 was a Monday
  return Array.from({ length: 7 }, (_, i) =>
    df(lang, { weekday: 'short', timeZone: 'UTC' })
      .format(Date.UTC(2024, 0, 1 + i))
      .replace(/\.$/, ''),
  );
}
