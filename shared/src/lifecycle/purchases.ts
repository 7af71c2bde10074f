import { z } from 'zod';

/**
 * Purchase data import (docs/lifecycle.md "Purchase data"): a CSV with a serial number or host name
 * per line and the purchase date, price and warranty end. This file holds the pure part: header
 * recognition and the row-by-row checks, with Dutch and English messages that name the line. The
 * console parses the CSV text and stores the rows in one transaction, only when no line is wrong.
 */

/** 1 MB of CSV is ~20,000 lines; the JSON body limit of the API is the same size */
export const PURCHASE_CSV_MAX_CHARS = 1_000_000;
export const PURCHASE_MAX_ROWS = 20_000;
/** errors listed in one answer; the count says how many there were */
export const PURCHASE_MAX_ERRORS = 100;

export const PurchaseImportRequestSchema = z
  .object({
    csv: z.string().min(1).max(PURCHASE_CSV_MAX_CHARS),
    /** check only: answer what would be imported, store nothing */
    dryRun: z.boolean().optional(),
  })
  .strict();
export type PurchaseImportRequest = z.infer<typeof PurchaseImportRequestSchema>;

export type PurchaseErrorCode =
  | 'csv_syntax'
  | 'no_header'
  | 'missing_column'
  | 'too_many_rows'
  | 'no_rows'
  | 'no_key'
  | 'unknown_device'
  | 'ambiguous_device'
  | 'duplicate_device'
  | 'bad_date'
  | 'future_date'
  | 'bad_price'
  | 'warranty_before_purchase';

export interface PurchaseRowError {
  /** 1-based line in the file; 0 for the file as a whole */
  line: number;
  code: PurchaseErrorCode;
  message: string;
  messageEn: string;
}

export interface PurchaseRow {
  line: number;
  deviceId: number;
  matchedBy: 'serial' | 'hostname';
  purchaseDate: string;
  priceCents: number | null;
  warrantyEnd: string | null;
}

export type PurchaseValidation =
  | { ok: true; rows: PurchaseRow[] }
  | { ok: false; errors: PurchaseRowError[]; errorCount: number };

/** a CSV record with the file line it started on */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface DeviceKey {
  id: number;
  hostname: string;
  serialNumber?: string | undefined;
}

type Column = 'serial' | 'hostname' | 'purchaseDate' | 'price' | 'warrantyEnd';
const HEADER_NAMES: Record<string, Column> = {
  serienummer: 'serial',
  serial: 'serial',
  serialnumber: 'serial',
  serialno: 'serial',
  hostnaam: 'hostname',
  hostname: 'hostname',
  computernaam: 'hostname',
  apparaatnaam: 'hostname',
  aankoopdatum: 'purchaseDate',
  purchasedate: 'purchaseDate',
  prijs: 'price',
  aankoopprijs: 'price',
  price: 'price',
  purchaseprice: 'price',
  garantietot: 'warrantyEnd',
  eindegarantie: 'warrantyEnd',
  garantie: 'warrantyEnd',
  warrantyend: 'warrantyEnd',
  warranty: 'warrantyEnd',
};

const normHeader = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');

function err(line: number, code: PurchaseErrorCode, nl: string, en: string): PurchaseRowError {
  return {
    line,
    code,
    message: line ? `Regel ${line}: ${nl}` : nl,
    messageEn: line ? `Line ${line}: ${en}` : en,
  };
}

/**
 * A date as YYYY-MM-DD, from YYYY-MM-DD or the Dutch DD-MM-YYYY (also with / or .), or null when it
 * is not a real calendar date.
 */
export function parseImportDate(text: string): string | null {
  const s = text.trim();
  let y: number;
  let m: number;
  let d: number;
  let r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (r) {
    y = Number(r[1]);
    m = Number(r[2]);
    d = Number(r[3]);
  } else {
    r = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
    if (!r) return null;
    d = Number(r[1]);
    m = Number(r[2]);
    y = Number(r[3]);
  }
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return t.toISOString().slice(0, 10);
}

/**
 * Euros in cents from "899", "899,00", "€ 1.234,56", "1,234.56" or "1234.5"; null when it is not
 * an amount. With one kind of separator, a comma is the decimal sign (Dutch), and a dot followed by
 * exactly three digits groups thousands ("1.299" is € 1.299).
 */
export function parseImportPrice(text: string): number | null {
  let s = text.replace(/€|eur|\s/gi, '');
  if (!/^\d[\d.,]*$/.test(s)) return null;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    s = s.split(group).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    if (s.indexOf(',') !== lastComma) return null;
    s = s.replace(',', '.');
  } else if (lastDot >= 0 && /^\d{1,3}(\.\d{3})+$/.test(s)) {
    s = s.split('.').join('');
  }
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

const MAX_PRICE_CENTS = 100_000 * 100;

/**
 * Checks every record against the header and the known devices. All errors are collected (up to
 * PURCHASE_MAX_ERRORS), so a school fixes its file in one go; rows come back only when there are none.
 */
export function validatePurchaseRecords(
  records: readonly CsvRecord[],
  devices: readonly DeviceKey[],
  today: string,
): PurchaseValidation {
  const errors: PurchaseRowError[] = [];
  let errorCount = 0;
  const add = (e: PurchaseRowError) => {
    errorCount++;
    if (errors.length < PURCHASE_MAX_ERRORS) errors.push(e);
  };
  const fail = () => ({ ok: false as const, errors, errorCount });
  const [header, ...body] = records;
  if (!header) {
    add(err(0, 'no_header', 'het bestand is leeg.', 'the file is empty.'));
    return fail();
  }
  const columns = new Map<Column, number>();
  header.fields.forEach((h, i) => {
    const c = HEADER_NAMES[normHeader(h)];
    if (c && !columns.has(c)) columns.set(c, i);
  });
  if (!columns.has('serial') && !columns.has('hostname')) {
    add(
      err(
        header.line,
        'missing_column',
        `geen kolom "serienummer" of "hostnaam" in de kopregel (gevonden: ${header.fields.join(', ')}).`,
        `no "serienummer" (serial number) or "hostnaam" (host name) column in the header (found: ${header.fields.join(', ')}).`,
      ),
    );
  }
  if (!columns.has('purchaseDate')) {
    add(
      err(
        header.line,
        'missing_column',
        'geen kolom "aankoopdatum" in de kopregel.',
        'no "aankoopdatum" (purchase date) column in the header.',
      ),
    );
  }
  if (errorCount) return fail();
  if (body.length === 0) {
    add(err(0, 'no_rows', 'het bestand heeft alleen een kopregel.', 'the file has a header only.'));
    return fail();
  }
  if (body.length > PURCHASE_MAX_ROWS) {
    add(
      err(
        0,
        'too_many_rows',
        `het bestand heeft ${body.length} regels; er kunnen er ${PURCHASE_MAX_ROWS} tegelijk. Splits het bestand.`,
        `the file has ${body.length} rows; at most ${PURCHASE_MAX_ROWS} at a time. Split the file.`,
      ),
    );
    return fail();
  }

  const bySerial = new Map<string, DeviceKey[]>();
  const byHost = new Map<string, DeviceKey[]>();
  const push = (m: Map<string, DeviceKey[]>, k: string, d: DeviceKey) => m.set(k, [...(m.get(k) ?? []), d]);
  for (const d of devices) {
    if (d.serialNumber?.trim()) push(bySerial, d.serialNumber.trim().toLowerCase(), d);
    push(byHost, d.hostname.trim().toLowerCase(), d);
  }
  const cell = (r: CsvRecord, c: Column) => {
    const i = columns.get(c);
    return i === undefined ? '' : (r.fields[i] ?? '').trim();
  };
  const seen = new Map<number, number>();
  const rows: PurchaseRow[] = [];
  for (const r of body) {
    if (r.fields.every((f) => f.trim() === '')) continue;
    const serial = cell(r, 'serial');
    const host = cell(r, 'hostname');
    let device: DeviceKey | undefined;
    let matchedBy: PurchaseRow['matchedBy'] = 'serial';
    if (!serial && !host) {
      add(err(r.line, 'no_key', 'geen serienummer en geen hostnaam.', 'no serial number and no host name.'));
    } else {
      const [key, map, what, whatEn] = serial
        ? [serial, bySerial, 'serienummer', 'serial number']
        : [host, byHost, 'hostnaam', 'host name'];
      matchedBy = serial ? 'serial' : 'hostname';
      const found = map.get(key.toLowerCase()) ?? [];
      if (found.length === 0) {
        add(
          err(
            r.line,
            'unknown_device',
            `geen apparaat met ${what} "${key}" in de console.`,
            `no device with ${whatEn} "${key}" in the console.`,
          ),
        );
      } else if (found.length > 1) {
        add(
          err(
            r.line,
            'ambiguous_device',
            `${found.length} apparaten hebben ${what} "${key}"; gebruik het serienummer.`,
            `${found.length} devices have ${whatEn} "${key}"; use the serial number.`,
          ),
        );
      } else {
        device = found[0];
      }
    }
    if (device) {
      const earlier = seen.get(device.id);
      if (earlier !== undefined) {
        add(
          err(
            r.line,
            'duplicate_device',
            `hetzelfde apparaat als regel ${earlier} (${device.hostname}).`,
            `the same device as line ${earlier} (${device.hostname}).`,
          ),
        );
        device = undefined;
      } else {
        seen.set(device.id, r.line);
      }
    }
    const dateText = cell(r, 'purchaseDate');
    const purchaseDate = parseImportDate(dateText);
    if (!purchaseDate) {
      add(
        err(
          r.line,
          'bad_date',
          dateText
            ? `aankoopdatum "${dateText}" is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).`
            : 'de aankoopdatum ontbreekt.',
          dateText
            ? `purchase date "${dateText}" is not a valid date (use YYYY-MM-DD or DD-MM-YYYY).`
            : 'the purchase date is missing.',
        ),
      );
    } else if (purchaseDate > today) {
      add(
        err(
          r.line,
          'future_date',
          `aankoopdatum ${purchaseDate} ligt in de toekomst.`,
          `purchase date ${purchaseDate} lies in the future.`,
        ),
      );
    }
    const priceText = cell(r, 'price');
    let priceCents: number | null = null;
    if (priceText) {
      priceCents = parseImportPrice(priceText);
      if (priceCents === null || priceCents > MAX_PRICE_CENTS) {
        add(
          err(
            r.line,
            'bad_price',
            `prijs "${priceText}" is geen bedrag tussen € 0 en € 100.000 (bijv. 749,00).`,
            `price "${priceText}" is not an amount between € 0 and € 100,000 (e.g. 749.00).`,
          ),
        );
        priceCents = null;
      }
    }
    const warrantyText = cell(r, 'warrantyEnd');
    let warrantyEnd: string | null = null;
    if (warrantyText) {
      warrantyEnd = parseImportDate(warrantyText);
      if (!warrantyEnd) {
        add(
          err(
            r.line,
            'bad_date',
            `einde garantie "${warrantyText}" is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).`,
            `warranty end "${warrantyText}" is not a valid date (use YYYY-MM-DD or DD-MM-YYYY).`,
          ),
        );
      } else if (purchaseDate && warrantyEnd < purchaseDate) {
        add(
          err(
            r.line,
            'warranty_before_purchase',
            `einde garantie ${warrantyEnd} ligt voor de aankoopdatum ${purchaseDate}.`,
            `warranty end ${warrantyEnd} lies before the purchase date ${purchaseDate}.`,
          ),
        );
      }
    }
    if (device && purchaseDate && errorCount === 0) {
      rows.push({ line: r.line, deviceId: device.id, matchedBy, purchaseDate, priceCents, warrantyEnd });
    }
  }
  if (errorCount) return fail();
  if (rows.length === 0) {
    add(err(0, 'no_rows', 'het bestand heeft geen regels met gegevens.', 'the file has no data rows.'));
    return fail();
  }
  return { ok: true, rows };
}
