import type { z } from 'zod';
import { SchoolCalendarSchema } from '../calendar/school-calendar.js';
import { WhatIfRequestSchema } from '../impact/what-if-request.js';
import { WhatIfResponseSchema } from '../impact/what-if-response.js';
import { PurchaseImportRequestSchema } from '../lifecycle/purchases.js';
import { AnnualReportQuerySchema, LifecycleQuerySchema } from '../lifecycle/report.js';
import { EnrollRequestSchema, EnrollResponseSchema } from '../protocol.js';
import {
  AdminTokenQuerySchema,
  ApiTokenSchema,
  ChangePasswordRequestSchema,
  CreateApiTokenRequestSchema,
  CreatedApiTokenSchema,
  CreateUserRequestSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  UpdateUserRequestSchema,
  UserSchema,
} from './auth.js';
import { CalendarTemplateQuerySchema, GroupCalendarSchema } from './calendar.js';
import { IdParamsSchema, pagingQuery } from './common.js';
import {
  DeviceDetailSchema,
  DeviceListQuerySchema,
  DeviceSummarySchema,
  DeviceUpdateRequestSchema,
} from './devices.js';
import {
  AgentDeviceSchema,
  CreatedEnrollSecretSchema,
  CreateEnrollSecretRequestSchema,
  EnrollSecretSchema,
} from './enroll.js';
import { GoogleAdminAnswerSchema } from './google-admin.js';
import {
  CreateGroupRequestSchema,
  GroupDetailSchema,
  GroupSchema,
  UpdateGroupRequestSchema,
} from './groups.js';
import {
  ImpactScopeQuerySchema,
  PolicyHistoryAnswerSchema,
  SavingsAnswerSchema,
  WasteCausesAnswerSchema,
  WasteCausesQuerySchema,
} from './impact.js';
import {
  AnnualReportSchema,
  FleetLifecycleResponseSchema,
  PurchaseImportResponseSchema,
} from './lifecycle.js';
import { HealthSchema, OpenApiDocumentSchema } from './meta.js';
import {
  AuditPageSchema,
  AuditQuerySchema,
  DeletedDeviceSchema,
  DeviceExportSchema,
  RetiredDeviceSchema,
  RetireRequestSchema,
} from './ops.js';
import {
  AssignRequestSchema,
  AssignResponseSchema,
  PolicyRequestSchema,
  PolicySchema,
  RecommendedQuerySchema,
  UnassignRequestSchema,
  UnassignResponseSchema,
  UpdatedPolicySchema,
} from './policies.js';
import { SettingsSchema, SettingsUpdateRequestSchema } from './settings.js';
import { UsageQuerySchema, UsageResponseSchema } from './usage.js';
import {
  DeviceReasonSchema,
  DeviceReasonsQuerySchema,
  LiveEventSchemas,
  TimelineQuerySchema,
  TimelineSchema,
  WebDeviceListQuerySchema,
  WebDeviceListSchema,
} from './web.js';

/**
 * The console's REST API, one entry per route: `'<METHOD> <url pattern>'` → what the route takes
 * and what it answers. The server checks requests and serialises answers with these schemas
 * (console/server/src/http/contract.ts), the web app takes its types from them, and the OpenAPI
 * document is generated from them (openapi.ts). A route the server registers without an entry here
 * fails the contract coverage test. How to add one: docs/api.md "The contract".
 */
export interface RouteContract {
  /** one line for the reference */
  summary: string;
  /** the resource, for grouping in the reference */
  tag: string;
  /** path parameters (strings in the URL, coerced) */
  params?: z.ZodType;
  /** the query string (strings, coerced) */
  query?: z.ZodType;
  /** the JSON body */
  body?: z.ZodType;
  /**
   * Who checks the request: `contract` (default) — the server checks params, query and body with
   * these schemas before the handler runs, a failure is 400 `validation_failed`; `handler` — the
   * handler parses them itself with these same schemas, because something must come first (a rate
   * limit) or a failure has a more specific code (e.g. `policy_out_of_bounds`).
   */
  requestCheck?: 'contract' | 'handler';
  /** success answers by status; null: no body (204) */
  responses: { [status: number]: z.ZodType | null };
  /** a list in pages: `X-Next-Cursor` names the next page (docs/api.md "Paging") */
  paged?: boolean;
  /** a Server-Sent Events stream: event name → schema of its JSON `data` */
  events?: Record<string, z.ZodType>;
}

const id = IdParamsSchema;

export const API_CONTRACT = {
  // ---- meta ----
  'GET /api/v1/health': {
    summary: 'Is the console up; agents connected to this process',
    tag: 'meta',
    responses: { 200: HealthSchema },
  },
  'GET /api/v1/openapi.json': {
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'meta',
    responses: { 200: OpenApiDocumentSchema },
  },

  // ---- sessions, me, API tokens ----
  'POST /api/v1/login': {
    summary: 'Log in: a session cookie and the CSRF token',
    tag: 'auth',
    body: LoginRequestSchema,
    requestCheck: 'handler',
    responses: { 200: LoginResponseSchema },
  },
  'POST /api/v1/logout': { summary: 'End the session', tag: 'auth', responses: { 204: null } },
  'GET /api/v1/me': { summary: 'The logged-in user', tag: 'auth', responses: { 200: UserSchema } },
  'POST /api/v1/me/password': {
    summary: 'Change your own password (ends your sessions and tokens)',
    tag: 'auth',
    body: ChangePasswordRequestSchema,
    responses: { 204: null },
  },
  'GET /api/v1/tokens': {
    summary: 'Your API tokens',
    tag: 'tokens',
    query: pagingQuery(500, 500),
    paged: true,
    responses: { 200: ApiTokenSchema.array() },
  },
  'POST /api/v1/tokens': {
    summary: 'Make an API token (shown once)',
    tag: 'tokens',
    body: CreateApiTokenRequestSchema,
    responses: { 201: CreatedApiTokenSchema },
  },
  'DELETE /api/v1/tokens/:id': {
    summary: 'Delete one of your API tokens',
    tag: 'tokens',
    params: id,
    responses: { 204: null },
  },
  'GET /api/v1/admin/tokens': {
    summary: "Every user's API tokens, or one user's",
    tag: 'tokens',
    query: AdminTokenQuerySchema.extend(pagingQuery(1000, 1000).shape),
    paged: true,
    responses: { 200: ApiTokenSchema.array() },
  },
  'DELETE /api/v1/admin/tokens/:id': {
    summary: "Revoke any user's API token",
    tag: 'tokens',
    params: id,
    responses: { 204: null },
  },

  // ---- users ----
  'GET /api/v1/users': {
    summary: 'Users',
    tag: 'users',
    query: pagingQuery(500, 500),
    paged: true,
    responses: { 200: UserSchema.array() },
  },
  'POST /api/v1/users': {
    summary: 'Add a user',
    tag: 'users',
    body: CreateUserRequestSchema,
    responses: { 201: UserSchema },
  },
  'PATCH /api/v1/users/:id': {
    summary: "Change a user's role or password",
    tag: 'users',
    params: id,
    body: UpdateUserRequestSchema,
    responses: { 200: UserSchema },
  },
  'DELETE /api/v1/users/:id': {
    summary: 'Remove a user (not the last admin)',
    tag: 'users',
    params: id,
    responses: { 204: null },
  },

  // ---- groups, enroll secrets, enrollment ----
  'GET /api/v1/groups': {
    summary: 'Every group (the whole tree)',
    tag: 'groups',
    query: pagingQuery(5000, 5000),
    paged: true,
    responses: { 200: GroupSchema.array() },
  },
  'GET /api/v1/groups/:id': {
    summary: 'One group with the time zone that applies',
    tag: 'groups',
    params: id,
    responses: { 200: GroupDetailSchema },
  },
  'POST /api/v1/groups': {
    summary: 'Add a group',
    tag: 'groups',
    body: CreateGroupRequestSchema,
    responses: { 201: GroupSchema },
  },
  'PATCH /api/v1/groups/:id': {
    summary: 'Rename, move, exclude or set the time zone of a group',
    tag: 'groups',
    params: id,
    body: UpdateGroupRequestSchema,
    responses: { 200: GroupSchema },
  },
  'DELETE /api/v1/groups/:id': {
    summary: 'Remove an empty group',
    tag: 'groups',
    params: id,
    responses: { 204: null },
  },
  'POST /api/v1/groups/:id/enroll-secrets': {
    summary: 'Make an enroll secret for a group (shown once)',
    tag: 'enrollment',
    params: id,
    body: CreateEnrollSecretRequestSchema,
    responses: { 201: CreatedEnrollSecretSchema },
  },
  'GET /api/v1/groups/:id/enroll-secrets': {
    summary: "A group's enroll secrets",
    tag: 'enrollment',
    params: id,
    query: pagingQuery(500, 500),
    paged: true,
    responses: { 200: EnrollSecretSchema.array() },
  },
  'GET /api/v1/enroll-secrets': {
    summary: 'Every enroll secret',
    tag: 'enrollment',
    query: pagingQuery(1000, 1000),
    paged: true,
    responses: { 200: EnrollSecretSchema.array() },
  },
  'DELETE /api/v1/enroll-secrets/:id': {
    summary: 'Revoke an enroll secret',
    tag: 'enrollment',
    params: id,
    responses: { 200: EnrollSecretSchema },
  },
  'POST /api/v1/enroll': {
    summary: 'An agent enrolls with an enroll secret and gets its device token',
    tag: 'enrollment',
    body: EnrollRequestSchema,
    requestCheck: 'handler',
    responses: { 201: EnrollResponseSchema },
  },
  'GET /api/v1/agent/device': {
    summary: 'An agent checks that the console still accepts its device token (401: enroll again)',
    tag: 'enrollment',
    responses: { 200: AgentDeviceSchema },
  },

  // ---- devices ----
  'GET /api/v1/devices': {
    summary: 'Devices in id order, optionally of one group and its subgroups',
    tag: 'devices',
    query: DeviceListQuerySchema.extend(pagingQuery(1000, 1000).shape),
    paged: true,
    responses: { 200: DeviceSummarySchema.array() },
  },
  'GET /api/v1/devices/:id': {
    summary: 'One device: state, inventory, policy, blockers, recent intervals, lifecycle',
    tag: 'devices',
    params: id,
    responses: { 200: DeviceDetailSchema },
  },
  'PATCH /api/v1/devices/:id': {
    summary: 'Rename, move, classify or exclude a device',
    tag: 'devices',
    params: id,
    body: DeviceUpdateRequestSchema,
    responses: { 200: DeviceDetailSchema },
  },
  'POST /api/v1/devices/:id/retire': {
    summary: 'Retire a device: its token stops working, its history stays',
    tag: 'devices',
    params: id,
    body: RetireRequestSchema,
    responses: { 200: RetiredDeviceSchema },
  },
  'GET /api/v1/devices/:id/export': {
    summary: 'Everything stored about one device (AVG)',
    tag: 'devices',
    params: id,
    responses: { 200: DeviceExportSchema },
  },
  'DELETE /api/v1/devices/:id': {
    summary: 'Erase a device and its data (AVG)',
    tag: 'devices',
    params: id,
    responses: { 200: DeletedDeviceSchema },
  },

  // ---- policies ----
  'GET /api/v1/policies': {
    summary: 'Policies with where they are assigned',
    tag: 'policies',
    query: pagingQuery(500, 500),
    paged: true,
    responses: { 200: PolicySchema.array() },
  },
  'GET /api/v1/policies/recommended': {
    summary: 'The recommended policy as a template (with the school hours of a group)',
    tag: 'policies',
    query: RecommendedQuerySchema,
    responses: { 200: PolicyRequestSchema },
  },
  'GET /api/v1/policies/:id': {
    summary: 'One policy',
    tag: 'policies',
    params: id,
    responses: { 200: PolicySchema },
  },
  'POST /api/v1/policies': {
    summary: 'Add a policy',
    tag: 'policies',
    body: PolicyRequestSchema,
    responses: { 201: PolicySchema },
  },
  'PUT /api/v1/policies/:id': {
    summary: 'Change a policy (pushed to the agents it applies to)',
    tag: 'policies',
    params: id,
    body: PolicyRequestSchema,
    responses: { 200: UpdatedPolicySchema },
  },
  'DELETE /api/v1/policies/:id': {
    summary: 'Remove a policy',
    tag: 'policies',
    params: id,
    responses: { 204: null },
  },
  'POST /api/v1/policies/:id/assign': {
    summary: 'Assign a policy to groups and devices',
    tag: 'policies',
    params: id,
    body: AssignRequestSchema,
    responses: { 200: AssignResponseSchema },
  },
  'POST /api/v1/policies/unassign': {
    summary: 'Take the direct policy off groups and devices',
    tag: 'policies',
    body: UnassignRequestSchema,
    responses: { 200: UnassignResponseSchema },
  },
  'POST /api/v1/what-if': {
    summary: 'What a draft policy would have saved over recorded timelines (reads only)',
    tag: 'impact',
    body: WhatIfRequestSchema,
    requestCheck: 'handler',
    responses: { 200: WhatIfResponseSchema },
  },

  // ---- school calendars, savings, waste causes ----
  'GET /api/v1/groups/:id/google-admin': {
    summary:
      "The Google Admin settings that make the group's Chromebooks follow its policy, and the Chromebooks that do not",
    tag: 'groups',
    params: id,
    responses: { 200: GoogleAdminAnswerSchema },
  },
  'GET /api/v1/groups/:id/calendar': {
    summary: 'The school calendar that applies to a group, and where it comes from',
    tag: 'calendar',
    params: id,
    responses: { 200: GroupCalendarSchema },
  },
  'PUT /api/v1/groups/:id/calendar': {
    summary: "Set a school's calendar (pushed to its devices)",
    tag: 'calendar',
    params: id,
    body: SchoolCalendarSchema,
    requestCheck: 'handler',
    responses: { 200: GroupCalendarSchema },
  },
  'DELETE /api/v1/groups/:id/calendar': {
    summary: "Remove a school's own calendar (the assumed one applies again)",
    tag: 'calendar',
    params: id,
    responses: { 204: null },
  },
  'GET /api/v1/calendar/template': {
    summary: 'The shipped Dutch vacations and holidays of a region, to start a calendar from',
    tag: 'calendar',
    query: CalendarTemplateQuerySchema,
    responses: { 200: SchoolCalendarSchema },
  },
  'GET /api/v1/savings': {
    summary: 'What policy changes saved: before/after per school and room (Besparing)',
    tag: 'impact',
    query: ImpactScopeQuerySchema,
    responses: { 200: SavingsAnswerSchema },
  },
  'GET /api/v1/policy-history': {
    summary: 'The recorded effective policies of groups and devices, oldest first',
    tag: 'impact',
    query: ImpactScopeQuerySchema,
    responses: { 200: PolicyHistoryAnswerSchema },
  },
  'GET /api/v1/waste-causes': {
    summary: "Why devices still waste energy in a period: each device's waste split by cause",
    tag: 'impact',
    query: WasteCausesQuerySchema,
    responses: { 200: WasteCausesAnswerSchema },
  },

  // ---- lifecycle ----
  'GET /api/v1/lifecycle': {
    summary: 'Fleet lifecycle: ages, batteries, advice, and what longer use avoids (Levensduur)',
    tag: 'lifecycle',
    query: LifecycleQuerySchema,
    responses: { 200: FleetLifecycleResponseSchema },
  },
  'POST /api/v1/lifecycle/purchases': {
    summary: 'Import purchase data (CSV): every line checked, all stored or none',
    tag: 'lifecycle',
    body: PurchaseImportRequestSchema,
    responses: { 200: PurchaseImportResponseSchema },
  },
  'GET /api/v1/reports/annual': {
    summary: 'The annual sustainability report of the board or a group for a school year',
    tag: 'lifecycle',
    query: AnnualReportQuerySchema,
    responses: { 200: AnnualReportSchema },
  },

  // ---- usage, settings, audit ----
  'GET /api/v1/usage': {
    summary: 'Use and waste over a period, per device, group, class, day or hour of the week',
    tag: 'usage',
    query: UsageQuerySchema,
    responses: { 200: UsageResponseSchema },
  },
  'GET /api/v1/settings': {
    summary: 'Deployment settings',
    tag: 'settings',
    responses: { 200: SettingsSchema },
  },
  'PUT /api/v1/settings': {
    summary: 'Change deployment settings (any subset)',
    tag: 'settings',
    body: SettingsUpdateRequestSchema,
    responses: { 200: SettingsSchema },
  },
  'GET /api/v1/audit': {
    summary: 'The audit log of changes, newest first',
    tag: 'audit',
    query: AuditQuerySchema,
    responses: { 200: AuditPageSchema },
  },

  // ---- web app ----
  'GET /api/v1/web/devices': {
    summary: 'The searchable, filterable, sortable device list of the web app',
    tag: 'web',
    query: WebDeviceListQuerySchema,
    responses: { 200: WebDeviceListSchema },
  },
  'GET /api/v1/web/devices/:id/timeline': {
    summary: "One device's intervals in a period (at most 31 days)",
    tag: 'web',
    params: id,
    query: TimelineQuerySchema,
    responses: { 200: TimelineSchema },
  },
  'GET /api/v1/web/device-reasons': {
    summary: 'Why a few devices waste energy (the top wasters)',
    tag: 'web',
    query: DeviceReasonsQuerySchema,
    responses: { 200: DeviceReasonSchema.array() },
  },
  'GET /api/v1/web/events': {
    summary: 'Live events for open pages (Server-Sent Events)',
    tag: 'web',
    responses: { 200: null },
    events: LiveEventSchemas,
  },
} as const satisfies Record<string, RouteContract>;

export type ApiRoute = keyof typeof API_CONTRACT;

/** the contract entry of a route the framework matched, e.g. ('GET', '/api/v1/groups/:id') */
export function contractOf(method: string, url: string): RouteContract | undefined {
  return (API_CONTRACT as Record<string, RouteContract>)[`${method} ${url}`];
}

type SuccessSchema<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : null;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route answers on success (the body of its 200 or 201), as the client receives it. */
export type ApiResponse<K extends ApiRoute> = Out<SuccessSchema<(typeof API_CONTRACT)[K]['responses']>>;
/** What a route takes as its JSON body, as the client sends it. */
export type ApiRequestBody<K extends ApiRoute> = (typeof API_CONTRACT)[K] extends { body: infer B }
  ? B extends z.ZodType
    ? z.input<B>
    : never
  : never;
