#!/usr/bin/env node
import { main } from '../server/dist/cli.js';

// files the console makes (database, backups) are for its own account only: 0600, folders 0700
process.umask(0o077);

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
