import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDemo } from '@sluimer/scripts/demo';
import { ConsoleClient, percentile } from '@sluimer/scripts/fleet';
import { DAY_MS } from '@sluimer/shared';
import { launchChromium, measuringAdminPage } from './chromium.js';
import { startConsoleProcess } from './proc.js';

/**
 * `node bench/dist/web-overview-bench.js`: how long the web app's overview takes to show
 * a school year for a fleet. The console runs as its own process with the built web app; the demo
 * simulator seeds `--devices` devices with history since 1 August (the Dutch school year) through
 * the real API and agent WebSocket; Debian's Chromium opens the overview and switches the period
 * to "Dit schooljaar" `--runs` times. Reported: time from the click until the tiles, the charts
 * and the heatmap are drawn, and the five usage requests behind it.
 */
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    days: { type: 'string' },
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    out: { type: 'string' },
  },
});

const log = (msg: string) =>
  process.stderr.write(`[web-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const r1 = (n: number) => Math.round(n * 10) / 10;

function schoolYearDays(now: number): number {
  const d = new Date(now);
  const year = d.getUTCMonth() >= 7 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
  return Math.ceil((now - Date.UTC(year, 7, 1)) / DAY_MS) + 1;
}

async function main() {
  const devices = Number(args.devices);
  const days = args.days ? Number(args.days) : schoolYearDays(Date.now());
  const runs = Number(args.runs);
  const password = 'bench-admin-password';
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-web-bench-'));
  const consoleProc = await startConsoleProcess({ dataDir, adminPassword: password, timeoutMs: 60_000 });
  const results: Record<string, unknown> = { devices, days, runs };
  try {
    const api = new ConsoleClient(consoleProc.url);
    await api.login('admin', password);
    // keep raw intervals for the whole school year, or the history would be refused as too old
    await api.put('/api/v1/settings', { rawRetentionDays: Math.max(30, days + 5) });
    log(`seeding ${devices} devices × ${days} days through the demo simulator`);
    const t0 = performance.now();
    const demo = await startDemo({
      url: consoleProc.url,
      username: 'admin',
      password,
      deviceCount: devices,
      historyDays: days,
      live: false,
      log,
    });
    await demo.stop();
    results.seed = {
      seconds: r1((performance.now() - t0) / 1000),
      intervals: demo.summary?.intervals,
      reports: demo.summary?.reports,
    };
    log(`seeded: ${JSON.stringify(results.seed)}`);

    const browser = await launchChromium(args.chromium);
    try {
      const page = await measuringAdminPage(browser, consoleProc.url, password);
      const totals: number[] = [];
      const slowestRequest: number[] = [];
      const perGroupBy: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        await page.goto(`${consoleProc.url}/`);
        await page.locator('main.overview[data-ready="true"]').waitFor({ timeout: 120_000 });
        await page.evaluate(() => performance.clearResourceTimings());
        const start = await page.evaluate(() => performance.now());
        await page.getByRole('button', { name: 'Dit schooljaar' }).click();
        // ready: the school-year data is in and every chart has drawn its canvas
        // (browser code as strings: this package is type-checked without the DOM library)
        await page.waitForFunction(
          `(() => {
            const main = document.querySelector('main.overview');
            if (!main || main.getAttribute('data-ready') !== 'true') return false;
            const days = (Number(main.getAttribute('data-to')) - Number(main.getAttribute('data-from'))) / 86400000;
            return days > 8 && document.querySelectorAll('main.overview canvas').length >= 4;
          })()`,
          undefined,
          { timeout: 300_000, polling: 'raf' },
        );
        // one more frame so the charts' first paint is counted
        const timing = (await page.evaluate(`new Promise((resolve) => requestAnimationFrame(() => resolve({
            total: performance.now() - ${start},
            requests: performance.getEntriesByType('resource')
              .filter((e) => e.name.includes('/api/v1/usage')).map((e) => e.duration),
            byGroup: Object.fromEntries(performance.getEntriesByType('resource')
              .filter((e) => e.name.includes('/api/v1/usage'))
              .map((e) => [new URL(e.name).searchParams.get('groupBy'), Math.round(e.duration)])),
          })))`)) as { total: number; requests: number[]; byGroup: Record<string, number> };
        totals.push(timing.total);
        slowestRequest.push(Math.max(0, ...timing.requests));
        perGroupBy.push(timing.byGroup);
        log(
          `run ${i + 1}: ${r1(timing.total)} ms (slowest usage request ${r1(Math.max(0, ...timing.requests))} ms; ${JSON.stringify(timing.byGroup)})`,
        );
      }
      results.overviewSchoolYear = {
        medianMs: r1(percentile(totals, 50)),
        maxMs: r1(Math.max(...totals)),
        slowestUsageRequestMedianMs: r1(percentile(slowestRequest, 50)),
        /** the five usage requests run in parallel; a request's time includes waiting for the others */
        usageRequestMedianMs: Object.fromEntries(
          Object.keys(perGroupBy[0] ?? {}).map((k) => [
            k,
            r1(
              percentile(
                perGroupBy.map((p) => p[k] ?? 0),
                50,
              ),
            ),
          ]),
        ),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await consoleProc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const json = JSON.stringify(results, null, 2);
  process.stdout.write(`${json}\n`);
  if (args.out) writeFileSync(args.out, json);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
