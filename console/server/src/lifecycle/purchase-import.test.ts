import { describe, expect, it } from 'vitest';
import { readPurchaseCsv } from './purchase-import.js';

describe('readPurchaseCsv', () => {
  it('reads a semicolon file from a Dutch Excel with a BOM and CRLF line ends', () => {
    const r = readPurchaseCsv('\uFEFFserienummer;aankoopdatum;prijs\r\nCND1;01-09-2022;749,00\r\n');
    expect(r).toEqual({
      records: [
        { line: 1, fields: ['serienummer', 'aankoopdatum', 'prijs'] },
        { line: 2, fields: ['CND1', '01-09-2022', '749,00'] },
      ],
    });
  });
  it('reads commas when the header has more commas than semicolons, quoted decimal commas intact', () => {
    const r = readPurchaseCsv('serial,purchase date,price\nCND1,2022-09-01,"749,00"\n');
    expect(r).toMatchObject({ records: [{}, { line: 2, fields: ['CND1', '2022-09-01', '749,00'] }] });
  });
  it('numbers records by the line they start on, past empty lines and quoted line breaks', () => {
    const r = readPurchaseCsv(
      'hostnaam;aankoopdatum;opmerking\n\nPC-1;2022-09-01;"twee\nregels"\nPC-2;2022-09-02;\n',
    );
    if (!('records' in r)) throw new Error('expected records');
    expect(r.records.map((x) => [x.line, x.fields[0]])).toEqual([
      [1, 'hostnaam'],
      [3, 'PC-1'],
      [5, 'PC-2'],
    ]);
  });
  it('turns a syntax error into a Dutch message with its line', () => {
    const r = readPurchaseCsv('serienummer;aankoopdatum\nCND1;"2022-09-01\n');
    expect(r).toMatchObject({ error: { code: 'csv_syntax' } });
    if (!('error' in r)) return;
    expect(r.error.line).toBeGreaterThan(0);
    expect(r.error.message).toMatch(/^Regel \d+: het bestand is geen geldige CSV \(CSV_QUOTE_NOT_CLOSED\)/);
  });
});
