import { z } from 'zod';
import { DeviceStateSchema } from '../intervals.js';

/**
 * Shapes every route shares: the error body, the id in a path, the paging query of list answers.
 * Requests are described as they arrive (query values are strings, coerced); responses as sent.
 */

/** Error body of every failed API call (`{error:{code,message,details?}}`, codes in errors.ts). */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    /** a code a program can switch on (ErrorCode) */
    code: z.string(),
    /** for a person */
    message: z.string(),
    /** e.g. the failing fields of `validation_failed`: `[{path, message}]` */
    details: z.unknown().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** `/:id` in a path: a positive integer */
export const IdParamsSchema = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/**
 * Paging of list answers that are JSON arrays (docs/api.md "Paging"): `?limit=` (1..max, `fallback`
 * when absent) and `?after=<id>`; a truncated answer names the next `after` in `X-Next-Cursor`.
 */
export function pagingQuery(fallback: number, max: number) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    after: z.coerce.number().int().min(0).default(0),
  });
}

/** A time as the API takes it: ISO 8601 or epoch milliseconds (parseTimeParam). */
export const TimeParamSchema = z.string().min(1);

/** An interval as the console sends it back (already validated when it was stored). */
export const IntervalOutSchema = z.object({
  start: z.number(),
  end: z.number(),
  state: DeviceStateSchema,
  display: z.enum(['on', 'off']).optional(),
  power: z.enum(['ac', 'battery']).optional(),
});
