import { z } from 'zod';
import { InventorySchema } from '../inventory.js';
import { EffectivePolicySchema, PolicySettingsSchema } from '../policy.js';
import { BlockerSchema } from '../protocol.js';
import { ApiTokenSchema, UserSchema } from './auth.js';
import { ApiErrorBodySchema, IntervalOutSchema } from './common.js';
import { API_CONTRACT, type RouteContract } from './contract.js';
import { DeviceDetailSchema, DeviceSummarySchema } from './devices.js';
import { EnrollSecretSchema } from './enroll.js';
import { GroupSchema } from './groups.js';
import { AuditEntrySchema } from './ops.js';
import { PolicySchema } from './policies.js';
import { SettingsSchema } from './settings.js';
import { UsageRowSchema } from './usage.js';
import { WasteReasonSchema, WebDeviceSchema } from './web.js';

/** The access of each route, as the console declares it (`config.access`), for the document. */
export type RouteAccess = 'public' | 'agent' | readonly string[];

type Json = { [k: string]: unknown };

/**
 * Shapes that recur across routes, emitted once under `components/schemas` and referred to by
 * `$ref` (the document stays readable and its diffs small).
 */
const COMPONENTS: [string, z.ZodType][] = [
  ['User', UserSchema],
  ['ApiToken', ApiTokenSchema],
  ['Group', GroupSchema],
  ['EnrollSecret', EnrollSecretSchema],
  ['Inventory', InventorySchema],
  ['Blocker', BlockerSchema],
  ['Interval', IntervalOutSchema],
  ['PolicySettings', PolicySettingsSchema],
  ['EffectivePolicy', EffectivePolicySchema],
  ['Policy', PolicySchema],
  ['DeviceSummary', DeviceSummarySchema],
  ['DeviceDetail', DeviceDetailSchema],
  ['WebDevice', WebDeviceSchema],
  ['WasteReason', WasteReasonSchema],
  ['UsageRow', UsageRowSchema],
  ['Settings', SettingsSchema],
  ['AuditEntry', AuditEntrySchema],
];

const SAFE = Number.MAX_SAFE_INTEGER;

/** drops the ±2^53 bounds zod puts on every integer: they say nothing a reader needs */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'minimum' && v === -SAFE) || (k === 'maximum' && v === SAFE)) continue;
    out[k] = tidy(v);
  }
  return out;
}

/** converts schemas to JSON Schema 2020-12 (OpenAPI 3.1's own dialect), collecting shared components */
class SchemaWriter {
  readonly components: Record<string, Json> = {};
  /** each component's JSON Schema text before its references are linked, to tell a second form apart */
  private readonly seen = new Map<string, string>();
  private readonly registry = z.registry<{ id: string }>();

  constructor() {
    for (const [id, schema] of COMPONENTS) this.registry.add(schema, { id });
  }

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const {
      $schema: _,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, { io, unrepresentable: 'any', metadata: this.registry }) as Json & {
      $defs?: Record<string, Json>;
    };
    // the same component as sent and as taken may differ (defaults, coercion): then two names
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries($defs ?? {})) {
      const text = JSON.stringify(tidy(def));
      const seen = this.seen.get(id);
      const name = seen === undefined || seen === text ? id : `${id}Input`;
      this.seen.set(name, text);
      names.set(id, name);
    }
    const relink = (v: unknown): Json =>
      JSON.parse(
        JSON.stringify(tidy(v)).replace(
          /"#\/\$defs\/([A-Za-z0-9_]+)"/g,
          (_m, id: string) => `"#/components/schemas/${names.get(id) ?? id}"`,
        ),
      ) as Json;
    for (const [id, def] of Object.entries($defs ?? {})) this.components[names.get(id)!] ??= relink(def);
    return relink(rest);
  }
}

/** Fastify's `/:id` → OpenAPI's `/{id}` */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** query or path parameters from an object schema, each with its own schema */
function parametersOf(w: SchemaWriter, schema: z.ZodType | undefined, where: 'query' | 'path'): Json[] {
  if (!schema) return [];
  const s = w.convert(schema, 'input') as {
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

function operation(w: SchemaWriter, key: string, c: RouteContract, access: RouteAccess | undefined): Json {
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
                ...w.convert(s, 'output'),
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
        content: { 'application/json': { schema: w.convert(schema, 'output') } },
      };
    }
  }
  responses.default = ERROR_RESPONSE;
  const parameters = [...parametersOf(w, c.params, 'path'), ...parametersOf(w, c.query, 'query')];
  const op: Json = {
    operationId: key,
    summary: c.summary,
    tags: [c.tag],
    ...(parameters.length ? { parameters } : {}),
    responses,
  };
  if (c.body && method !== 'GET') {
    const body = w.convert(c.body, 'input');
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
  const w = new SchemaWriter();
  const paths: Record<string, Json> = {};
  const keys = Object.keys(API_CONTRACT).sort();
  for (const key of keys) {
    const c = (API_CONTRACT as Record<string, RouteContract>)[key]!;
    const [method, url] = key.split(' ') as [string, string];
    const path = openApiPath(url);
    paths[path] ??= {};
    paths[path]![method.toLowerCase()] = operation(w, key, c, opts.access?.[key]);
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
      schemas: Object.fromEntries(Object.entries(w.components).sort(([a], [b]) => (a < b ? -1 : 1))),
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
          content: { 'application/json': { schema: w.convert(ApiErrorBodySchema, 'output') } },
        },
      },
    },
  };
}
