import { describe, expect, it } from 'vitest';
import { type CsvRecord, parseImportDate, parseImportPrice, validatePurchaseRecords } from './purchases.js';

const devices = [
  { id: 1, hostname: 'LOK12-PC01', serialNumber: 'CND1234XYZ' },
  { id: 2, hostname: 'lok12-pc02', serialNumber: '5CG9876ABC' },
  { id: 3, hostname: 'twin', serialNumber: 'A1' },
  { id: 4, hostname: 'twin' },
];
const rec = (rows: string[][]): CsvRecord[] => rows.map((fields, i) => ({ line: i + 1, fields }));
const TODAY = '2026-12-02';

describe('parseImportDate', () => {
  it('reads ISO and Dutch dates and refuses days that do not exist', () => {
    expect(parseImportDate('2022-09-01')).toBe('2022-09-01');
    expect(parseImportDate('1-9-2022')).toBe('2022-09-01');
    expect(parseImportDate('01/09/2022')).toBe('2022-09-01');
    expect(parseImportDate('31-02-2024')).toBeNull();
    expect(parseImportDate('2022/09/01x')).toBeNull();
  });
});

describe('parseImportPrice', () => {
  it('reads Dutch and English amounts into cents', () => {
    expect(parseImportPrice('749')).toBe(74900);
    expect(parseImportPrice('€ 749,50')).toBe(74950);
    expect(parseImportPrice('1.299,00')).toBe(129900);
    expect(parseImportPrice('1,299.00')).toBe(129900);
    expect(parseImportPrice('1.299')).toBe(129900);
    expect(parseImportPrice('12.5')).toBe(1250);
    expect(parseImportPrice('gratis')).toBeNull();
    expect(parseImportPrice('-5')).toBeNull();
  });
});

describe('validatePurchaseRecords', () => {
  it('matches a good file by serial number or host name, whatever the case', () => {
    const r = validatePurchaseRecords(
      rec([
        ['Serienummer', 'Hostnaam', 'Aankoopdatum', 'Prijs', 'Garantie tot'],
        ['cnd1234xyz', '', '01-09-2022', '749,00', '31-08-2025'],
        ['', 'LOK12-PC02', '2021-08-15', '', ''],
      ]),
      devices,
      TODAY,
    );
    expect(r).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          deviceId: 1,
          matchedBy: 'serial',
          purchaseDate: '2022-09-01',
          priceCents: 74900,
          warrantyEnd: '2025-08-31',
        },
        {
          line: 3,
          deviceId: 2,
          matchedBy: 'hostname',
          purchaseDate: '2021-08-15',
          priceCents: null,
          warrantyEnd: null,
        },
      ],
    });
  });
  it('accepts English headers', () => {
    const r = validatePurchaseRecords(
      rec([
        ['serial_number', 'purchase date'],
        ['A1', '2020-01-01'],
      ]),
      devices,
      TODAY,
    );
    expect(r.ok).toBe(true);
  });
  it('names the line of every bad row in Dutch, and returns no rows at all', () => {
    const r = validatePurchaseRecords(
      rec([
        ['serienummer', 'hostnaam', 'aankoopdatum', 'prijs', 'garantie tot'],
        ['CND1234XYZ', '', '2022-09-01', '749', ''],
        ['ONBEKEND', '', '2022-09-01', '', ''],
        ['', 'twin', '2022-09-01', '', ''],
        ['5CG9876ABC', '', '31-02-2024', 'duur', ''],
        ['CND1234XYZ', '', '2023-01-01', '', ''],
        ['A1', '', '2027-01-01', '', '2026-01-01'],
        ['', '', '2022-01-01', '', ''],
      ]),
      devices,
      TODAY,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'unknown_device'],
      [4, 'ambiguous_device'],
      [5, 'bad_date'],
      [5, 'bad_price'],
      [6, 'duplicate_device'],
      [7, 'future_date'],
      [7, 'warranty_before_purchase'],
      [8, 'no_key'],
    ]);
    expect(r.errors[0]?.message).toBe('Regel 3: geen apparaat met serienummer "ONBEKEND" in de console.');
    expect(r.errors[4]?.message).toBe('Regel 6: hetzelfde apparaat als regel 2 (LOK12-PC01).');
    expect(r.errors[0]?.messageEn).toBe('Line 3: no device with serial number "ONBEKEND" in the console.');
    expect(r.errorCount).toBe(8);
  });
  it('refuses a file without a key or date column, naming the header line', () => {
    const r = validatePurchaseRecords(
      rec([
        ['naam', 'datum'],
        ['x', '2022-01-01'],
      ]),
      devices,
      TODAY,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['missing_column', 'missing_column']);
    expect(r.errors[0]?.message).toMatch(/^Regel 1: geen kolom "serienummer" of "hostnaam"/);
  });
  it('refuses an empty file and a file with only a header', () => {
    expect(validatePurchaseRecords([], devices, TODAY)).toMatchObject({
      ok: false,
      errors: [{ code: 'no_header' }],
    });
    expect(validatePurchaseRecords(rec([['serienummer', 'aankoopdatum']]), devices, TODAY)).toMatchObject({
      ok: false,
      errors: [{ code: 'no_rows' }],
    });
  });
});
