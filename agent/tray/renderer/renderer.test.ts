import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the one Chromium launcher of the benchmarks and browser tests (Debian's Chromium, this machine's flags)
import { launchChromium } from '../../../bench/src/chromium.js';
import type { TrayView } from '../src/api.js';

/**
 * The popover in a real browser: Debian's Chromium through playwright-core, the page built by Vite
 * and served from 127.0.0.1, with `window.sluimer` (the preload's API) replaced by a recording stub.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(
    `renderer tests need Chromium at ${CHROMIUM} (Debian package chromium, .ci/apt-packages.txt)`,
  );
}

const HOUR = 3_600_000;
const view: TrayView = {
  lang: 'nl',
  connected: true,
  page: 'week',
  state: {
    type: 'state',
    console: 'connected',
    mode: 'enforcing',
    noun: 'laptop',
    policyText: {
      nl: 'Deze laptop gaat na 15 minuten zonder gebruik in slaapstand; het scherm is op accu beperkt tot 70 %.',
      en: 'This laptop goes to sleep after 15 minutes without use; on battery the screen is limited to 70%.',
    },
    today: { onMs: 4 * HOUR, idleOnMs: HOUR / 2 },
    snooze: { allowed: true, minutes: 60, until: null },
    whyUrl: 'https://school.example/sluimer',
    weeks: [
      {
        scope: 'room',
        label: '2.14',
        thisWeek: { idleOnMs: 20 * HOUR, wasteKwh: 1.1, wasteEur: 0.28 },
        lastWeek: { idleOnMs: 50 * HOUR, wasteKwh: 4.3, wasteEur: 1.08 },
      },
      {
        scope: 'device',
        thisWeek: { idleOnMs: 6 * HOUR, wasteKwh: 0.2, wasteEur: 0.05 },
        lastWeek: { idleOnMs: 5 * HOUR, wasteKwh: 0.15, wasteEur: 0.04 },
      },
    ],
  },
};

describe.skipIf(!hasChromium)('tray popover in Chromium', { timeout: 60_000 }, () => {
  let outDir: string;
  let server: http.Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'slm-popover-'));
    // @ts-expect-error plain ESM build script without types
    const { buildTray } = await import('../build.mjs');
    await buildTray(outDir, ['renderer']);
    const root = path.join(outDir, 'renderer');
    server = http.createServer(async (req, res) => {
      const rel =
        decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
      const file = path.join(root, rel);
      if (!file.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        const type = file.endsWith('.js')
          ? 'text/javascript'
          : file.endsWith('.css')
            ? 'text/css'
            : 'text/html';
        res.writeHead(200, { 'content-type': type }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium(CHROMIUM);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await rm(outDir, { recursive: true, force: true });
  });

  /** Opens the popover with a stub API; `calls` records what the page asked the main process. */
  async function open(initial: TrayView, hash = '') {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.addInitScript((v: TrayView) => {
      const w = window as unknown as Record<string, unknown>;
      const calls: unknown[][] = [];
      let listener: ((v: TrayView) => void) | null = null;
      let current = v;
      w.__calls = calls;
      w.__push = (next: TrayView) => {
        current = next;
        listener?.(next);
      };
      w.sluimer = {
        getView: async () => current,
        onView: (l: (v: TrayView) => void) => {
          listener = l;
          return () => {
            listener = null;
          };
        },
        setLanguage: async (lang: string) => {
          calls.push(['setLanguage', lang]);
          current = { ...current, lang: lang as TrayView['lang'] };
          listener?.(current);
        },
        snooze: async () => {
          calls.push(['snooze']);
        },
        openWhyLink: async () => {
          calls.push(['openWhyLink']);
        },
        close: async () => {
          calls.push(['close']);
        },
      };
    }, initial);
    await page.goto(`${base}/index.html${hash}`);
    await page.waitForSelector('main.popover:not([aria-busy])');
    return {
      page,
      errors,
      calls: () => page.evaluate(() => (window as unknown as { __calls: unknown[][] }).__calls),
    };
  }

  const text = (page: Page) => page.locator('main').innerText();

  it("shows the room's and the device's week in Dutch, positive and with honest numbers", async () => {
    const { page, errors } = await open(view);
    const t = await text(page);
    expect(t).toContain('Deze week');
    expect(t).toContain('Lokaal 2.14');
    expect(t).toContain('Aan maar niet in gebruik');
    expect(t).toContain('20 uur');
    expect(t).toContain('Bespaard ten opzichte van vorige week');
    // 4.3 − 1.1 kWh = 3.2 kWh; € 1,08 − € 0,28 = € 0,80; 3200 Wh / 50 Wh = 64 charges
    expect(t).toContain('3,2 kWh (€ 0,80)');
    expect(t).toContain('Genoeg om een laptop ruim 64 keer op te laden.');
    expect(t).toContain('30 uur minder dan vorige week. Goed bezig.');
    // the device had a worse week: no blame, no "more than last week"
    const device = await page.locator('section[data-scope="device"]').innerText();
    expect(device).toContain('Deze laptop');
    expect(device).toContain('Elke keer dat je de slaapstand kiest, telt mee.');
    expect(device).not.toMatch(/meer dan vorige week|verspild/i);
    expect(t).not.toContain('!');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('switches to English through the API and back', async () => {
    const { page, calls } = await open(view);
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByText('This week').waitFor();
    const t = await text(page);
    expect(t).toContain('Room 2.14');
    expect(t).toContain('Saved compared with last week');
    expect(t).toContain('3.2 kWh (€0.80)');
    expect(t).toContain(view.state!.policyText.en);
    expect(await calls()).toEqual([['setLanguage', 'en']]);
    await page.close();
  });

  it('explains why the computer is managed and opens the school link only through the API', async () => {
    const { page, calls } = await open({ ...view, page: 'why' }, '#why');
    const t = await text(page);
    expect(t).toContain('Waarom wordt deze laptop beheerd?');
    expect(t).toContain('Sluimer kijkt niet mee');
    await page.getByRole('button', { name: 'Meer uitleg van je school' }).click();
    await page.getByRole('button', { name: 'Deze week bekijken' }).click();
    await page.getByText('Lokaal 2.14').waitFor();
    await page.getByRole('button', { name: 'Slaapstand 1 uur uitstellen' }).click();
    expect(await calls()).toEqual([['openWhyLink'], ['snooze']]);
    await page.close();
  });

  it('says calmly when the service is not reachable, and when there is no data yet', async () => {
    const { page } = await open({ ...view, connected: false, state: null });
    const t = await text(page);
    expect(t).toContain('Sluimer is even niet bereikbaar. Je kunt gewoon doorwerken.');
    expect(t).toContain('Nog geen gegevens van deze week.');
    expect(await page.getByRole('button', { name: /uitstellen/ }).count()).toBe(0);
    await page.close();
  });

  it('follows state pushed by the main process', async () => {
    const { page } = await open(view);
    await page.evaluate((v) => (window as unknown as { __push: (v: TrayView) => void }).__push(v), {
      ...view,
      state: { ...view.state!, snooze: { allowed: false, minutes: 60, until: null } },
    });
    await page.waitForFunction(() => !document.body.innerText.includes('uitstellen'));
    expect(await page.getByRole('button', { name: /uitstellen/ }).count()).toBe(0);
    await page.close();
  });
});
