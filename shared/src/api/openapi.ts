import { z } from 'zod';
import { ApiErrorBodySchema } from './common.js';
import { API_CONTRACT, type RouteContract } from './contract.js';

/** The access of each route, as the console declares it (`config.access`), for the document. */
export type RouteAccess = 'public' | 'agent' | readonly string[];

type Json = { [k: string]: unknown };

/** JSON Schema 2020-12 of a zod schema (OpenAPI 3.1 uses that dialect as it is). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** Fastify's `/:id` → OpenAPI's `/{id}` */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** query or path parameters from an object schema, each with its own schema */
function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

function operation(key: string, c: RouteContract, access: RouteAccess | undefined): Json {
  const [method] = key.split(' ') as [string];
  const responses: Json = {};
  for (const [status, schema] of Object.entries(c.responses)) {
    if (c.events) {
      responses[status] = {
        description: 'a stream of Server-Sent Events; each `data` is one of the event schemas',
        content: {
          'text/event-stream': {
            schema: {
              oneOf: Object.entries(c.events).map(([name, s]) => ({
                title: name,
                ...jsonSchema(s, 'output'),
              })),
            },
          },
        },
      };
    } else if (schema === null) {
      responses[status] = { description: 'no content' };
    } else {
      responses[status] = {
        description: 'success',
        ...(c.paged
          ? {
              headers: {
                'X-Next-Cursor': {
                  description: 'present when there is a next page: pass it as `after`',
                  schema: { type: 'string' },
                },
              },
            }
          : {}),
        content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
      };
    }
  }
  responses.default = ERROR_RESPONSE;
  const parameters = [...parametersOf(c.params, 'path'), ...parametersOf(c.query, 'query')];
  const op: Json = {
    operationId: key,
    summary: c.summary,
    tags: [c.tag],
    ...(parameters.length ? { parameters } : {}),
    responses,
  };
  if (c.body && method !== 'GET') {
    const body = jsonSchema(c.body, 'input');
    op.requestBody = {
      // a body whose schema accepts `undefined` (a default or .optional()) may be left out
      required: !c.body.safeParse(undefined).success,
      content: { 'application/json': { schema: body } },
    };
  }
  if (access !== undefined) {
    op['x-sluimer-access'] = access;
    op.security = access === 'public' ? [] : access === 'agent' ? [{ deviceToken: [] }] : AUTH;
  }
  return op;
}

const AUTH = [{ session: [] }, { apiToken: [] }];

/**
 * The OpenAPI 3.1 document of the console API, generated from the contract (API_CONTRACT). With
 * `access` (route key → declared access) every operation also states who may call it.
 */
export function openApiDocument(opts: { version?: string; access?: Record<string, RouteAccess> } = {}): Json {
  const paths: Record<string, Json> = {};
  const keys = Object.keys(API_CONTRACT).sort();
  for (const key of keys) {
    const c = (API_CONTRACT as Record<string, RouteContract>)[key]!;
    const [method, url] = key.split(' ') as [string, string];
    const path = openApiPath(url);
    paths[path] ??= {};
    paths[path]![method.toLowerCase()] = operation(key, c, opts.access?.[key]);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Sluimer console API',
      version: opts.version ?? '1',
      description:
        'REST API v1 van de Sluimer-console / of the Sluimer console. Generated from the zod schemas in ' +
        '@sluimer/shared (shared/src/api); docs/api.md explains the rules (authentication, CSRF, paging, errors).',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(keys.map((k) => (API_CONTRACT as Record<string, RouteContract>)[k]!.tag))].map(
      (name) => ({ name }),
    ),
    paths,
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sluimer_session',
          description: 'from POST /api/v1/login; writes also need the X-CSRF-Token header',
        },
        apiToken: { type: 'http', scheme: 'bearer', description: 'an API token (sat_…)' },
        deviceToken: { type: 'http', scheme: 'bearer', description: "an agent's device token (sdt_…)" },
      },
      responses: {
        Error: {
          description: 'an error: a code a program can switch on and a message a person can act on',
          content: { 'application/json': { schema: jsonSchema(ApiErrorBodySchema, 'output') } },
        },
      },
    },
  };
}
