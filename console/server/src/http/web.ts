import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { ErrorCode } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
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
    if (_request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}

/**
 * Serves console/web/dist at / with a single-page-app fallback (index.html for every non-/api path),
 * or a short Dutch page when the web app has not been built.
 */
export async function installWeb(app: FastifyInstance, webDist: string): Promise<void> {
  const built = existsSync(join(webDist, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { config: { access: 'public' } }, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE),
    );
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path === '/api' || !['GET', 'HEAD'].includes(request.method)) {
      return reply
        .code(404)
        .send(errorBody(ErrorCode.NotFound, `no API endpoint ${request.method} ${path}; see docs/api.md`));
    }
    if (built) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return reply.code(404).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
  });
}
