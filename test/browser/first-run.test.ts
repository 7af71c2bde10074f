import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleProcess, startConsoleProcess } from '../../bench/src/proc.js';
import { type RunningConsole, startConsole } from '../../console/server/src/index.js';
import { ConsoleClient, enrollDevice, idOf, ProtocolAgent } from '../../scripts/src/fleet/index.js';
import { launchChromium, requireBuiltWebApp, WEB_DIST } from './browser-support.js';

/**
 * A newcomer's first minutes in Chromium: the overview opened while `--demo` is still building its
 * school board, and an empty console whose first device enrolls while the overview is open. Neither
 * page is reloaded: what they show arrives over the live push (Server-Sent Events).
 * Needs the built bins and web app (npm run build) and /usr/bin/chromium.
 */
const ADMIN_PASSWORD = 'eerste-start-wachtwoord-123';

let browser: Browser;

beforeAll(async () => {
  requireBuiltWebApp();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

async function loggedIn(url: string, navLink?: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${url}/`);
  await page.getByLabel('Gebruikersnaam').fill('admin');
  await page.getByLabel('Wachtwoord').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByTestId('who').waitFor();
  if (navLink) await page.getByRole('link', { name: navLink, exact: true }).click();
  // a mark that a reload would wipe
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  return page;
}

const notReloaded = (page: Page) =>
  page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

describe('the overview right after `sluimer-console --demo`', () => {
  let proc: ConsoleProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-first-run-'));
    proc = await startConsoleProcess({
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      args: ['--demo'],
      logLevel: 'info',
    });
  });
  afterAll(async () => {
    await proc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills the overview opened at once, without a reload, and announces the address when ready', async () => {
    // opened as soon as the console answers: the demo board is still being built
    const page = await loggedIn(proc.url);
    await page.locator('main.overview').waitFor();
    expect(proc.output()).toContain('de demo wordt klaargezet');
    expect(proc.output()).not.toContain('Sluimer staat klaar');
    // the figures arrive by themselves: euros wasted this week, and the top wasters by name
    await page.getByTestId('top-wasters').locator('tbody tr').first().waitFor({ timeout: 120_000 });
    await expect
      .poll(
        async () => {
          const eur = (await page.getByTestId('tile-eur').locator('.tile-value').textContent()) ?? '';
          return Number(eur.replace(/[^\d,]/g, '').replace(',', '.'));
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    await expect(page.getByTestId('empty-overview').count()).resolves.toBe(0);
    expect(await notReloaded(page)).toBe(true);
    await page.context().close();

    // the address is announced once the demo is there, after the demo's own lines
    await expect
      .poll(() => proc.output().includes('Sluimer staat klaar'), { timeout: 60_000, interval: 200 })
      .toBe(true);
    const out = proc.output();
    expect(out.indexOf('Sluimer staat klaar')).toBeGreaterThan(out.indexOf('demo: klaar in'));
  }, 200_000);
});

describe('an empty console', () => {
  let app: RunningConsole;
  let dataDir: string;
  const agents: ProtocolAgent[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-first-device-'));
    app = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      webDist: WEB_DIST,
    });
  });
  afterAll(async () => {
    for (const a of agents) await a.close().catch(() => {});
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the first enrolled device on the open overview and device list, without a reload', async () => {
    const overview = await loggedIn(app.url);
    await overview.getByTestId('empty-overview').waitFor();
    const devices = await loggedIn(app.url, 'Apparaten');
    await devices.getByTestId('empty-devices').waitFor();

    // IT follows the empty state's steps: a school, an enrollment secret, an enrolled agent
    const api = new ConsoleClient(app.url);
    await api.login('admin', ADMIN_PASSWORD);
    const groupId = idOf(
      await api.post('/api/v1/groups', { name: 'De Linde', kind: 'school', timeZone: 'Europe/Amsterdam' }),
    );
    const { secret } = await api.post<{ secret: string }>(`/api/v1/groups/${groupId}/enroll-secrets`, {});
    const inventory = { os: 'windows' as const, chassisType: 'Notebook', battery: { hasBattery: true } };
    const { deviceToken } = await enrollDevice(app.url, {
      enrollSecret: secret,
      installId: 'first-device-install-0001',
      hostname: 'LINDE-LAPTOP-01',
      inventory,
    });

    // enrolled, not yet connected: both pages leave their empty state
    await devices.getByTestId('devices-table').getByText('LINDE-LAPTOP-01').waitFor({ timeout: 15_000 });
    await overview.getByTestId('tiles').waitFor({ timeout: 15_000 });
    await expect(overview.getByTestId('empty-overview').count()).resolves.toBe(0);

    // its first measurements show up among the top wasters
    const agent = new ProtocolAgent({ server: app.url, deviceToken, inventory });
    agents.push(agent);
    await agent.connect();
    const end = Date.now();
    await agent.report([
      { start: end - 20 * 60_000, end: end - 10 * 60_000, state: 'active', display: 'on', power: 'ac' },
      { start: end - 10 * 60_000, end, state: 'idle', display: 'on', power: 'ac' },
    ]);
    await overview.getByTestId('top-wasters').getByText('LINDE-LAPTOP-01').waitFor({ timeout: 20_000 });
    expect(await notReloaded(overview)).toBe(true);
    expect(await notReloaded(devices)).toBe(true);
    await overview.context().close();
    await devices.context().close();
  }, 90_000);

  it("fills a new device's empty timeline as its first measurements arrive, without a reload", async () => {
    const api = new ConsoleClient(app.url);
    await api.login('admin', ADMIN_PASSWORD);
    const groupId = idOf(
      await api.post('/api/v1/groups', { name: 'De Es', kind: 'school', timeZone: 'Europe/Amsterdam' }),
    );
    const { secret } = await api.post<{ secret: string }>(`/api/v1/groups/${groupId}/enroll-secrets`, {});
    const inventory = { os: 'linux' as const, chassisType: 'Desktop', battery: { hasBattery: false } };
    const { deviceId, deviceToken } = await enrollDevice(app.url, {
      enrollSecret: secret,
      installId: 'first-timeline-install-0001',
      hostname: 'ES-PC-01',
      inventory,
    });
    const page = await loggedIn(app.url);
    await page.evaluate((id) => {
      history.pushState(null, '', `/devices/${id}`);
      dispatchEvent(new PopStateEvent('popstate'));
    }, deviceId);
    const timeline = page.getByTestId('timeline-24h');
    await timeline.locator('p.empty').waitFor();

    const agent = new ProtocolAgent({ server: app.url, deviceToken, inventory });
    agents.push(agent);
    await agent.connect();
    const end = Date.now();
    await agent.report([{ start: end - 30 * 60_000, end, state: 'idle', display: 'on', power: 'ac' }]);
    await timeline.locator('canvas').first().waitFor({ timeout: 20_000 });
    await expect(timeline.locator('p.empty').count()).resolves.toBe(0);
    expect(await notReloaded(page)).toBe(true);
    await page.context().close();
  }, 60_000);

  it('warns that install commands with a loopback address cannot reach the console from a device', async () => {
    const page = await loggedIn(app.url, 'Scholen en lokalen');
    await page.getByRole('button', { name: 'De Linde' }).click();
    await page.getByRole('button', { name: 'Nieuwe aanmeldcode' }).click();
    await page.getByTestId('fresh-secret').waitFor();
    await expect(page.getByTestId('install-address-warning').textContent()).resolves.toContain(
      'SLUIMER_PUBLIC_URL',
    );
    await expect(page.getByTestId('install-linux').textContent()).resolves.toContain(app.url);
    await page.context().close();
  }, 60_000);
});

describe('a console with SLUIMER_PUBLIC_URL', () => {
  it('puts that address in the install commands, not the one the browser used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-public-url-'));
    const app = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      webDist: WEB_DIST,
      publicUrl: 'https://sluimer.school.nl/',
    });
    try {
      const api = new ConsoleClient(app.url);
      await api.login('admin', ADMIN_PASSWORD);
      await api.post('/api/v1/groups', { name: 'Het Baken', kind: 'school', timeZone: 'Europe/Amsterdam' });
      const page = await loggedIn(app.url, 'Scholen en lokalen');
      await page.getByRole('button', { name: 'Het Baken' }).click();
      await page.getByRole('button', { name: 'Nieuwe aanmeldcode' }).click();
      await page.getByTestId('fresh-secret').waitFor();
      for (const os of ['windows', 'macos', 'linux']) {
        const cmd = (await page.getByTestId(`install-${os}`).textContent()) ?? '';
        expect(cmd).toContain('https://sluimer.school.nl');
        expect(cmd).not.toContain('127.0.0.1');
      }
      await expect(page.getByTestId('install-address-warning').count()).resolves.toBe(0);
      await page.context().close();
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('one truth per device, in the browser', () => {
  it('shows the same state and policy status in the list and on the device page, live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluimer-one-truth-'));
    const app = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      webDist: WEB_DIST,
    });
    const inventory = { os: 'windows' as const, chassisType: 'Notebook', battery: { hasBattery: true } };
    let agent: ProtocolAgent | undefined;
    try {
      const api = new ConsoleClient(app.url);
      await api.login('admin', ADMIN_PASSWORD);
      const groupId = idOf(
        await api.post('/api/v1/groups', { name: 'Het Baken', kind: 'school', timeZone: 'Europe/Amsterdam' }),
      );
      const { secret } = await api.post<{ secret: string }>(`/api/v1/groups/${groupId}/enroll-secrets`, {});
      const { deviceId, deviceToken } = await enrollDevice(app.url, {
        enrollSecret: secret,
        installId: 'one-truth-install-0001',
        hostname: 'BAKEN-PC-07',
        inventory,
      });
      agent = new ProtocolAgent({ server: app.url, deviceToken, inventory });
      await agent.connect();
      await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      await agent.report([{ start: t0 - 3600_000, end: t0, state: 'active', display: 'on', power: 'ac' }]);

      const page = await loggedIn(app.url, 'Apparaten');
      const row = page.getByTestId('devices-table').locator('tr', { hasText: 'BAKEN-PC-07' });
      await row.waitFor();
      await expect(row.locator('.badge.state-online').textContent()).resolves.toBe('Verbonden');
      await expect(row.locator('.badge.comp-none').textContent()).resolves.toBe('Geen energiebeleid');
      await row.getByRole('link', { name: 'BAKEN-PC-07' }).click();
      const head = page.locator('.page-head');
      await head.locator('.badge.state-online').waitFor();
      // the agent acknowledged the console default: still no energy policy on the device page
      await expect(head.locator('.badge.comp-none').textContent()).resolves.toBe('Geen energiebeleid');

      // switched off while its socket was open: the page follows by itself
      const t1 = Date.now();
      await agent.report([{ start: t0, end: t1, state: 'off', display: 'off', power: 'ac' }]);
      await head.locator('.badge.state-off').waitFor({ timeout: 15_000 });
      await expect(head.locator('.badge.state-off').textContent()).resolves.toBe('Uit');
      const detail = await api.get<{ state: string }>(`/api/v1/devices/${deviceId}`);
      expect(detail.state).toBe('off');
      await page
        .getByRole('link', { name: /Terug|apparaten/i })
        .first()
        .click();
      const again = page.getByTestId('devices-table').locator('tr', { hasText: 'BAKEN-PC-07' });
      await again.locator('.badge.state-off').waitFor({ timeout: 15_000 });
      await expect(again.locator('.badge.state-off').textContent()).resolves.toBe('Uit');
      expect(await notReloaded(page)).toBe(true);
      await page.context().close();
    } finally {
      await agent?.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
