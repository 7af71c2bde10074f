// Starts the built console (console/server/dist) in its own process, so a test can measure its memory,
// kill it, or restart it on the same data folder. Options come as JSON in argv[2]; the first line on
// stdout is JSON: {"url","port","pid"}. SIGTERM closes it cleanly; SIGKILL is a crash.
import { startConsole } from '../../console/server/dist/index.js';

const opts = JSON.parse(process.argv[2] ?? '{}');
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
