import {
  DeviceReasonsQuerySchema,
  type EffectivePolicy,
  ErrorCode,
  MAX_TIMELINE_INTERVALS,
  parseTimeParam,
  TimelineQuerySchema,
  type WasteReason,
  type WEB_DEVICE_SORTS,
  type WebDevice,
  WebDeviceListQuerySchema,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../agents/gateway.js';
import { effectiveClass } from '../energy/energy-profile.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { DeviceRecord, GroupRecord, Store } from '../store/types.js';
import type { DeviceStateTracker, OnlineState } from '../usage/device-states.js';
import { DEVICE_VIEW_STATES, type PolicyStatusName, policyStatusFor } from '../usage/device-status.js';
import { ANY_ROLE, STAFF } from './auth.js';
import { ApiError, idParam, notFound, parse } from './errors.js';

export interface WebDeps {
  store: Store;
  policies: PolicyService;
  gateway: Gateway;
  now: () => number;
}

/** A row of the web device list and why a device wastes energy: shapes of the shared contract. */
export type { WasteReason, WebDevice } from '@sluimer/shared';

// the query schemas are the shared contract's (shared/src/api/web.ts)
export { MAX_TIMELINE_INTERVALS };

const MAX_TIMELINE_MS = 31 * 24 * 3600 * 1000;

/** Builds the web view of devices: effective policy, state, reason, path. Caches per request. */
export class DeviceViews {
  private cache: { at: number; list: Promise<WebDevice[]> } | undefined;

  constructor(
    private readonly deps: WebDeps,
    private readonly states: DeviceStateTracker,
  ) {}

  /** forget the cached list (after a change through the API, a hello or a policy status) */
  invalidate(): void {
    this.cache = undefined;
  }

  /**
   * Every device, built at most every CACHE_MS (reading 10,000 device rows is the slow part);
   * online, state and last seen are always taken fresh from the gateway.
   */
  async all(): Promise<WebDevice[]> {
    const now = this.deps.now();
    if (!this.cache || now - this.cache.at > CACHE_MS) {
      const list = this.deps.store.listDevices().then((records) => this.build(records));
      list.catch(() => {
        if (this.cache?.list === list) this.cache = undefined;
      });
      this.cache = { at: now, list };
    }
    const list = await this.cache.list;
    const { gateway } = this.deps;
    const out: WebDevice[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const d = list[i]!;
      out[i] = {
        ...d,
        online: gateway.isOnline(d.id),
        state: await this.states.stateOf(d.id),
        lastSeen: Math.max(gateway.lastSeen(d.id) ?? 0, d.lastSeen ?? 0) || null,
      };
    }
    return out;
  }

  async groupPaths(groups: GroupRecord[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const g of groups)
      out.set(g.id, (await this.deps.policies.chain(g.id)).map((x) => x.name).join(' › '));
    return out;
  }

  /** one WebDevice per record; the effective policy is resolved once per distinct (group, policy, exclusion) */
  async build(devices: DeviceRecord[]): Promise<WebDevice[]> {
    const { store, policies, gateway } = this.deps;
    const groups = await store.listGroups();
    const byId = new Map(groups.map((g) => [g.id, g]));
    const paths = await this.groupPaths(groups);
    const memo = new Map<string, Promise<{ policy: EffectivePolicy; etag: string }>>();
    const out: WebDevice[] = [];
    for (const d of devices) {
      const key = `${d.groupId}|${d.policyId}|${d.excludedReason ?? ''}`;
      let eff = memo.get(key);
      if (!eff) {
        eff = policies.effectiveFor(d);
        memo.set(key, eff);
      }
      const { policy, etag } = await eff;
      const hasPolicy = policy.policyId != null;
      const status = policyStatusFor(d, policy, etag);
      const failedMsg =
        d.policyStatus && !d.policyStatus.ok && d.policyStatus.etag === etag
          ? d.policyStatus.errors
              .map((e) => (e.setting ? `${e.setting}: ${e.message}` : e.message))
              .join('; ') || 'failed'
          : null;
      out.push({
        id: d.id,
        name: d.name,
        hostname: d.hostname,
        groupId: d.groupId,
        groupName: byId.get(d.groupId)?.name ?? null,
        groupPath: paths.get(d.groupId) ?? '',
        deviceClass: effectiveClass(d),
        model: [d.inventory.manufacturer, d.inventory.model].filter(Boolean).join(' ') || null,
        os: d.inventory.os ?? null,
        online: gateway.isOnline(d.id),
        state: await this.states.stateOf(d.id),
        lastSeen: Math.max(gateway.lastSeen(d.id) ?? 0, d.lastSeen ?? 0) || null,
        agentVersion: d.agentVersion,
        policyId: policy.policyId ?? null,
        policyName: hasPolicy ? (policy.policyName ?? null) : null,
        auditOnly: !!policy.auditOnly,
        policyStatus: status,
        policyError: failedMsg,
        excludedReason: policy.excludedReason ?? null,
        blockers: d.blockers.map((b) => ({
          name: b.name,
          kind: b.kind,
          ...(b.reason ? { reason: b.reason } : {}),
        })),
      });
    }
    return out;
  }
}

export function reasonOf(d: WebDevice, showBlockerNames: boolean): WasteReason {
  if (d.excludedReason) return { kind: 'excluded', detail: d.excludedReason };
  const b = d.blockers[0];
  if (b) return { kind: 'blocker', blockerKind: b.kind, detail: showBlockerNames ? b.name : b.kind };
  if (d.policyStatus === 'failed') return { kind: 'policy_failed', detail: d.policyError ?? 'failed' };
  if (d.policyId === null) return { kind: 'no_policy' };
  if (d.auditOnly) return { kind: 'audit_only', ...(d.policyName ? { detail: d.policyName } : {}) };
  if (d.policyStatus === 'compliant' && d.policyName) return { kind: 'policy_applied', detail: d.policyName };
  return { kind: 'unknown' };
}

/** how long the built device list is reused between requests (changes through the API reset it) */
export const CACHE_MS = 10_000;

const collator = new Intl.Collator('nl', { numeric: true, sensitivity: 'base' });

function compare(sort: (typeof WEB_DEVICE_SORTS)[number]): (a: WebDevice, b: WebDevice) => number {
  const str = collator.compare;
  switch (sort) {
    case 'name':
      return (a, b) => str(a.name ?? a.hostname, b.name ?? b.hostname);
    case 'group':
      return (a, b) => str(a.groupPath, b.groupPath);
    case 'class':
      return (a, b) => str(a.deviceClass, b.deviceClass);
    case 'state':
      return (a, b) => str(a.state, b.state);
    case 'policy':
      return (a, b) => str(a.policyStatus, b.policyStatus);
    case 'lastSeen':
      return (a, b) => (a.lastSeen ?? 0) - (b.lastSeen ?? 0);
  }
}

export function registerWebDeviceRoutes(app: FastifyInstance, deps: WebDeps, views: DeviceViews): void {
  const { store, policies } = deps;

  /** searchable, filterable, sortable, paginated device list (server-side, for 10,000 devices) */
  app.get('/api/v1/web/devices', { config: { access: STAFF } }, async (request) => {
    const q = parse(WebDeviceListQuerySchema, request.query, 'query');
    let list = await views.all();
    if (q.groupId) {
      const subtree = await policies.subtree(q.groupId);
      list = list.filter((d) => subtree.has(d.groupId));
    }
    const needle = q.q?.trim().toLowerCase();
    if (needle) {
      list = list.filter((d) =>
        [d.name, d.hostname, d.model, d.groupPath, d.os, String(d.id)].some((v) =>
          v?.toLowerCase().includes(needle),
        ),
      );
    }
    if (q.deviceClass) list = list.filter((d) => d.deviceClass === q.deviceClass);
    if (q.state) list = list.filter((d) => d.state === q.state);
    if (q.policyStatus) list = list.filter((d) => d.policyStatus === q.policyStatus);
    if (q.policyId) list = list.filter((d) => d.policyId === q.policyId);
    const cmp = compare(q.sort);
    const dir = q.order === 'asc' ? 1 : -1;
    list.sort((a, b) => cmp(a, b) * dir || a.id - b.id);
    const counts = { online: 0, asleep: 0, off: 0, offline: 0 };
    for (const d of list) counts[d.state]++;
    return {
      total: list.length,
      offset: q.offset,
      limit: q.limit,
      counts,
      devices: list.slice(q.offset, q.offset + q.limit),
    };
  });

  /** one device's intervals clipped to [from, to) for the 24 h and 7-day timelines (at most 31 days) */
  app.get('/api/v1/web/devices/:id/timeline', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const q = parse(TimelineQuerySchema, request.query, 'query');
    const from = parseTimeParam(q.from);
    const to = parseTimeParam(q.to);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      throw new ApiError(
        400,
        ErrorCode.Validation,
        'from and to must be ISO 8601 or epoch milliseconds, from before to',
      );
    }
    if (to - from > MAX_TIMELINE_MS)
      throw new ApiError(400, ErrorCode.Validation, 'a timeline spans at most 31 days');
    if (!(await store.getDevice(id))) throw notFound(`device ${id}`);
    // paged by time: a truncated answer names where the next page starts (pass it as `from`)
    const page = await store.timelinePage(id, from, to, q.limit);
    const intervals = page.intervals
      .map(({ deviceId: _, ...iv }) => ({
        ...iv,
        start: Math.max(iv.start, from),
        end: Math.min(iv.end, to),
      }))
      .filter((iv) => iv.end > iv.start);
    const nextCursor = page.more ? intervals[intervals.length - 1]!.end : null;
    return { deviceId: id, from, to, intervals, truncated: page.more, nextCursor };
  });

  /**
   * Names, rooms and the waste reason of a few devices (the overview's top wasters), for every role:
   * blocker process names only for admin and IT (privacy by design).
   */
  app.get('/api/v1/web/device-reasons', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(DeviceReasonsQuerySchema, request.query, 'query');
    const records = (await Promise.all(q.ids.map((id) => store.getDevice(id)))).filter(
      (d): d is DeviceRecord => !!d,
    );
    const staff = request.user!.role !== 'viewer';
    return (await views.build(records)).map((d) => ({
      id: d.id,
      name: d.name ?? d.hostname,
      groupId: d.groupId,
      groupPath: d.groupPath,
      deviceClass: d.deviceClass,
      state: d.state,
      reason: reasonOf(d, staff),
    }));
  });
}
