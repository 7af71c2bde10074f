#!/usr/bin/env node
import { readdirSync, statSync } from 'node:fs';

// The service runs for days on every school device, so it starts from the lean bundle
// (dist/bundle/cli.mjs: tree-shaken, minified, made by `node agent/build.mjs`), about 14 MB less RSS
// than the ~80 modules tsc writes. The bundle is only used when it is newer than every file tsc wrote
// (agent and shared), so a stale bundle never runs code older than the source; SLUIMER_AGENT_BUNDLE=0
// forces the tsc output.
const dist = new URL('../dist/', import.meta.url);
const bundle = new URL('bundle/cli.mjs', dist);

function newestJs(dir, skip) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (e.name !== skip) newest = Math.max(newest, newestJs(new URL(`${e.name}/`, dir), skip));
    } else if (e.name.endsWith('.js')) {
      newest = Math.max(newest, statSync(new URL(e.name, dir)).mtimeMs);
    }
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.SLUIMER_AGENT_BUNDLE === '0') return false;
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const shared = new URL('../../shared/dist/', import.meta.url);
  return built >= newestJs(dist, 'bundle') && built >= newestJs(shared, 'bundle');
}

const { main } = await import(bundleIsFresh() ? bundle.href : new URL('cli.js', dist).href);

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
