import { SettingsSchema, SettingsUpdateRequestSchema } from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { ADMIN } from './auth.js';
import type { RouteContext } from './context.js';
import { parse } from './errors.js';

/** The console-wide settings (admin only). */
export function registerSettingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  app.get('/api/v1/settings', { config: { access: ADMIN } }, async () => store.getSettings());

  app.put('/api/v1/settings', { config: { access: ADMIN } }, async (request) => {
    const body = parse(SettingsUpdateRequestSchema, request.body, 'settings');
    const merged = parse(SettingsSchema, { ...(await store.getSettings()), ...body }, 'settings');
    return store.putSettings(merged);
  });
}
