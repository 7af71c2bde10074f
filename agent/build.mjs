// Builds the service's lean launch bundle: agent/dist/bundle/cli.mjs (+ lazily loaded chunks, one
// per `sluimer-agent` command and platform adapter), with @sluimer/shared, zod and ws bundled,
// tree-shaken and minified. better-sqlite3 stays external (native binding). bin/sluimer-agent.js
// runs this bundle when it is newer than the tsc output, else dist/cli.js (docs/benchmarks.md,
// "Agent footprint": fewer, smaller modules = less RSS). Usage: node agent/build.mjs [outDir]
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(here, '../shared/src/index.ts');
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'better-sqlite3',
  // ws' optional native helpers: absent is fine (ws falls back to JS)
  'bufferutil',
  'utf-8-validate',
];

export async function buildAgentBundle(outDir = path.join(here, 'dist', 'bundle')) {
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { '@sluimer/shared': shared } },
    build: {
      outDir,
      emptyOutDir: true,
      ssr: true,
      target: 'node20',
      minify: true,
      sourcemap: false,
      rollupOptions: {
        input: { cli: path.join(here, 'src/cli.ts') },
        external,
        // shared/src is a list of pure schema and helper modules: what the agent does not use
        // (the REST API schemas, the console's i18n) is dropped instead of evaluated at start
        treeshake: { moduleSideEffects: (id) => !id.includes(`${path.sep}shared${path.sep}src${path.sep}`) },
        output: {
          format: 'es',
          entryFileNames: '[name].mjs',
          chunkFileNames: '[name]-[hash].mjs',
        },
      },
    },
    ssr: { noExternal: true, target: 'node' },
  });
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAgentBundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`agent bundle built in ${path.relative(process.cwd(), out) || '.'}`);
}
