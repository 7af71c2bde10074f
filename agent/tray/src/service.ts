// Entry of the bundled service inside the packaged app: the installed Electron binary runs it as
// plain Node (ELECTRON_RUN_AS_NODE=1), so a device needs no separate Node.js. Same commands as
// `sluimer-agent` (run, doctor, inspect, restore).
import { main } from '../../src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
