// Starts the built console (console/server/dist) in its own process, so a test can measure its memory,
// kill it, or restart it on the same data folder. Options come as JSON in argv[2]; the first line on
// stdout is JSON: {"url","port","pid"}. SIGTERM closes it cleanly; SIGKILL is a crash.

import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startConsole } from '../../console/server/dist/index.js';

const { statsFile, ...opts } = JSON.parse(process.argv[2] ?? '{}');
if (statsFile) {
  // event-loop delay and memory, written every 250 ms for the test to read
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let peakRss = 0;
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const s = { maxLagMs: Math.round(h.max / 1e6), p99LagMs: Math.round(h.percentile(99) / 1e6), peakRss };
    writeFileSync(statsFile, JSON.stringify(s));
  }, 250).unref();
}
const c = await startConsole({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...opts });
process.stdout.write(`${JSON.stringify({ url: c.url, port: c.port, pid: process.pid })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
