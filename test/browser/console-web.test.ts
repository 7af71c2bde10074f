import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../console/server/src/index.js';
import { ConsoleClient, enrollDevice, ProtocolAgent } from '../../scripts/src/fleet/index.js';
import {
  ADMIN_PASSWORD,
  DESKTOP,
  type DemoConsole,
  launchChromium,
  PHONE,
  ROOT,
  startDemoConsole,
  USERS,
  WEB_DIST,
} from './browser-support.js';

/**
 * The console web app end to end: the real console (programmatic start on port 0, temp data dir),
 * seeded through the real API and agent WebSocket by the fleet simulator, driven by Debian's Chromium.
 * Needs the built web app (npm run build) and /usr/bin/chromium (.ci/apt-packages.txt).
 */
const ARTIFACTS = join(ROOT, 'test-artifacts');

let consoleApp: RunningConsole;
let board: DemoConsole | undefined;
let browser: Browser;
const agents: ProtocolAgent[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  board = await startDemoConsole({ deviceCount: 24, dirPrefix: 'sluimer-web-e2e-' });
  consoleApp = board.consoleApp;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  for (const a of agents) await a.close().catch(() => {});
  await browser?.close().catch(() => {});
  await board?.close();
});

async function newPage(size = DESKTOP, locale = 'nl-NL'): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale, timezoneId: 'Europe/Amsterdam' });
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

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let charts finish their first animation frame
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** No sideways scrolling at phone width: the page is no wider than the viewport and no visible element sticks out. */
async function noSidewaysScroll(page: Page): Promise<void> {
  const r = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (el.closest('.sr-only, .explain-pop, .skip')) continue;
      // a visually hidden table header (tables become stacked cards on a phone)
      const head = el.closest('thead');
      if (head && getComputedStyle(head).position === 'absolute') continue;
      if (box.right > width + 1 || box.left < -1)
        out.push(
          `${el.tagName.toLowerCase()}.${(el as HTMLElement).className} (${Math.round(box.left)}–${Math.round(box.right)})`,
        );
    }
    return { scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5) };
  });
  expect(r.out, 'elements sticking out sideways').toEqual([]);
  expect(r.scroll, 'page must not scroll sideways').toBeLessThanOrEqual(r.width);
}

async function overviewLoaded(page: Page): Promise<void> {
  // the charts fill in one by one; data-ready says every usage answer is in
  await page.locator('main.overview[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('tiles').waitFor();
  await page.getByTestId('chart-trend').locator('canvas').first().waitFor();
  await page.getByTestId('chart-heatmap').locator('canvas').first().waitFor();
}

describe('console web app', () => {
  it('refuses a wrong password with a clear Dutch message', async () => {
    const page = await newPage();
    await page.goto(`${consoleApp.url}/`);
    await page.getByLabel('Gebruikersnaam').fill('admin');
    await page.getByLabel('Wachtwoord').fill('fout-wachtwoord');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Gebruikersnaam of wachtwoord klopt niet',
    );
    await shot(page, 'login-error-desktop');
    await page.context().close();
  });

  it('teaches a fresh console how to enroll the first device', async () => {
    const freshDir = mkdtempSync(join(tmpdir(), 'sluimer-web-fresh-'));
    const fresh = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir: freshDir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      webDist: WEB_DIST,
    });
    try {
      const page = await newPage();
      await page.goto(`${fresh.url}/`);
      await page.getByLabel('Gebruikersnaam').fill('admin');
      await page.getByLabel('Wachtwoord').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Aanmelden' }).click();
      const empty = page.getByTestId('empty-overview');
      await empty.waitFor();
      await expect(empty.textContent()).resolves.toContain('aanmeldcode');
      await shot(page, 'overview-empty-desktop');
      await empty.getByRole('link', { name: 'Naar Scholen en lokalen' }).click();
      await page.getByTestId('empty-groups').waitFor();
      await page.getByRole('link', { name: 'Apparaten', exact: true }).click();
      await page.getByTestId('empty-devices').waitFor();
      await page.context().close();
    } finally {
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });

  for (const role of ['admin', 'it', 'viewer'] as const) {
    it(`shows the overview with tiles, a trend chart and the heatmap to ${role}`, async () => {
      const page = await newPage();
      await login(page, role);
      await overviewLoaded(page);
      const eur = await page.getByTestId('tile-eur').locator('.tile-value').textContent();
      expect(eur).toMatch(/€\s?\d+,\d\d/); // nl-NL money: € 12,50
      const kwh = await page.getByTestId('tile-kwh').locator('.tile-value').textContent();
      expect(kwh).toMatch(/\d+(,\d+)?\s?kWh/);
      // the week's seeded history wasted something
      expect(Number((eur ?? '').replace(/[^\d,]/g, '').replace(',', '.'))).toBeGreaterThan(0);
      // the heatmap has its table alternative with all 168 hours of the week
      await page.getByTestId('chart-heatmap').getByRole('button', { name: 'Als tabel tonen' }).click();
      await expect(page.getByTestId('chart-heatmap').locator('tbody tr').count()).resolves.toBe(168);
      await page.getByTestId('chart-heatmap').getByRole('button', { name: 'Als grafiek tonen' }).click();
      // top wasters list devices with a reason
      await page.getByTestId('top-wasters').locator('tbody tr').first().waitFor();
      const nav = await page.locator('#mainnav').textContent();
      if (role === 'viewer') {
        expect(nav).not.toContain('Apparaten');
        expect(nav).not.toContain('Energiebeleid');
        expect(nav).not.toContain('Instellingen');
      } else {
        expect(nav).toContain('Apparaten');
        expect(nav).toContain('Energiebeleid');
        expect(nav?.includes('Instellingen')).toBe(role === 'admin');
      }
      await shot(page, `overview-${role}-desktop`);
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(300);
      await noSidewaysScroll(page);
      // every number is explained: a tap opens the sentence, inside the screen
      await page
        .getByTestId('tile-outside')
        .getByRole('button', { name: /Uitleg/ })
        .click();
      const pop = page.getByTestId('tile-outside').getByRole('tooltip');
      await pop.waitFor({ state: 'visible' });
      await expect(pop.textContent()).resolves.toContain('buiten schooltijd');
      const box = await pop.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
      await shot(page, `overview-${role}-phone`);
      await page.context().close();
    });
  }

  it('switches to English and back', async () => {
    const page = await newPage();
    await login(page, 'admin');
    await overviewLoaded(page);
    await page.getByLabel('Taal').selectOption('en');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByTestId('tile-eur').locator('.tile-value').textContent()).toMatch(/€\d+\.\d\d/);
    await page.getByLabel('Language').selectOption('nl');
    await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
    await page.context().close();
  });

  it('lets IT create a room and a secret, enroll an agent with it, and roll out a policy to it live', async () => {
    const page = await newPage();
    page.on('response', async (r) => {
      if (r.url().includes('/web/devices?'))
        console.log('DBG', r.url(), r.status(), (await r.text()).slice(0, 300));
    });
    await login(page, 'it');

    // a room under the first school
    await page.getByRole('link', { name: 'Scholen en lokalen' }).click();
    await page.getByTestId('new-group').waitFor();
    const tree = page.locator('.tree');
    await tree.locator('.tree-btn').first().waitFor();
    const newGroup = page.getByTestId('new-group');
    await newGroup.locator('input[name=groupName]').fill('Lokaal E2E');
    const parentOptions = await newGroup.locator('select[name=parent] option').allTextContents();
    const school = parentOptions.find((o) => o.split(' › ').length === 2);
    expect(school, 'the demo has a school below its board').toBeTruthy();
    await newGroup.locator('select[name=parent]').selectOption({ label: school! });
    await newGroup.locator('select[name=kind]').selectOption('room');
    await newGroup.getByRole('button', { name: 'Aanmaken' }).click();
    await page
      .getByTestId('group-detail')
      .getByRole('heading', { name: /Lokaal E2E/ })
      .waitFor();

    // an enrollment secret with the exact install commands
    await page.getByRole('button', { name: 'Nieuwe aanmeldcode' }).click();
    const secret = (await page.getByTestId('secret-value').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(10);
    for (const os of ['windows', 'macos', 'linux']) {
      const cmd = await page.getByTestId(`install-${os}`).textContent();
      expect(cmd).toContain(secret);
      expect(cmd).toContain(consoleApp.url);
    }
    await shot(page, 'groups-it-desktop');

    // the devices page, filtered to the new agent's name, before it exists
    await page.getByRole('link', { name: 'Apparaten', exact: true }).click();
    await page.getByTestId('devices-table').waitFor();
    await page.getByRole('searchbox').fill('e2e-laptop');
    await page
      .getByText('Geen apparaten', { exact: false })
      .or(page.locator('.empty-cell'))
      .first()
      .waitFor();

    // a simulated agent enrolls with that secret over the real API and WebSocket
    const enrolled = await enrollDevice(consoleApp.url, {
      enrollSecret: secret,
      installId: 'e2e-install-1',
      hostname: 'e2e-laptop-01',
      inventory: {
        os: 'windows',
        osVersion: '11',
        chassisType: 'Notebook',
        manufacturer: 'Dell',
        model: 'Latitude 3440',
        bios: { releaseDate: '2021-03-15' },
        battery: { hasBattery: true, designCapacityWh: 54, fullCapacityWh: 46, cycleCount: 212 },
      },
    });
    const agent = new ProtocolAgent({ server: consoleApp.url, deviceToken: enrolled.deviceToken });
    agents.push(agent);
    await agent.connect();
    const now = Date.now();
    await agent.report(
      [
        { start: now - 50 * 60_000, end: now - 30 * 60_000, state: 'active', display: 'on', power: 'ac' },
        { start: now - 30 * 60_000, end: now - 2 * 60_000, state: 'idle', display: 'on', power: 'ac' },
      ],
      [{ name: 'Teams.exe', kind: 'process', reason: 'call in progress' }],
    );
    // it appears without a reload (pushed over Server-Sent Events)
    const row = page.getByTestId('devices-table').getByRole('link', { name: 'e2e-laptop-01' });
    await row.waitFor({ timeout: 15_000 });
    await expect(
      page.getByTestId('devices-table').locator('tbody tr').first().textContent(),
    ).resolves.toContain('Verbonden');
    await shot(page, 'devices-it-desktop');

    // its device page: timeline, inventory, blocker
    await row.click();
    await page.getByTestId('timeline-24h').locator('canvas').waitFor();
    await expect(page.getByTestId('device-blockers').textContent()).resolves.toContain('Teams.exe');
    await expect(page.getByTestId('battery').textContent()).resolves.toContain('85');
    // lifecycle: the age says which date it counts from; one month of readings gives no outlook yet
    await expect(page.getByTestId('device-age').textContent()).resolves.toContain(
      'sinds de BIOS-datum 2021-03-15',
    );
    await expect(page.getByTestId('battery-outlook').textContent()).resolves.toContain(
      'Nog geen verwachting',
    );
    await shot(page, 'device-it-desktop');

    // a new policy: the editor refuses an out-of-bounds value, then saves
    await page.getByRole('link', { name: 'Energiebeleid' }).click();
    await page.getByRole('button', { name: 'Nieuw energiebeleid' }).click();
    const editor = page.getByTestId('policy-editor');
    await editor.locator('input[name=policyName]').fill('E2E-beleid');
    await editor.locator('input[name="sleepAfterSec.ac"]').fill('0');
    await editor.getByRole('button', { name: 'Opslaan' }).click();
    await expect(editor.getByRole('alert').first().textContent()).resolves.toContain('Controleer');
    await expect(editor.textContent()).resolves.toContain('Kies een heel getal van 5 tot en met 240 minuten');
    await editor.locator('input[name="sleepAfterSec.ac"]').fill('20');
    await editor.locator('input[name="displayOffAfterSec.ac"]').fill('10');
    await editor.getByRole('button', { name: 'Opslaan' }).click();
    await page.getByTestId('policy-detail').getByRole('heading', { name: 'E2E-beleid' }).waitFor();

    // assign it to the new room; the agent gets it at once and reports it applied, live
    const assign = page.getByTestId('assign');
    await assign.getByLabel(/Lokaal E2E/).check();
    await assign.getByRole('button', { name: 'Toewijzen' }).click();
    await expect(assign.getByRole('status').textContent()).resolves.toContain('Toegewezen');
    const rollout = page.getByTestId('rollout');
    await rollout
      .getByRole('link', { name: 'e2e-laptop-01' })
      .waitFor({ timeout: 15_000 })
      .catch(async (err) => {
        await shot(page, 'FAILED-rollout');
        throw err;
      });
    await expect
      .poll(async () => rollout.locator('tbody tr').first().textContent(), { timeout: 15_000 })
      .toContain('Toegepast');
    expect(agent.policy?.sleepAfterSec?.ac).toBe(1200);
    await shot(page, 'policies-it-desktop');

    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    await noSidewaysScroll(page);
    await shot(page, 'policies-it-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Apparaten', exact: true }).click();
    await page.getByTestId('devices-table').waitFor();
    await noSidewaysScroll(page);
    await shot(page, 'devices-it-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Scholen en lokalen' }).click();
    await page.locator('.tree-btn').first().waitFor();
    await noSidewaysScroll(page);
    await shot(page, 'groups-it-phone');
    await page.context().close();
  });

  it('lets the admin see settings, users and API tokens', async () => {
    const page = await newPage();
    await login(page, 'admin');
    await page.getByRole('link', { name: 'Instellingen' }).click();
    await page.getByTestId('settings-energy').locator('input[name=price]').waitFor();
    await expect
      .poll(() => page.getByTestId('settings-energy').locator('input[name=price]').inputValue())
      .toMatch(/0,\d+/);
    await expect(page.getByTestId('settings-users').textContent()).resolves.toContain('directie');
    await shot(page, 'settings-admin-desktop');
    await page.setViewportSize(PHONE);
    await noSidewaysScroll(page);
    await shot(page, 'settings-admin-phone');
    await page.context().close();
  });

  it('lets the admin see every user’s API tokens and revoke one after confirming', async () => {
    const ict = new ConsoleClient(consoleApp.url);
    await ict.login(USERS.it.username, USERS.it.password);
    const made = await ict.request<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'inventaris-script',
      expiresInDays: 30,
    });
    const me = () =>
      fetch(`${consoleApp.url}/api/v1/me`, { headers: { authorization: `Bearer ${made.token}` } });
    expect((await me()).status).toBe(200);

    const page = await newPage();
    await login(page, 'admin');
    await page.getByRole('link', { name: 'Instellingen' }).click();
    const tokens = page.getByTestId('settings-tokens');
    const row = tokens.locator('tr', { hasText: 'inventaris-script' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('ict');
    // used once above: last used shows a time, not "nooit" (never)
    await expect(row.textContent()).resolves.not.toContain('nooit');
    await expect(row.locator('td').nth(4).textContent()).resolves.toMatch(/\d{2}:\d{2}/);
    await shot(page, 'settings-tokens-desktop');
    const revoke = row.getByRole('button', { name: /Intrekken/ });
    // dismissing the confirmation keeps the token
    page.once('dialog', (d) => void d.dismiss());
    await revoke.click();
    expect((await me()).status).toBe(200);
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await revoke.click();
    await tokens.getByText('Token "inventaris-script" is ingetrokken.').waitFor();
    expect(question).toContain('inventaris-script');
    expect((await me()).status).toBe(401);
    await expect
      .poll(() => tokens.locator('tr', { hasText: 'inventaris-script' }).count(), { timeout: 10_000 })
      .toBe(0);
    await page.context().close();
  });

  it('lets a user change their own password, which signs them out everywhere', async () => {
    const admin = new ConsoleClient(consoleApp.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.post('/api/v1/users', {
      username: 'juf.wissel',
      password: 'oud-wachtwoord-12',
      role: 'viewer',
    });
    const page = await newPage();
    await page.goto(`${consoleApp.url}/`);
    await page.getByLabel('Gebruikersnaam').fill('juf.wissel');
    await page.getByLabel('Wachtwoord').fill('oud-wachtwoord-12');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.getByTestId('who').click();
    const form = page.getByTestId('account-password');
    await form.getByLabel('Huidig wachtwoord').fill('niet-mijn-wachtwoord');
    await form.getByLabel('Nieuw wachtwoord (min. 10 tekens)').fill('nieuw-wachtwoord-34');
    await form.getByLabel('Herhaal het nieuwe wachtwoord').fill('nieuw-wachtwoord-34');
    await form.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await form.getByText('Het huidige wachtwoord klopt niet.').waitFor();
    await form.getByLabel('Huidig wachtwoord').fill('oud-wachtwoord-12');
    await shot(page, 'account-password-desktop');
    await form.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await page.getByText('Je wachtwoord is gewijzigd. Meld je opnieuw aan').waitFor();
    await page.getByLabel('Gebruikersnaam').fill('juf.wissel');
    await page.getByLabel('Wachtwoord').fill('nieuw-wachtwoord-34');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.getByTestId('who').waitFor();
    await page.context().close();
  });

  it('keeps a viewer read-only', async () => {
    const page = await newPage();
    await login(page, 'viewer');
    await page.goto(`${consoleApp.url}/groups`);
    await page.locator('.tree-btn').first().waitFor();
    await expect(page.getByText('Je rol is alleen lezen').count()).resolves.toBe(1);
    await expect(page.getByTestId('new-group').count()).resolves.toBe(0);
    await page.locator('.tree-btn').first().click();
    await expect(page.locator('input[name=renameGroup]').isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Nieuwe aanmeldcode' }).count()).resolves.toBe(0);
    // and the server agrees: a write with the viewer's session is refused
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/v1/groups', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'mag niet' }),
      });
      return r.status;
    });
    expect(status).toBe(403);
    await shot(page, 'groups-viewer-desktop');
    // devices and policies are not there for a viewer
    await page.goto(`${consoleApp.url}/devices`);
    await page.getByRole('heading', { name: 'Niet voor jouw rol' }).waitFor();
    await page.context().close();
  });

  it('shows every role the API reference, rendered from the console’s own OpenAPI document', async () => {
    const page = await newPage();
    await login(page, 'viewer');
    await page.goto(`${consoleApp.url}/account`);
    await page.getByRole('link', { name: /API-referentie/ }).click();
    await page.getByRole('heading', { name: 'API-referentie', level: 1 }).waitFor();
    await page.getByTestId('api-operation').first().waitFor();
    const served = await page.evaluate(async () => {
      const doc = (await (await fetch('/api/v1/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      return Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    });
    expect(served).toBeGreaterThan(40);
    await expect(page.getByTestId('api-operation').count()).resolves.toBe(served);
    const groups = page
      .getByTestId('api-operation')
      .filter({ has: page.getByText('GET /api/v1/groups/{id}', { exact: true }) });
    await groups.locator('summary').click();
    await expect(groups.getByText('effectiveTimeZone').count()).resolves.toBeGreaterThan(0);
    await shot(page, 'api-reference-desktop');
    await page.context().close();
  });
});
