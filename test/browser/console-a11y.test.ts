import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { localTime } from '@sluimer/shared';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningConsole } from '../../console/server/src/index.js';
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
 * The console web app for school people, in Debian's Chromium against the real console with the demo
 * board: axe-core on every page at desktop and phone width, Dutch accessible names on every chart,
 * keyboard-only policy editing, the CSV a Dutch Excel reads, and a view that survives a reload.
 * Needs the built web app (npm run build) and /usr/bin/chromium.
 */
const AXE = createRequire(join(ROOT, 'console/package.json')).resolve('axe-core/axe.min.js');

let consoleApp: RunningConsole;
let board: DemoConsole | undefined;
let browser: Browser;
let deviceId: number;

beforeAll(async () => {
  board = await startDemoConsole({ deviceCount: 16, dirPrefix: 'sluimer-web-a11y-' });
  consoleApp = board.consoleApp;
  const list = await board.api.get<{ devices?: { id: number }[]; items?: { id: number }[] }>(
    '/api/v1/web/devices?limit=1',
  );
  deviceId = (list.devices ?? list.items ?? [])[0]!.id;
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
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

async function login(page: Page, who: keyof typeof USERS): Promise<void> {
  await page.goto(`${consoleApp.url}/`);
  await page.getByLabel('Gebruikersnaam').fill(USERS[who].username);
  await page.getByLabel('Wachtwoord').fill(USERS[who].password);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByTestId('who').waitFor();
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core's verdict on the page as it is now (WCAG 2.1 A/AA and best practices). */
async function axe(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol: the console's CSP rightly refuses inline scripts
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const r = await page.evaluate(
    () =>
      (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResult> } }).axe.run(
        document,
        { resultTypes: ['violations'] },
      ) as Promise<AxeResult>,
  );
  return r.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
}

/** Waits until a page has drawn its data: no busy region left and no "Laden…" text. */
async function settled(page: Page): Promise<void> {
  await page.locator('#main h1').first().waitFor();
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            document.querySelectorAll('[aria-busy="true"]').length +
            (document.body.textContent?.includes('Laden…') ? 1 : 0),
        ),
      { timeout: 30_000 },
    )
    .toBe(0);
  await page.waitForTimeout(500); // charts draw on the next frames
}

const PAGES: Record<keyof typeof USERS, string[]> = {
  admin: [
    '/',
    '/devices',
    '/devices/:id',
    '/policies',
    '/groups',
    '/savings',
    '/settings',
    '/lifecycle',
    '/report',
  ],
  it: ['/', '/devices', '/policies', '/groups', '/savings'],
  viewer: ['/', '/groups', '/devices', '/lifecycle', '/savings', '/api-reference'],
};

describe('accessible and Dutch', () => {
  for (const role of ['admin', 'it', 'viewer'] as const) {
    it(`every page passes axe-core with zero violations at desktop and phone width for ${role}`, async () => {
      const page = await newPage();
      await login(page, role);
      const found: string[] = [];
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        for (const p of PAGES[role]) {
          await page.goto(`${consoleApp.url}${p.replace(':id', String(deviceId))}`);
          await settled(page);
          // a group selected, so the group's detail is checked too
          if (p === '/groups') {
            await page.locator('.tree-btn').first().click();
            await page.getByTestId('group-detail').waitFor();
          }
          for (const v of await axe(page)) found.push(`${p} @${size.width}px: ${v}`);
        }
      }
      expect(found).toEqual([]);
      // the check itself can fail: an image without a text alternative is reported
      await page.evaluate(() => {
        const img = document.createElement('img');
        img.src = '/favicon.ico';
        document.querySelector('main')?.appendChild(img);
      });
      expect((await axe(page)).join('\n')).toContain('image-alt');
      await page.context().close();
    });
  }

  it('gives every chart a Dutch accessible name without machine text or epoch numbers', async () => {
    const page = await newPage();
    await login(page, 'admin');
    const names: string[] = [];
    for (const p of ['/', `/devices/${deviceId}`]) {
      await page.goto(`${consoleApp.url}${p}`);
      await settled(page);
      await expect.poll(() => page.locator('.echart').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      names.push(
        ...(await page
          .locator('.echart')
          .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))),
      );
    }
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const n of names) {
      expect(n).not.toMatch(/This is a chart|chart with type|data is as follows/i);
      expect(n, 'no epoch milliseconds').not.toMatch(/\d{12,}/);
      expect(n, 'a Dutch sentence').toMatch(/ (van|de|per|en|is|zijn|uren|samen|geen) /);
      expect(n.length).toBeGreaterThan(30);
    }
    // the overview's charts are in euros first
    expect(names.find((n) => n.startsWith('Verspilling per dag'))).toMatch(/€/);
    await page.context().close();
  });

  it('moves focus to the page heading after navigating', async () => {
    const page = await newPage();
    await login(page, 'it');
    await page.getByRole('link', { name: 'Apparaten' }).click();
    await expect
      .poll(() =>
        page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`),
      )
      .toBe('H1 Apparaten');
    await page.context().close();
  });

  it('tells a viewer that a page is not for their role instead of "not found"', async () => {
    const page = await newPage();
    await login(page, 'viewer');
    await page.goto(`${consoleApp.url}/policies`);
    await page.getByRole('heading', { name: 'Niet voor jouw rol' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('alleen lezen');
    await page.context().close();
  });

  it('edits a policy with the keyboard only, with focus on the first invalid field after a failed save', async () => {
    const page = await newPage();
    await login(page, 'it');
    await page.goto(`${consoleApp.url}/policies`);
    await settled(page);
    const active = () =>
      page.evaluate(() => {
        const a = document.activeElement as HTMLInputElement | null;
        return `${a?.tagName.toLowerCase()}|${a?.getAttribute('name') ?? ''}|${a?.textContent?.trim() ?? ''}`;
      });
    /** Tab until the focused element matches, as a keyboard user would. */
    const tabTo = async (re: RegExp) => {
      for (let i = 0; i < 120; i++) {
        if (re.test(await active())) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`never reached ${re} with Tab; last ${await active()}`);
    };
    await tabTo(/^button\|\|Nieuw energiebeleid$/);
    await page.keyboard.press('Enter');
    await tabTo(/^input\|policyName\|/);
    await page.keyboard.type('Toetsenbord-beleid');
    await tabTo(/^textarea\|policyDescription\|/);
    await page.keyboard.type('Eerste regel');
    await page.keyboard.press('Enter'); // a new line, not a submit
    await page.keyboard.type('Tweede regel');
    await tabTo(/^input\|sleepAfterSec\.ac\|/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await tabTo(/^button\|\|Opslaan$/);
    await page.keyboard.press('Enter');
    await expect.poll(active).toMatch(/^input\|sleepAfterSec\.ac\|/);
    await expect(page.getByTestId('policy-editor').textContent()).resolves.toContain('Kies een heel getal');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('20');
    await tabTo(/^button\|\|Opslaan$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('policy-detail').getByRole('heading', { name: 'Toetsenbord-beleid' }).waitFor();
    await page.context().close();
  });

  it('checks in the browser what it can: a new password needs at least 10 characters', async () => {
    const page = await newPage();
    await login(page, 'admin');
    await page.goto(`${consoleApp.url}/settings`);
    const form = page.getByTestId('new-user');
    await form.locator('input[name=newUsername]').fill('docent');
    await form.locator('input[name=newPassword]').fill('kort');
    let posted = false;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/users')) posted = true;
    });
    await form.getByRole('button').click();
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name))
      .toBe('newPassword');
    expect(
      await form.locator('input[name=newPassword]').evaluate((e: HTMLInputElement) => e.validity.tooShort),
    ).toBe(true);
    expect(posted).toBe(false);
    await page.context().close();
  });
});

describe('management view', () => {
  it('downloads a CSV that a ;-separated parser reads as Dutch headers and numbers, named for period and scope', async () => {
    const page = await newPage();
    await login(page, 'viewer');
    await page.goto(`${consoleApp.url}/?period=lastMonth`);
    await settled(page);
    const card = page.getByTestId('chart-trend');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'CSV downloaden' }).click(),
    ]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/^sluimer-verspilling-per-dag_\d{4}-\d{2}-01--\d{4}-\d{2}-\d{2}_alle-scholen\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table: string[][] = parse(bytes.toString('utf8'), { delimiter: ';', bom: true });
    expect(table[0]).toEqual([
      'Dag',
      'Weekdag',
      'Kosten (€)',
      'CO2e (kg)',
      'Vermijdbaar (kWh)',
      'Totaal verbruik (kWh)',
      'Inactief (uur)',
    ]);
    expect(table.length).toBeGreaterThan(27);
    for (const row of table.slice(1)) {
      expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo']).toContain(row[1]);
      for (const c of row.slice(2, 6)) expect(c).toMatch(/^\d+,\d\d$/);
      expect(row[6]).toMatch(/^\d+,\d$/);
    }
    await page.context().close();
  });

  it('keeps period, scope and unit in the address through a reload, and drills down on a group', async () => {
    const page = await newPage();
    await login(page, 'viewer');
    await settled(page);
    // euros first
    await expect(
      page.getByTestId('metric-switch').getByRole('button', { name: 'Euro' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await page.getByTestId('metric-switch').getByRole('button', { name: 'kWh' }).click();
    await page.getByRole('button', { name: 'Vorige maand' }).click();
    await settled(page);
    // drill down: the per-group table's first name narrows the scope to that group
    const groups = page.getByTestId('chart-groups');
    await groups.getByRole('button', { name: 'Als tabel tonen' }).click();
    const first = groups.locator('tbody .link-btn').first();
    const groupName = (await first.textContent())?.trim() ?? '';
    await first.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('group')).toMatch(/^\d+$/);
    const url = new URL(page.url());
    expect(url.searchParams.get('metric')).toBe('kwh');
    expect(url.searchParams.get('period')).toBe('lastMonth');
    await page.reload();
    await settled(page);
    await expect(
      page.getByTestId('metric-switch').getByRole('button', { name: 'kWh' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await expect(
      page.getByRole('button', { name: 'Vorige maand' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    const scope = await page.locator('.scope select option:checked').textContent();
    expect(scope).toContain(groupName);
    await page.context().close();
  });

  it('shows hours of this week that have not happened yet as "geen gegevens", not 0', async () => {
    const lt = localTime(Date.now());
    if (lt.weekday === 6 && lt.hour === 23) return; // the whole week has happened
    const page = await newPage();
    await login(page, 'viewer');
    await settled(page);
    const heat = page.getByTestId('chart-heatmap');
    await heat.getByRole('button', { name: 'Als tabel tonen' }).click();
    const sunday = await heat.locator('tbody tr').last().textContent();
    expect(sunday).toContain('geen gegevens');
    await page.context().close();
  });
});

describe('IT and the school leader at work', () => {
  it('shows what is in a group, refuses a duplicate name, says why a full group cannot go, and confirms revoking a secret', async () => {
    const page = await newPage();
    await login(page, 'it');
    await page.goto(`${consoleApp.url}/groups`);
    await settled(page);
    // the demo's first school holds rooms and devices
    const school = page.locator('.tree > li > ul > li > .tree-btn').first();
    await school.click();
    const contents = page.getByTestId('group-contents');
    await expect
      .poll(() => contents.getByTestId('group-device-count').textContent())
      .toMatch(/\d+ apparaten/);
    await expect.poll(() => contents.getByTestId('group-waste').textContent()).toMatch(/€/);
    const del = page.getByTestId('group-delete');
    await expect.poll(() => del.textContent()).toContain('Alleen een lege groep kan weg');
    await expect(del.getByRole('button', { name: 'Groep verwijderen' }).isDisabled()).resolves.toBe(true);

    // a second room with the name of an existing one under the same school is refused in Dutch
    const groups = await page.evaluate(async () => {
      const r = await fetch('/api/v1/groups');
      return (await r.json()) as { id: number; name: string; parentId: number | null }[];
    });
    const room = groups.find(
      (g) => g.parentId !== null && groups.some((p) => p.id === g.parentId && p.parentId !== null),
    );
    expect(room, 'the demo has a room below a school').toBeTruthy();
    const form = page.getByTestId('new-group');
    await form.locator('input[name=groupName]').fill(` ${room!.name.toUpperCase()} `);
    await form.locator('select[name=parent]').selectOption({ value: String(room!.parentId) });
    await form.getByRole('button', { name: 'Aanmaken' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toContain('Er staat al een groep met deze naam');
    const after = await page.evaluate(
      async () => ((await (await fetch('/api/v1/groups')).json()) as unknown[]).length,
    );
    expect(after).toBe(groups.length);

    // a new secret is active; revoking asks first, and a "no" changes nothing
    await page.getByRole('button', { name: 'Nieuwe aanmeldcode' }).click();
    const secrets = page.getByTestId('secrets');
    const firstRow = secrets.locator('tbody tr').first();
    await expect.poll(() => firstRow.textContent()).toContain('Actief');
    page.once('dialog', (d) => d.dismiss());
    await firstRow.getByRole('button', { name: 'Intrekken' }).click();
    await page.waitForTimeout(300);
    await expect(firstRow.textContent()).resolves.toContain('Actief');
    page.once('dialog', (d) => {
      expect(d.message()).toContain('intrekken');
      void d.accept();
    });
    await firstRow.getByRole('button', { name: 'Intrekken' }).click();
    await expect.poll(() => firstRow.textContent()).toContain('Ingetrokken');
    await page.context().close();
  });

  it('sorts the device list by waste and shows a device its own waste', async () => {
    const page = await newPage();
    await login(page, 'it');
    await page.goto(`${consoleApp.url}/devices`);
    await settled(page);
    const table = page.getByTestId('devices-table');
    await table.getByRole('button', { name: /Verspilling \(€\)/ }).click();
    await expect
      .poll(() => table.locator('th[aria-sort]').first().getAttribute('aria-sort'))
      .toBe('descending');
    const euros = async () =>
      (await table.locator('tbody tr td:nth-child(7)').allTextContents()).map((s) =>
        Number(s.replace(/[^\d,]/g, '').replace(',', '.')),
      );
    await expect.poll(async () => (await euros()).length).toBeGreaterThan(5);
    const list = await euros();
    expect(list).toEqual([...list].sort((a, b) => b - a));
    expect(list[0]).toBeGreaterThan(0);
    await table.locator('tbody tr a').first().click();
    const waste = page.getByTestId('device-waste');
    await expect
      .poll(() => waste.getByTestId('device-waste-eur').textContent(), { timeout: 20_000 })
      .toMatch(/€\s?\d+,\d\d/);
    await page.context().close();
  });

  it('shows the admin the audit log, monitor watts and the AVG tools of a device', async () => {
    const page = await newPage();
    await login(page, 'admin');
    await page.goto(`${consoleApp.url}/settings`);
    await settled(page);
    await expect.poll(() => page.getByTestId('audit-log').locator('tbody tr').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('audit-log').textContent()).resolves.toContain('/api/v1/');
    await expect(page.getByTestId('settings-energy').textContent()).resolves.toContain('Beeldscherm 24 inch');
    await page.goto(`${consoleApp.url}/devices/${deviceId}`);
    await settled(page);
    const privacy = page.getByTestId('device-privacy');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      privacy.getByRole('link', { name: 'Gegevens downloaden (JSON)' }).click(),
    ]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.deviceId).toBe(deviceId);
    await page.context().close();
  });
});
