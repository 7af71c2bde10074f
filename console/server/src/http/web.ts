import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isWebAppPath, matchedRoute, notFoundPath, rawPathOf } from './canonical-path.js';
import { errorBody } from './errors.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Sluimer console</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Sluimer console</h1>
<p>De console draait, maar de webapp is nog niet gebouwd. Voer <code>npm run build</code> uit in de map
van Sluimer en start de console opnieuw. De API werkt al: <code>/api/v1</code>.</p>
<p lang="en">The console is running, but the web app has not been built yet. Run <code>npm run build</code>
in the Sluimer folder and start the console again. The API already works at <code>/api/v1</code>.</p>
</body>
</html>
`;

/** Security headers on every answer. */
export function installSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    if (tls) reply.header('Strict-Transport-Security', 'max-age=31536000');
    // API answers and every error or 404 are never cached; the web app's files may be
    const route = matchedRoute(_request);
    if (!route || route.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}

/**
 * Serves console/web/dist at / with a single-page-app fallback (index.html for plain non-/api paths),
 * or a short Dutch page when the web app has not been built. Each file is its own public route
 * (declared like every other route), so nothing is served that the route table does not list.
 */
export async function installWeb(app: FastifyInstance, webDist: string): Promise<void> {
  const built = existsSync(join(webDist, 'index.html'));
  const web = { config: { access: 'public' } } as const;
  if (built) {
    // only the reply.sendFile decorator; the routes are declared below
    await app.register(fastifyStatic, { root: webDist, serve: false });
    const files = readdirSync(webDist, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(webDist, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((f) => /^[A-Za-z0-9._~/-]+$/.test(f) && !f.split('/').some((s) => s.startsWith('.')))
      .sort();
    for (const file of files) app.get(`/${file}`, web, async (_req, reply) => reply.sendFile(file));
    app.get('/', web, async (_req, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', web, async (_req, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE));
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = rawPathOf(request.raw.url);
    if (!['GET', 'HEAD'].includes(request.method) || !isWebAppPath(path)) {
      const err = notFoundPath(request.method, path);
      return reply.code(404).send(errorBody(err.code, err.message));
    }
    if (built) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return reply.code(404).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
  });
}
