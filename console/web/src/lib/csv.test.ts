import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvFileName, neutraliseText, toCsv } from './csv.js';
import { periodSlug } from './csvContext.js';
import { localMidnight } from './period.js';

/** What Dutch Excel does with the file: strip the BOM, split on `;`, honour quotes. */
function readDutch(csv: string): string[][] {
  return parse(CSV_BOM + csv, { delimiter: ';', bom: true, relax_column_count: false });
}

describe('CSV for Dutch Excel', () => {
  const header = [
    { header: 'Groep' },
    { header: 'Kosten (€)', decimals: 2 },
    { header: 'CO2e (kg)', decimals: 2 },
    { header: 'Vermijdbaar (kWh)', decimals: 1 },
  ];
  const rows = [
    ['Lokaal 1.04', 10.523, 2.5, 1234.56],
    ['Aula', 9.2, 0, 6.8],
  ];

  it('reads back with a ;-parser as Dutch headers and numbers with fixed decimals per column', () => {
    const table = readDutch(toCsv(header, rows, { lang: 'nl' }));
    expect(table[0]).toEqual(['Groep', 'Kosten (€)', 'CO2e (kg)', 'Vermijdbaar (kWh)']);
    expect(table[1]).toEqual(['Lokaal 1.04', '10,52', '2,50', '1234,6']);
    expect(table[2]).toEqual(['Aula', '9,20', '0,00', '6,8']);
  });

  it('writes English files with commas between cells and a decimal point', () => {
    const csv = toCsv(header, rows, { lang: 'en' });
    const table: string[][] = parse(csv, { delimiter: ',' });
    expect(table[1]).toEqual(['Lokaal 1.04', '10.52', '2.50', '1234.6']);
  });

  it('gives whole-number columns no decimals and other columns two unless told', () => {
    const table = readDutch(
      toCsv(
        ['a', 'b'],
        [
          [3, 1.5],
          [4, 2],
        ],
        { lang: 'nl' },
      ),
    );
    expect(table.slice(1)).toEqual([
      ['3', '1,50'],
      ['4', '2,00'],
    ]);
  });

  it('writes times as local date and time in the school time zone, across summer time', () => {
    const winter = Date.UTC(2026, 0, 12, 13, 5); // 14:05 in Amsterdam
    const summer = Date.UTC(2026, 5, 12, 12, 5); // 14:05 in Amsterdam
    const csv = toCsv(['Begin'], [[{ time: winter }], [{ time: summer }]], { lang: 'nl' });
    expect(readDutch(csv).slice(1)).toEqual([['2026-01-12 14:05'], ['2026-06-12 14:05']]);
    const london = toCsv(['Begin'], [[{ time: winter }]], { lang: 'nl', timeZone: 'Europe/London' });
    expect(readDutch(london)[1]).toEqual(['2026-01-12 13:05']);
  });

  it('starts the download with a UTF-8 BOM so Excel reads the euro sign', () => {
    expect(CSV_BOM).toBe('\ufeff');
    expect(new TextEncoder().encode(CSV_BOM)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it('writes yes/no and empty cells in the language of the UI', () => {
    expect(readDutch(toCsv(['x', 'y'], [[true, null]], { lang: 'nl' }))[1]).toEqual(['ja', '']);
  });
});

describe('CSV formula-injection guard', () => {
  const cells = [
    '=HYPERLINK("http://x","klik")',
    '+31 6 1234',
    '-2+3',
    '@SUM(A1)',
    '\tcmd',
    '\rcmd',
    'lokaal;=cmd|/c calc',
    'lokaal,=cmd',
    '"=cmd',
    'a; =cmd',
    '"; @x',
  ];

  it('neutralises every text cell that starts a formula, also after a separator or quote', () => {
    const table = readDutch(
      toCsv(
        ['Naam'],
        cells.map((c) => [c]),
        { lang: 'nl' },
      ),
    );
    const back = table.slice(1).map((r) => r[0]);
    expect(back).toEqual([
      `'=HYPERLINK("http://x","klik")`,
      "'+31 6 1234",
      "'-2+3",
      "'@SUM(A1)",
      "'\tcmd",
      "'\rcmd",
      "lokaal;'=cmd|/c calc",
      "lokaal,'=cmd",
      `"'=cmd`,
      "a; '=cmd",
      `"; '@x`,
    ]);
    // no cell, split on either separator, starts a formula after quotes and spaces
    for (const v of back) {
      for (const part of v!.split(/[;,]/)) expect(part.replace(/^[\s"]+/, '')).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('keeps a text cell in one piece when the file is opened with the other separator', () => {
    const csv = toCsv(['Naam'], [['lokaal;=cmd']], { lang: 'en' });
    const table: string[][] = parse(csv, { delimiter: ';' });
    expect(table[1]).toEqual(["lokaal;'=cmd"]);
  });

  it('leaves negative numbers in numeric columns as numbers: the exporter writes them, not a user', () => {
    const table = readDutch(
      toCsv([{ header: 'Verschil (kWh)', decimals: 1 }], [[-3.5], [-0.01]], { lang: 'nl' }),
    );
    expect(table.slice(1)).toEqual([['-3,5'], ['0,0']]);
  });

  it('neutralises header text too', () => {
    expect(neutraliseText('=1+1')).toBe("'=1+1");
    expect(neutraliseText('Lokaal 1')).toBe('Lokaal 1');
    expect(neutraliseText('a-b')).toBe('a-b');
  });
});

describe('CSV file names', () => {
  it('carry what, the period as local dates and the scope', () => {
    const from = localMidnight('2026-03-02');
    const to = localMidnight('2026-03-09');
    expect(
      csvFileName('sluimer-verspilling-per-dag', {
        period: periodSlug({ from, to }),
        scope: 'Het Baken › Lokaal 1.04',
      }),
    ).toBe('sluimer-verspilling-per-dag_2026-03-02--2026-03-08_het-baken-lokaal-1-04.csv');
    expect(csvFileName('sluimer-overzicht', { scope: 'Scholengroep Zuid' })).toBe(
      'sluimer-overzicht_scholengroep-zuid.csv',
    );
  });
});
