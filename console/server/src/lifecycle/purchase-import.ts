import {
  type CsvRecord,
  type PurchaseImportResponse,
  type PurchaseRowError,
  type PurchaseValidation,
  validatePurchaseRecords,
} from '@sluimer/shared';
import { CsvError, parse } from 'csv-parse/sync';
import type { Store } from '../store/types.js';

/**
 * Reads a purchase CSV (comma or semicolon, as Dutch spreadsheets save it) into records with the line
 * each starts on. A syntax error becomes one row error that names its line.
 */
export function readPurchaseCsv(text: string): { records: CsvRecord[] } | { error: PurchaseRowError } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  // the header decides the separator: Excel in a Dutch locale writes ';'
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  try {
    const rows = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      // with `info: true` each record comes with its position; the sync typings do not say so
    }) as unknown as { record: string[]; info: { lines: number } }[];
    // info.lines is the line the record ends on; a quoted field can span lines, so count its newlines
    const records = rows.map(({ record, info }) => {
      const extra = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
      return { line: info.lines - extra, fields: record };
    });
    return { records };
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const lines = (err as unknown as { lines?: unknown }).lines;
    const line = typeof lines === 'number' ? lines : 0;
    return {
      error: {
        line,
        code: 'csv_syntax',
        message: `${line ? `Regel ${line}: ` : ''}het bestand is geen geldige CSV (${err.code}). Sla het op als CSV (puntkomma of komma gescheiden).`,
        messageEn: `${line ? `Line ${line}: ` : ''}the file is not valid CSV (${err.code}). Save it as CSV (semicolon or comma separated).`,
      },
    };
  }
}

export type PurchaseImportOutcome =
  | { ok: true; response: PurchaseImportResponse }
  | { ok: false; validation: Extract<PurchaseValidation, { ok: false }> };

/** Checks the whole file; stores it (one transaction) only when every line is right and not a dry run. */
export async function importPurchases(
  store: Store,
  csv: string,
  opts: { dryRun: boolean; now: number },
): Promise<PurchaseImportOutcome> {
  const read = readPurchaseCsv(csv);
  if ('error' in read) return { ok: false, validation: { ok: false, errors: [read.error], errorCount: 1 } };
  const devices = await store.listDevices();
  const today = new Date(opts.now).toISOString().slice(0, 10);
  const v = validatePurchaseRecords(
    read.records,
    devices.map((d) => ({ id: d.id, hostname: d.hostname, serialNumber: d.inventory.serialNumber })),
    today,
  );
  if (!v.ok) return { ok: false, validation: v };
  if (!opts.dryRun) await store.putPurchases(v.rows, opts.now);
  const host = new Map(devices.map((d) => [d.id, d.hostname]));
  return {
    ok: true,
    response: {
      imported: opts.dryRun ? 0 : v.rows.length,
      dryRun: opts.dryRun,
      rows: v.rows.map((r) => ({
        line: r.line,
        deviceId: r.deviceId,
        hostname: host.get(r.deviceId) ?? '',
        purchaseDate: r.purchaseDate,
      })),
    },
  };
}
