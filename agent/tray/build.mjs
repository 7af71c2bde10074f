// Builds the tray: the popover (React, Vite) into dist/renderer, the main process into dist/main.js
// (ESM, everything bundled but electron and node built-ins), the preload into dist/preload.cjs
// (CommonJS: sandboxed preloads cannot be ES modules) and the service into dist/service.mjs (run by
// the installed app binary with ELECTRON_RUN_AS_NODE=1). Usage: node agent/tray/build.mjs [outDir]
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(here, '../../shared/src/index.ts');
const external = ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export async function buildTray(
  outDir = path.join(here, 'dist'),
  parts = ['renderer', 'main', 'preload', 'service'],
) {
  const common = {
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { '@sluimer/shared': shared } },
  };
  if (parts.includes('renderer')) {
    await build({
      ...common,
      root: path.join(here, 'renderer'),
      base: './',
      plugins: [react()],
      build: {
        outDir: path.join(outDir, 'renderer'),
        emptyOutDir: true,
        sourcemap: false,
        target: 'chrome120',
      },
    });
  }
  if (parts.includes('main')) {
    await build({
      ...common,
      build: {
        outDir,
        emptyOutDir: false,
        ssr: true,
        target: 'node20',
        rollupOptions: {
          input: { main: path.join(here, 'src/main.ts') },
          external,
          output: { format: 'es', entryFileNames: '[name].js', codeSplitting: false },
        },
      },
      ssr: { noExternal: true },
    });
  }
  if (parts.includes('preload')) {
    await build({
      ...common,
      build: {
        outDir,
        emptyOutDir: false,
        ssr: true,
        target: 'node20',
        rollupOptions: {
          input: { preload: path.join(here, 'src/preload.ts') },
          external,
          output: { format: 'cjs', entryFileNames: '[name].cjs' },
        },
      },
      ssr: { noExternal: true },
    });
  }
  if (parts.includes('service')) {
    // the service for the installers: everything bundled except the native SQLite binding, minified
    // (less code for V8 to hold: docs/benchmarks.md "Agent footprint")
    await build({
      ...common,
      build: {
        outDir,
        emptyOutDir: false,
        ssr: true,
        target: 'node20',
        minify: true,
        rollupOptions: {
          input: { service: path.join(here, 'src/service.ts') },
          external: [...external, 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
          // like agent/build.mjs: shared/src is pure, so what the service does not use is dropped
          treeshake: {
            moduleSideEffects: (id) => !id.includes(`${path.sep}shared${path.sep}src${path.sep}`),
          },
          output: { format: 'es', entryFileNames: '[name].mjs', codeSplitting: false },
        },
      },
      ssr: { noExternal: true },
    });
  }
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildTray(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log('tray built');
}
