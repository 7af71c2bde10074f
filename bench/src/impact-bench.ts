import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dateDemoPolicyHistory, startConsole } from '@sluimer/console';
import { startDemo } from '@sluimer/scripts/demo';
import { ConsoleClient } from '@sluimer/scripts/fleet';
import { DEMO_IMPACT_HISTORY, DEMO_IMPACT_RETENTION_DAYS, measureDemoImpact } from './demo-impact.js';

/**
 * `npm run bench:impact`: the demo board's proof of impact (docs/impact.md, "The figure on the demo
 * board"). A console in this process on a temporary SQLite file; the demo simulator seeds the board
 * (`--devices`, default 300 as `--demo`) through the real API and agent WebSocket with 50 days of
 * history, its enforcing schools on the recommended policy for the last 14; then the console's own
 * what-if (over the plain audit-only school weeks) and its own before/after (Besparing) are compared
 * through the API (bench/src/demo-impact.ts). Not a timing: the figures depend on the day it runs
 * (which weeks are school weeks), not on the machine. Prints one JSON document; `--out FILE` writes it.
 */
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '300' },
    out: { type: 'string' },
  },
});

const log = (msg: string) =>
  process.stderr.write(`[impact-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main() {
  const password = 'bench-admin-password';
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-impact-bench-'));
  const running = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminPassword: password,
    logLevel: 'silent',
  });
  try {
    const api = new ConsoleClient(running.url);
    await api.login('admin', password);
    await api.put('/api/v1/settings', { rawRetentionDays: DEMO_IMPACT_RETENTION_DAYS });
    const seededFrom = Date.now();
    const t0 = performance.now();
    const demo = await startDemo({
      url: running.url,
      username: 'admin',
      password,
      deviceCount: Number(args.devices),
      ...DEMO_IMPACT_HISTORY,
      live: false,
      log,
    });
    await demo.stop();
    const summary = demo.summary;
    if (!summary) throw new Error('the demo seeded nothing');
    await dateDemoPolicyHistory(running.store, { ...summary, seededFrom });
    const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const impact = await measureDemoImpact(api, summary);
    const result = {
      benchmark: 'demo board: what-if vs measured before/after',
      ranAt: new Date().toISOString(),
      history: { ...DEMO_IMPACT_HISTORY, seedSeconds },
      ...impact,
      machine: { cpus: cpus().length, loadavg1: loadavg()[0], node: process.version },
    };
    const text = JSON.stringify(result, null, 2);
    process.stdout.write(`${text}\n`);
    if (args.out) writeFileSync(args.out, `${text}\n`);
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
