import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium as launchDebianChromium } from '../../bench/src/chromium.js';
import { dateDemoPolicyHistory } from '../../console/server/src/impact/demo-history.js';
import { type RunningConsole, startConsole } from '../../console/server/src/index.js';
import { startDemo } from '../../scripts/src/demo.js';
import { ConsoleClient } from '../../scripts/src/fleet/index.js';

/** What the browser tests share: Debian's Chromium, the built web app and a console with a demo board. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_DIST = join(ROOT, 'console/web/dist');
export const CHROMIUM = '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
export const ADMIN_PASSWORD = 'admin-wachtwoord-123';
export const USERS = {
  admin: { username: 'admin', password: ADMIN_PASSWORD },
  it: { username: 'ict', password: 'ict-wachtwoord-123' },
  viewer: { username: 'directie', password: 'lezen-wachtwoord-123' },
} as const;

/** Fails with the command that fixes it when the web app has not been built. */
export function requireBuiltWebApp(): void {
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error('console/web/dist is missing: run `npm run build` first');
  }
}

/** Debian's Chromium, headless, with the flags this machine needs (the benchmarks' launcher). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium missing: apt-get install -y chromium');
  return launchDebianChromium(CHROMIUM);
}

/** A fresh page in its own context (Dutch, Amsterdam time); any error in the page fails the test. */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

/** A fresh page signed in through the login form as one of the demo board's users. */
export async function signedInPage(
  browser: Browser,
  consoleUrl: string,
  who: keyof typeof USERS,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Page> {
  const page = await newPage(browser, viewport);
  await page.goto(`${consoleUrl}/`);
  await page.getByLabel('Gebruikersnaam').fill(USERS[who].username);
  await page.getByLabel('Wachtwoord').fill(USERS[who].password);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  // at phone width the account link sits in the collapsed menu: present, not visible
  await page.getByTestId('who').waitFor({ state: 'attached' });
  return page;
}

export interface DemoConsole {
  consoleApp: RunningConsole;
  /** logged in as admin */
  api: ConsoleClient;
  close(): Promise<void>;
}

/**
 * The real console on port 0 in a temp folder, seeded with a demo board (history only, no live
 * agents) and the `it` and `viewer` users of USERS.
 */
export async function startDemoConsole(o: {
  deviceCount: number;
  dirPrefix: string;
  historyDays?: number;
}): Promise<DemoConsole> {
  requireBuiltWebApp();
  const dataDir = mkdtempSync(join(tmpdir(), o.dirPrefix));
  const consoleApp = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'silent',
    webDist: WEB_DIST,
  });
  const seededFrom = Date.now();
  const demo = await startDemo({
    url: consoleApp.url,
    username: 'admin',
    password: ADMIN_PASSWORD,
    deviceCount: o.deviceCount,
    historyDays: o.historyDays ?? 10,
    live: false,
    batteryHistory: (deviceId, readings) => consoleApp.store.addBatteryHistory(deviceId, readings),
  });
  // as `sluimer-console --demo` does: the seeded policy history belongs to the simulated past
  if (demo.summary) await dateDemoPolicyHistory(consoleApp.store, { ...demo.summary, seededFrom });
  const api = new ConsoleClient(consoleApp.url);
  await api.login('admin', ADMIN_PASSWORD);
  await api.post('/api/v1/users', { ...USERS.it, role: 'it' });
  await api.post('/api/v1/users', { ...USERS.viewer, role: 'viewer' });
  return {
    consoleApp,
    api,
    close: async () => {
      await demo.stop().catch(() => {});
      await consoleApp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
