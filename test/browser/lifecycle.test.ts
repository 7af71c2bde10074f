import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  type DemoConsole,
  launchChromium,
  PHONE,
  ROOT,
  startDemoConsole,
  USERS,
} from './browser-support.js';

/**
 * Lifecycle views (issue 11) in Debian's Chromium against the real console with a demo board: the
 * Levensduur page and a device's lifecycle card at desktop and phone width, and the annual report
 * printed to PDF whose text (pdftotext, poppler-utils) holds the figures shown on screen.
 */
const ARTIFACTS = join(ROOT, 'test-artifacts');
let board: DemoConsole;
let browser: Browser;
let url: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // 28 days of history: two weeks before the demo policy took effect and two after, so the report
  // has measured savings with device-days on both sides
  board = await startDemoConsole({ deviceCount: 24, dirPrefix: 'sluimer-lifecycle-web-', historyDays: 28 });
  url = board.consoleApp.url;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await board?.close();
});

async function newPage(size = DESKTOP): Promise<Page> {
  const context = await browser.newContext({
    viewport: size,
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

async function login(page: Page, who: keyof typeof USERS = 'admin'): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Gebruikersnaam').fill(USERS[who].username);
  await page.getByLabel('Wachtwoord').fill(USERS[who].password);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByTestId('who').waitFor({ state: 'attached' });
}

/** the page fits the viewport: nothing makes the phone scroll sideways */
async function fitsWidth(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, 'page wider than the viewport').toBeLessThanOrEqual(client + 1);
}

/** text as pdftotext and the DOM both give it: one space for every run of (no-break) spaces */
const norm = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('Levensduur at %s width', (name, size) => {
  it('shows ages, batteries, the battery swaps and both levers side by side', async () => {
    const page = await newPage(size);
    await login(page);
    if (size === PHONE) await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Levensduur', exact: true }).click();
    await page.getByRole('heading', { name: 'Levensduur', level: 1 }).waitFor();
    await page.locator('[data-testid="lifecycle-page"][data-ready="true"]').waitFor();
    expect(await page.getByTestId('life-tile-devices').innerText()).toContain('24');
    const extension = await page.getByTestId('life-extension').innerText();
    expect(extension).toMatch(
      /De gemiddelde levensduur verlengen van [\d,]+ naar [\d,]+ jaar vermijdt [\d,]+ ton CO2e per jaar\./,
    );
    expect(await page.getByTestId('life-use-phase').innerText()).toMatch(
      /vermijdbare stroomverbruik .* kg CO2e/,
    );
    // the demo imported purchase dates for one school; the rest count from the BIOS date
    expect(await page.getByTestId('life-age-sources').innerText()).toMatch(
      /aankoopdatum [1-9]\d*, BIOS-datum [1-9]/,
    );
    await page.getByTestId('life-chart-age').locator('canvas').waitFor();
    await page.getByTestId('life-chart-battery').locator('canvas').waitFor();
    // the demo wears some batteries to 55–70 %: they are in the swap list
    await page.getByTestId('life-swaps-sum').waitFor();
    expect(await page.getByTestId('life-tile-swaps').innerText()).toMatch(/[1-9]/);
    await fitsWidth(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, `levensduur-${name}.png`), fullPage: true });
    await page.context().close();
  });

  it('shows a device’s lifecycle card with age and source, battery, advice and options', async () => {
    const page = await newPage(size);
    await login(page);
    await page.goto(`${url}/lifecycle`);
    await page.locator('[data-testid="lifecycle-page"][data-ready="true"]').waitFor();
    // a device from the battery swap list: worn battery, advice "Batterij vervangen"
    await page.getByTestId('life-swaps').getByRole('link').first().click();
    const card = page.getByTestId('lifecycle-card');
    await card.waitFor();
    expect(await card.getByTestId('life-age').innerText()).toMatch(
      /\d+([,.]\d)? jaar|sinds|BIOS|aankoop|eerste/i,
    );
    expect(await card.getByTestId('life-battery').innerText()).toMatch(/^\d+\s?% van nieuw$/);
    expect(await card.getByTestId('life-advice').getAttribute('data-advice')).toBe('replace-battery');
    expect(await card.getByTestId('life-advice').innerText()).toContain('Batterij vervangen');
    expect(await card.getByTestId('life-embodied').innerText()).toMatch(/kg CO2e \(bandbreedte/);
    const options = await card.getByTestId('life-options').innerText();
    expect(options).toContain('Batterij vervangen');
    expect(options).toContain('Vervangen');
    // the demo wrote a year of monthly readings: the trend gives the months below 80 % and 60 %
    expect(await card.getByTestId('life-outlook').innerText()).toMatch(
      /procentpunt per maand: onder 80 % in \d{4}-\d{2}, onder 60 % in \d{4}-\d{2}/,
    );
    await card.locator('canvas').waitFor();
    await fitsWidth(page);
    await card.screenshot({ path: join(ARTIFACTS, `levensduur-kaart-${name}.png`) });
    await page.context().close();
  });
});

describe('Duurzaamheidsverslag', () => {
  it('prints to a PDF whose text holds every figure shown on screen, without the navigation', async () => {
    const page = await newPage(DESKTOP);
    await login(page);
    await page.goto(`${url}/report`);
    await page.locator('[data-testid="annual-report"][data-ready="true"]').waitFor();
    const figures = await page
      .locator('[data-testid^="fig-"]')
      .evaluateAll((els) =>
        els.map((e) => ({ id: e.getAttribute('data-testid') ?? '', text: (e as HTMLElement).innerText })),
      );
    expect(figures.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'fig-energy-kwh',
        'fig-waste-eur',
        'fig-devices',
        'fig-mean-age',
        'fig-embodied-avoided',
        'fig-saved-kwh',
        'fig-saved-eur',
        'fig-saved-kg',
        'fig-savings-days-before',
        'fig-savings-days-after',
      ]),
    );
    // the demo policy took effect two weeks ago: measured savings, with the device-days behind them
    const shown = (id: string) => norm(figures.find((f) => f.id === id)?.text ?? '');
    expect(shown('fig-savings-days-after')).toMatch(/^[1-9][\d.]*$/);
    expect(shown('fig-saved-kwh')).toMatch(/^[\d.]+(,\d)? kWh$/);
    expect(shown('fig-saved-kwh')).not.toBe('0 kWh');
    const changes = norm(await page.getByTestId('report-savings-changes').innerText());
    expect(changes).toMatch(/ sinds \d{4}-\d{2}-\d{2}/);
    const note = page.getByTestId('report-savings-note');
    const noteText = (await note.count()) ? norm(await note.innerText()) : null;
    // the figures in force for each class, as the assumptions table shows them
    const laptopRow = page.getByTestId('assumption-laptop');
    const laptopCells = (await laptopRow.locator('.fig-line').allInnerTexts()).map(norm);
    expect(laptopCells).toEqual([
      '€ 750',
      '200 kg',
      '€ 90',
      '5 kg',
      '€ 40',
      '3 kg',
      '€ 60',
      '10 kg',
      '€ 150',
      '15 kg',
    ]);
    // the demo's history is in the running school year: energy is not zero
    expect(norm(figures.find((f) => f.id === 'fig-energy-kwh')?.text ?? '')).not.toMatch(/^0 kWh$/);
    const extension = norm(await page.getByTestId('report-extension').innerText());

    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-report-pdf-'));
    try {
      const file = join(dir, 'verslag.pdf');
      writeFileSync(file, pdf);
      writeFileSync(join(ARTIFACTS, 'duurzaamheidsverslag.pdf'), pdf);
      const text = norm(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
      expect(text).toContain('Duurzaamheidsverslag');
      for (const f of figures) expect(text, f.id).toContain(norm(f.text));
      expect(text).toContain(extension);
      expect(text).toContain('Uitgangspunten');
      expect(text).toContain('Besparing');
      expect(text).toContain(changes);
      if (noteText) expect(text).toContain(noteText);
      // the laptop row of the option figures: the euros on one line, the kg CO2e under them
      const eurs = laptopCells.filter((_, i) => i % 2 === 0).join(' ');
      const kgs = laptopCells.filter((_, i) => i % 2 === 1).join(' ');
      expect(text).toContain(`Laptop ${eurs} ${kgs}`);
      // navigation and tools are not printed
      expect(text).not.toContain('Afmelden');
      expect(text).not.toContain('Afdrukken of als pdf opslaan');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.context().close();
  });
});

describe('Lifecycle figures in the settings', () => {
  it('lets an admin change a battery price that the report then prints, marked as changed', async () => {
    const page = await newPage(DESKTOP);
    await login(page);
    await page.goto(`${url}/settings`);
    const card = page.getByTestId('settings-lifecycle');
    const battery = card.getByLabel('Laptop: Batterij (€)');
    await battery.waitFor();
    expect(await battery.getAttribute('placeholder')).toBe('90');
    // a bad value: a clear message, nothing saved
    await battery.fill('-4');
    await card.getByRole('button', { name: 'Opslaan' }).click();
    expect(await card.getByRole('status').innerText()).toMatch(
      /Controleer: Laptop: Batterij \(€\)\. .*Er is niets opgeslagen\./,
    );
    expect((await board.consoleApp.store.getSettings()).lifecycleFigures).toBeUndefined();
    await battery.fill('95');
    await card.getByRole('button', { name: 'Opslaan' }).click();
    await card.getByRole('status').filter({ hasText: 'Opgeslagen' }).waitFor();
    expect((await board.consoleApp.store.getSettings()).lifecycleFigures).toEqual({
      laptop: { batteryEur: 95 },
    });

    await page.goto(`${url}/report`);
    await page.locator('[data-testid="annual-report"][data-ready="true"]').waitFor();
    const cells = (await page.getByTestId('assumption-laptop').locator('.fig-line').allInnerTexts()).map(
      norm,
    );
    expect(cells.slice(2, 4)).toEqual(['€ 95*', '5 kg']);
    expect(await page.getByTestId('annual-report').innerText()).toContain('* aangepast in de instellingen');
    await board.consoleApp.store.putSettings({
      ...(await board.consoleApp.store.getSettings()),
      lifecycleFigures: {},
    });
    await page.context().close();
  });
});
