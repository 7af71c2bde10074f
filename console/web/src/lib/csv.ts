/**
 * CSV for every table and chart, made for the spreadsheet a school opens it in.
 *
 * - Dutch (`nl`): `;` between cells and a decimal comma, as Excel with Dutch regional settings
 *   expects; English (`en`): `,` and a decimal point. The file starts with a UTF-8 BOM so Excel reads
 *   €, ë and ï correctly. Headers come from the caller in the UI's language.
 * - Numbers are written with a fixed number of decimals per column (never `10,52 / 9,2 / 6,8`) and
 *   without thousands separators, so Excel reads them as numbers.
 * - Times (`{ time: ms }`) are written as local `jjjj-mm-dd uu:mm` in the school's time zone; dates
 *   (`{ date: 'YYYY-MM-DD' }`) as they are. Day tables add a weekday column themselves.
 *
 * Formula injection (a device or group name like `=HYPERLINK(…)` run by Excel): text cells are
 * neutralised with a leading `'` wherever a formula could start — at the start of the cell and
 * directly after a `;`, `,` or `"` inside it (possibly after spaces), because a file opened with
 * the other separator splits the cell there. Numeric cells are not touched: the exporter writes them
 * itself from numbers (`typeof value === 'number'`), so they can hold only digits, one sign and one
 * decimal mark — a negative number such as `-3,5` stays a number Excel can add up. Every text cell
 * is quoted, so neither separator splits it in a parser that honours quotes.
 */
import { DEFAULT_TZ, type Lang } from './format.js';

export interface CsvTime {
  /** epoch ms, written as local date and time in the school's zone */
  time: number;
}
export interface CsvDate {
  /** a local calendar date `YYYY-MM-DD` */
  date: string;
}
export type CsvCell = string | number | boolean | null | undefined | CsvTime | CsvDate;

export interface CsvColumn {
  header: string;
  /** decimals for the numbers in this column; default: 0 when every number is whole, else 2 */
  decimals?: number;
}

export interface CsvOptions {
  lang: Lang;
  /** the school's time zone for times; Europe/Amsterdam unless a school sets another */
  timeZone?: string;
}

export const CSV_BOM = '\ufeff';

/** The separator and decimal mark for a language. */
export function csvDialect(lang: Lang): { separator: ';' | ','; decimal: ',' | '.' } {
  return lang === 'nl' ? { separator: ';', decimal: ',' } : { separator: ',', decimal: '.' };
}

const TRIGGER = /[=+\-@\t\r]/;

/**
 * Puts a `'` before every place a spreadsheet could start a formula: the first character after the
 * start, a `;`, a `,` or a `"` (with any spaces or quotes between) when it is `=`, `+`, `-`, `@`,
 * tab or carriage return.
 */
export function neutraliseText(s: string): string {
  let out = '';
  let atBoundary = true;
  for (const ch of s) {
    if (atBoundary && TRIGGER.test(ch)) {
      out += `'${ch}`;
      atBoundary = false;
      continue;
    }
    out += ch;
    if (ch === ';' || ch === ',' || ch === '"') atBoundary = true;
    else if (ch !== ' ' && ch !== '\u00a0') atBoundary = false;
  }
  return out;
}

function isTime(v: CsvCell): v is CsvTime {
  return typeof v === 'object' && v !== null && 'time' in v;
}
function isDate(v: CsvCell): v is CsvDate {
  return typeof v === 'object' && v !== null && 'date' in v;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** `2026-03-03 14:05` in `timeZone`. */
export function localDateTime(ms: number, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** A number with exactly `decimals` decimals, no grouping, the language's decimal mark. */
function fixed(v: number, decimals: number, decimal: string): string {
  if (!Number.isFinite(v)) return '';
  let s = v.toFixed(decimals);
  if (/^-0(\.0*)?$/.test(s)) s = s.slice(1); // no "-0,00"
  return decimal === '.' ? s : s.replace('.', decimal);
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** The CSV text (without BOM) for a header and rows of cells. */
export function toCsv(
  columns: readonly (CsvColumn | string)[],
  rows: readonly (readonly CsvCell[])[],
  opts: CsvOptions,
): string {
  const { separator, decimal } = csvDialect(opts.lang);
  const tz = opts.timeZone ?? DEFAULT_TZ;
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const decimals = cols.map(
    (c, i) =>
      c.decimals ??
      (rows.every((r) => {
        const v = r[i];
        return typeof v !== 'number' || Number.isInteger(v);
      })
        ? 0
        : 2),
  );
  const cell = (v: CsvCell, i: number): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return fixed(v, decimals[i] ?? 2, decimal);
    if (isTime(v)) return Number.isFinite(v.time) ? localDateTime(v.time, tz) : '';
    if (isDate(v)) return quote(neutraliseText(v.date));
    if (typeof v === 'boolean') return quote(opts.lang === 'nl' ? (v ? 'ja' : 'nee') : v ? 'yes' : 'no');
    return quote(neutraliseText(v));
  };
  const lines = [
    cols.map((c) => quote(neutraliseText(c.header))).join(separator),
    ...rows.map((r) => cols.map((_, i) => cell(r[i], i)).join(separator)),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The file name: `sluimer-<what>_<period>_<scope>.csv`, with the period as local dates
 * (`2026-03-02_tot_2026-03-08`) and the scope as a slug of the group name (or the whole board).
 */
export function csvFileName(what: string, opts: { period?: string; scope?: string } = {}): string {
  const slug = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60);
  const parts = [slug(what)];
  if (opts.period) parts.push(opts.period.replace(/[^0-9A-Za-z-]+/g, '_'));
  if (opts.scope) parts.push(slug(opts.scope));
  return `${parts.filter(Boolean).join('_')}.csv`;
}

export function downloadCsv(filename: string, csv: string): void {
  const blob = new Blob([CSV_BOM, csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename.endsWith('.csv') ? filename : `${filename}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
