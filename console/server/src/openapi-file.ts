import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApiFor } from './http/contract.js';
import { startConsole } from './index.js';

/**
 * The OpenAPI document exactly as `GET /api/v1/openapi.json` serves it: a throwaway console (its own
 * temporary database, loopback, no web app) registers every route with its declared access, and the
 * document is made from those routes as the route makes it. `npm run openapi` writes it to docs/openapi.json; the drift test
 * (http/openapi.test.ts) fails when that file and the served document differ.
 */
export async function generateOpenApi(): Promise<object> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-openapi-'));
  const c = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    webDist: join(dataDir, 'no-web'),
  });
  try {
    return openApiFor(c.routes);
  } finally {
    await c.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** the text of docs/openapi.json: two-space JSON and a final newline */
export const openApiText = (doc: object) => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const target = resolve(process.argv[2] ?? 'docs/openapi.json');
  writeFileSync(target, openApiText(await generateOpenApi()));
  console.log(`wrote ${target}`);
}
