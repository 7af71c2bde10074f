import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  type DemoConsole,
  launchChromium,
  PHONE,
  signedInPage,
  startDemoConsole,
  type USERS,
} from './browser-support.js';

/**
 * Proof of impact in the browser: the policy editor's "Wat levert dit op?" panel recomputes as a
 * timeout changes, and Besparing renders at desktop and phone width. A demo board with 21 days of
 * history: its two enforcing schools got their policy 14 days ago, after a week of audit only.
 */
let board: DemoConsole;
let browser: Browser;

beforeAll(async () => {
  board = await startDemoConsole({ deviceCount: 24, dirPrefix: 'sluimer-impact-e2e-', historyDays: 21 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await board?.close();
});

function loggedIn(who: keyof typeof USERS, size = DESKTOP): Promise<Page> {
  return signedInPage(browser, board.consoleApp.url, who, size);
}

describe('Wat levert dit op?', () => {
  it('recomputes the saving as IT changes a timeout, before anything is saved', async () => {
    const page = await loggedIn('it');
    await page.goto(`${board.consoleApp.url}/policies`);
    await page.getByText('Sluimer-aanbeveling').first().click();
    const editor = page.getByTestId('policy-editor');
    const panel = editor.getByTestId('what-if');
    const eur = panel.getByTestId('what-if-eur');
    await eur.waitFor({ timeout: 20_000 });
    const first = await eur.textContent();
    expect(first).toMatch(/€/);
    await expect(panel.getByTestId('what-if-interruptions').textContent()).resolves.toMatch(
      /onderbrekingen|Geen schooldagen/,
    );

    // a much shorter sleep timeout on mains, in and outside school hours: more saving
    await editor.locator('input[name="sleepAfterSec.ac"]').fill('5');
    await editor.locator('input[name="outsideSchoolHours.sleepAfterSec.ac"]').fill('5');
    await expect.poll(async () => eur.textContent(), { timeout: 20_000 }).not.toBe(first);
    const euros = (s: string | null) => Number((s ?? '').replace(/[^\d,]/g, '').replace(',', '.'));
    expect(euros(await eur.textContent())).toBeGreaterThan(euros(first));
    // nothing was saved: the stored policy still has its 30 minutes
    const stored = (await board.api.get('/api/v1/policies')) as {
      items?: { name: string; settings: { sleepAfterSec?: { ac?: number } } }[];
    };
    const list = Array.isArray(stored) ? stored : (stored.items ?? []);
    expect(list.find((p) => p.name === 'Sluimer-aanbeveling')?.settings.sleepAfterSec?.ac).toBe(1800);
    await page.context().close();
  }, 90_000);
});

describe('Besparing', () => {
  for (const [name, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`shows per school the saving in euros, before → after and the trend, at ${name} width`, async () => {
      const page = await loggedIn('viewer', size);
      await page.goto(`${board.consoleApp.url}/savings`);
      await page.getByRole('heading', { name: 'Besparing', level: 1 }).waitFor();
      const schools = page.getByTestId('savings-school');
      await schools.first().waitFor({ timeout: 20_000 });
      expect(await schools.count()).toBe(3);
      const enforced = schools.filter({ hasText: 'Het Baken' });
      await expect(enforced.getByTestId('savings-per-year').textContent()).resolves.toMatch(/€/);
      await expect(enforced.textContent()).resolves.toContain('→');
      await enforced.locator('canvas').first().waitFor();
      // the audit-only school has no change to compare around, and says so
      await expect(schools.filter({ hasText: 'De Regenboog' }).textContent()).resolves.toContain(
        'nog geen beleidswijziging',
      );
      const sideways = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(sideways).toBeLessThanOrEqual(1);
      await page.context().close();
    }, 60_000);
  }
});
