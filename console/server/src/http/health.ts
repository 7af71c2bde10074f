import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';

/** GET /api/v1/health: public liveness and the address devices use */
export function registerHealthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { gateway } = ctx;
  app.get('/api/v1/health', { config: { access: 'public' } }, async () => ({
    ok: true,
    agentsOnline: gateway.connectionCount,
    // the address devices use (install commands); null when not configured
    publicUrl: ctx.publicUrl ?? null,
  }));
}
