import { z } from 'zod';

/** `GET /api/v1/health` */
export const HealthSchema = z.object({
  ok: z.boolean(),
  /** agents connected to this console process */
  agentsOnline: z.number().int(),
  /** the address devices use (install commands); null when not configured */
  publicUrl: z.string().nullable(),
});
export type Health = z.infer<typeof HealthSchema>;

/** `GET /api/v1/openapi.json`: an OpenAPI 3.1 document (generated from the contract, openapi.ts) */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
