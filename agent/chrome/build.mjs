// Builds the Chrome extension: agent/chrome/dist/unpacked (load with chrome://extensions → "Load
// unpacked", or force-install) and agent/chrome/dist/sluimer-chrome.zip (upload to the Chrome Web
// Store or a self-hosted update URL). The service worker is one ES module with the core's rules,
// @sluimer/shared and zod bundled in. No network.
// Usage: node agent/chrome/build.mjs [outDir] [--test-hooks]
// --test-hooks builds a TEST-ONLY copy that reads its policy from chrome.storage.local ("testPolicy")
// when Google Admin set none; the release build never contains that code.
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { build } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const agentPkg = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8'));

export async function buildExtension(outDir = path.join(here, 'dist'), { testHooks = false } = {}) {
  const unpacked = path.join(outDir, 'unpacked');
  rmSync(outDir, { recursive: true, force: true });
  const bundle = (entry, emptyOutDir) =>
    build({
      configFile: false,
      logLevel: 'warn',
      resolve: {
        alias: {
          '@sluimer/shared': path.resolve(here, '../../shared/src/index.ts'),
          '@sluimer/agent/core': path.resolve(here, '../src/core/index.ts'),
        },
      },
      define: { __SLUIMER_TEST_HOOKS__: JSON.stringify(testHooks) },
      build: {
        outDir: unpacked,
        emptyOutDir,
        target: 'chrome120',
        minify: true,
        sourcemap: false,
        rollupOptions: {
          input: { [entry]: path.join(here, `src/${entry}.ts`) },
          // shared/src is pure modules: what the worker does not use is dropped
          treeshake: {
            moduleSideEffects: (id) => !id.includes(`${path.sep}shared${path.sep}src${path.sep}`),
          },
          output: { format: 'es', entryFileNames: '[name].js', codeSplitting: false },
        },
      },
    });
  // the service worker, and the offscreen document that reads the battery (workers have no getBattery)
  await bundle('background', true);
  await bundle('offscreen', false);
  writeFileSync(
    path.join(unpacked, 'offscreen.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<title>Sluimer</title>\n<script type="module" src="offscreen.js"></script>\n',
  );
  const manifest = JSON.parse(readFileSync(path.join(here, 'manifest.json'), 'utf8'));
  manifest.version = agentPkg.version;
  writeFileSync(path.join(unpacked, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(path.join(here, 'schema.json'), path.join(unpacked, 'schema.json'));
  copyFileSync(path.join(here, '..', 'tray', 'assets', 'tray-ok@2x.png'), path.join(unpacked, 'icon.png'));
  const zip = path.join(outDir, 'sluimer-chrome.zip');
  writeFileSync(zip, zipFolder(unpacked));
  return { unpacked, zip };
}

/** A plain zip (deflate, no directories entries needed) of every file under `dir`. */
function zipFolder(dir) {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(path.relative(dir, file).split(path.sep).join('/'));
    const data = readFileSync(file);
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10); // time and date fixed (1980-01-01), so equal inputs give an equal zip
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirArg = args.find((a) => !a.startsWith('--'));
  const out = await buildExtension(dirArg ? path.resolve(dirArg) : undefined, {
    testHooks: args.includes('--test-hooks'),
  });
  console.log(
    `chrome extension built in ${path.relative(process.cwd(), out.unpacked) || '.'} and ${path.relative(process.cwd(), out.zip)}`,
  );
}
