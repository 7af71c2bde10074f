import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { parse } from './errors.js';

/**
 * Paging of list answers that are JSON arrays (docs/api.md "Paging"). The array shape stays as it was;
 * `?limit=` (at most `max`, `fallback` when absent) and `?after=<id>` select a page in id order, and a
 * truncated answer says where to go on in the `X-Next-Cursor` header (the id to pass as `after`; absent
 * on the last page). Every list answer is bounded this way, whatever the client asks.
 */
export interface PageQuery {
  limit: number;
  after: number;
}

export function pageQuery(query: unknown, fallback: number, max: number): PageQuery {
  const schema = z.object({
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    after: z.coerce.number().int().min(0).default(0),
  });
  const q = (query ?? {}) as Record<string, unknown>;
  return parse(schema, { limit: q.limit, after: q.after }, 'paging');
}

/** the page of `items` (any order in, id order out) after `q.after`, with the next-page headers set */
export function pageOf<T extends { id: number }>(
  items: readonly T[],
  q: PageQuery,
  reply: FastifyReply,
): T[] {
  const sorted = items.filter((x) => x.id > q.after).sort((a, b) => a.id - b.id);
  const page = sorted.slice(0, q.limit);
  if (sorted.length > q.limit) reply.header('X-Next-Cursor', String(page[page.length - 1]!.id));
  return page;
}
