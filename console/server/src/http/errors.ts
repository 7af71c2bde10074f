import { type ApiErrorBody, ErrorCode } from '@sluimer/shared';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { isStorageError } from '../ops/retention.js';

/** An error the API answers with `{error:{code,message,details?}}` and this HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, ErrorCode.NotFound, `${what} does not exist`);

/** 429 with Retry-After in whole seconds (at least 1) */
export const tooManyRequests = (message: string, waitMs: number) =>
  new ApiError(429, ErrorCode.TooManyRequests, message, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
  });

export function errorBody(code: string, message: string, details?: unknown): ApiErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Validates with a zod schema; a failure becomes 400 validation_failed naming each field. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, what = 'request'): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const summary = details
    .slice(0, 3)
    .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
    .join('; ');
  throw new ApiError(400, ErrorCode.Validation, `invalid ${what}: ${summary}`, details);
}

/** A positive integer id from a path parameter. */
export function idParam(params: unknown, name = 'id'): number {
  const raw = (params as Record<string, string | undefined>)[name];
  const id = Number(raw);
  if (!raw || !Number.isSafeInteger(id) || id <= 0) {
    throw new ApiError(400, ErrorCode.Validation, `${name} must be a positive integer`);
  }
  return id;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      if (err.headers) reply.headers(err.headers);
      return reply.code(err.status).send(errorBody(err.code, err.message, err.details));
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 413) {
      return reply.code(413).send(errorBody(ErrorCode.Validation, 'request body is too large'));
    }
    if (status === 415) {
      return reply.code(415).send(errorBody(ErrorCode.Validation, 'send the body as application/json'));
    }
    if (status >= 400 && status < 500) {
      return reply.code(400).send(errorBody(ErrorCode.Validation, err.message));
    }
    if (isStorageError(err)) {
      request.log.error({ err }, 'storage unavailable');
      return reply
        .code(503)
        .header('Retry-After', '30')
        .send(
          errorBody(
            ErrorCode.StorageUnavailable,
            'de opslag van de console is vol of alleen-lezen; er is niets gewijzigd / the console storage is full or read-only; nothing was changed',
          ),
        );
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody(ErrorCode.Internal, 'internal error; see the console log'));
  });
}
