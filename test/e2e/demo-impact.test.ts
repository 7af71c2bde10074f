import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_IMPACT_HISTORY,
  DEMO_IMPACT_RETENTION_DAYS,
  measureDemoImpact,
} from '../../bench/src/demo-impact.js';
import { dateDemoPolicyHistory } from '../../console/server/src/impact/demo-history.js';
import { type RunningConsole, startConsole } from '../../console/server/src/index.js';
import { startDemo } from '../../scripts/src/demo.js';
import { ConsoleClient } from '../../scripts/src/fleet/index.js';

/**
 * The figure of issue 10 on the demo board itself (docs/impact.md, "The figure on the demo board"):
 * the whole 300-device demo board seeded through the real API and agent WebSocket, its enforcing
 * schools audit only for five weeks and then on the recommended policy for two. The console's own
 * what-if over the audit-only weeks and its own before/after (Besparing) must agree within 10 %.
 * `npm run bench:impact` prints the same figures for docs/benchmarks.md.
 */
const PASSWORD = 'demo-impact-wachtwoord';
let running: RunningConsole | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await running?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo board proves its impact', () => {
  it('predicts with the what-if over the audit-only weeks what before/after then measures, within 10 %', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-demo-impact-'));
    running = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminPassword: PASSWORD,
      logLevel: 'silent',
    });
    const api = new ConsoleClient(running.url);
    await api.login('admin', PASSWORD);
    await api.put('/api/v1/settings', { rawRetentionDays: DEMO_IMPACT_RETENTION_DAYS });
    const seededFrom = Date.now();
    const demo = await startDemo({
      url: running.url,
      username: 'admin',
      password: PASSWORD,
      ...DEMO_IMPACT_HISTORY,
      live: false,
    });
    await demo.stop();
    const summary = demo.summary!;
    expect(summary.rejected).toBe(0);
    // as `sluimer-console --demo` does: the seeded policy history belongs to the simulated past
    await dateDemoPolicyHistory(running.store, { ...summary, seededFrom });

    const impact = await measureDemoImpact(api, summary);
    console.log(JSON.stringify(impact));
    expect(impact.weeks.length).toBeGreaterThanOrEqual(3);
    expect(impact.devices).toBeGreaterThan(150);
    for (const side of ['before', 'after'] as const) {
      expect(impact.deviceDays.school_day[side]).toBeGreaterThan(500);
      expect(impact.deviceDays.weekend[side]).toBeGreaterThan(200);
    }
    expect(impact.measuredKwhPerDeviceWeek).toBeGreaterThan(0);
    expect(impact.shareRemovedMeasured).toBeGreaterThan(0);
    expect(impact.shareRemovedMeasured).toBeLessThan(1);
    if (impact.limitations.includes('blocker_history_not_recorded')) {
      // the console keeps no blocker history yet, so the what-if counts the waste of devices held
      // awake as avoidable and predicts too much; with the simulated blockers known it must agree
      expect(impact.blockersKnown.devices).toBeGreaterThan(0);
      expect(impact.predictedKwhPerDeviceWeek).toBeGreaterThan(impact.measuredKwhPerDeviceWeek);
      expect(impact.blockersKnown.difference).toBeLessThanOrEqual(0.1);
    } else {
      expect(impact.difference).toBeLessThanOrEqual(0.1);
    }
  }, 600_000);
});
