import {
  CONSOLE_DEFAULT_POLICY,
  type DayOff,
  type DevicePolicyStatus,
  daysOffFor,
  type EffectivePolicy,
  localTime,
  type PolicySettings,
  policyEtag,
  resolvePolicy,
  type SchoolCalendar,
} from '@sluimer/shared';
import type { DeviceRecord, GroupRecord, PolicyRecord, Store } from '../store/types.js';

export const DEFAULT_TIME_ZONE = 'Europe/Amsterdam';

/**
 * Resolves effective policies (device over room over building over school over board over the console
 * default). Groups and policies are small tables: they are cached in memory and reloaded after a change.
 */
export class PolicyService {
  private cache:
    | Promise<{
        groups: Map<number, GroupRecord>;
        policies: Map<number, PolicyRecord>;
        calendars: Map<number, SchoolCalendar>;
        /** days off per school and local date, so resolving a whole school's devices computes them once */
        daysOff: Map<string, DayOff[]>;
      }>
    | undefined;

  constructor(
    private readonly store: Store,
    /** the console clock: which school years' days off an effective policy carries */
    private readonly now: () => number = Date.now,
  ) {}

  /** after a change to groups, policies or calendars; other console processes are told too */
  invalidate(): void {
    this.cache = undefined;
    this.onInvalidate?.();
  }

  /** forgets the cache without telling anyone (another console process made the change) */
  invalidateHere(): void {
    this.cache = undefined;
  }

  /** set by agents/cluster.ts when several console processes share the database */
  onInvalidate: (() => void) | undefined;

  private load() {
    if (!this.cache) {
      this.cache = Promise.all([
        this.store.listGroups(),
        this.store.listPolicies(),
        this.store.listSchoolCalendars(),
      ]).then(([g, p, c]) => ({
        groups: new Map(g.map((x) => [x.id, x])),
        policies: new Map(p.map((x) => [x.id, x])),
        calendars: new Map(c.map((x) => [x.groupId, x.calendar])),
        daysOff: new Map<string, DayOff[]>(),
      }));
      this.cache.catch(() => {
        this.cache = undefined;
      });
    }
    return this.cache;
  }

  /** the group and its ancestors, from the top of the tree down to the group */
  async chain(groupId: number): Promise<GroupRecord[]> {
    const { groups } = await this.load();
    const out: GroupRecord[] = [];
    const seen = new Set<number>();
    let g = groups.get(groupId);
    while (g && !seen.has(g.id)) {
      seen.add(g.id);
      out.unshift(g);
      g = g.parentId === null ? undefined : groups.get(g.parentId);
    }
    return out;
  }

  /** the group's own id and every group below it */
  async subtree(groupId: number): Promise<Set<number>> {
    const { groups } = await this.load();
    const children = new Map<number, number[]>();
    for (const g of groups.values()) {
      if (g.parentId === null) continue;
      const list = children.get(g.parentId) ?? [];
      list.push(g.id);
      children.set(g.parentId, list);
    }
    const out = new Set<number>();
    const stack = [groupId];
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      for (const c of children.get(id) ?? []) stack.push(c);
    }
    return out;
  }

  /** the nearest time zone set on the group or an ancestor (the school's), else Europe/Amsterdam */
  async timeZoneOf(groupId: number): Promise<string> {
    const chain = await this.chain(groupId);
    for (let i = chain.length - 1; i >= 0; i--) {
      const tz = chain[i]!.timeZone;
      if (tz) return tz;
    }
    return DEFAULT_TIME_ZONE;
  }

  /** the nearest stored school calendar on the group or an ancestor (the school's), with its group */
  async calendarOf(groupId: number): Promise<{ schoolId: number; calendar: SchoolCalendar } | undefined> {
    const { calendars } = await this.load();
    const chain = await this.chain(groupId);
    for (let i = chain.length - 1; i >= 0; i--) {
      const calendar = calendars.get(chain[i]!.id);
      if (calendar) return { schoolId: chain[i]!.id, calendar };
    }
    return undefined;
  }

  /** why the device is excluded from enforcement: its own reason, else the nearest group's */
  async excludedReasonOf(device: Pick<DeviceRecord, 'groupId' | 'excludedReason'>): Promise<string | null> {
    if (device.excludedReason) return device.excludedReason;
    const chain = await this.chain(device.groupId);
    for (let i = chain.length - 1; i >= 0; i--) {
      const r = chain[i]!.excludedReason;
      if (r) return r;
    }
    return null;
  }

  async effectiveFor(
    device: Pick<DeviceRecord, 'groupId' | 'policyId' | 'excludedReason'>,
  ): Promise<{ policy: EffectivePolicy; etag: string }> {
    const { policies } = await this.load();
    const chain = await this.chain(device.groupId);
    const layers: (PolicySettings | undefined)[] = [CONSOLE_DEFAULT_POLICY];
    let source: PolicyRecord | undefined;
    for (const g of chain) {
      const p = g.policyId === null ? undefined : policies.get(g.policyId);
      if (p) {
        layers.push(p.settings);
        source = p;
      }
    }
    const own = device.policyId === null ? undefined : policies.get(device.policyId);
    if (own) {
      layers.push(own.settings);
      source = own;
    }
    // a policy that sets no school hours refers to the school's: its stored calendar's weekly hours
    const resolved = resolvePolicy(layers);
    const school = await this.calendarOf(device.groupId);
    if (!resolved.schoolHours && school) resolved.schoolHours = school.calendar.schoolHours;
    const timeZone = await this.timeZoneOf(device.groupId);
    const policy: EffectivePolicy = {
      ...resolved,
      timeZone,
      policyId: source?.id ?? null,
    };
    // extension `daysOff` (docs/api.md): the stored calendar's vacations, holidays and study days, so
    // the agent applies the outside-school-hours settings on them; an assumed calendar is not sent
    if (school) {
      const today = localTime(this.now(), school.calendar.timeZone).date;
      const memo = (await this.load()).daysOff;
      const key = `${school.schoolId} ${today}`;
      let daysOff = memo.get(key);
      if (!daysOff) {
        daysOff = daysOffFor(school.calendar, today);
        if (memo.size >= 10_000) memo.clear(); // a console that runs for years without a change
        memo.set(key, daysOff);
      }
      if (daysOff.length > 0) policy.daysOff = daysOff;
    }
    if (source) policy.policyName = source.name;
    const excluded = await this.excludedReasonOf(device);
    if (excluded) policy.excludedReason = excluded;
    return { policy, etag: policyEtag(policy) };
  }

  /**
   * Effective policies of many devices at once (a policy push), in the devices' order. Devices with
   * the same group, own policy and exclusion have the same effective policy, so it is resolved once
   * per such combination (a push to 30,000 devices in 300 rooms resolves 300 times) and those devices
   * share one result object.
   */
  async effectiveForEach(
    devices: readonly Pick<DeviceRecord, 'groupId' | 'policyId' | 'excludedReason'>[],
  ): Promise<{ policy: EffectivePolicy; etag: string }[]> {
    const byKey = new Map<string, Promise<{ policy: EffectivePolicy; etag: string }>>();
    return Promise.all(
      devices.map((d) => {
        const key = `${d.groupId}:${d.policyId ?? ''}:${d.excludedReason ?? ''}`;
        let r = byKey.get(key);
        if (!r) {
          r = this.effectiveFor(d);
          byKey.set(key, r);
        }
        return r;
      }),
    );
  }
}

/**
 * Where a device stands with its current effective policy (documented in docs/api.md):
 * - `pending`: the device has not reported applying the current policy (etag) yet;
 * - `failed`: it applied the current policy and reported errors;
 * - `drifted`: it had applied the current policy without errors, but connected again later
 *   announcing another policy etag (its settings were changed or restored locally since);
 * - `compliant`: it applied the current policy without errors.
 */
export function policyStatusOf(
  device: Pick<DeviceRecord, 'policyStatus' | 'helloEtag' | 'helloAt'>,
  currentEtag: string,
): DevicePolicyStatus {
  const st = device.policyStatus;
  if (!st || st.etag !== currentEtag) return 'pending';
  if (!st.ok) return 'failed';
  if (
    device.helloEtag &&
    device.helloAt !== null &&
    device.helloAt > st.at &&
    device.helloEtag !== currentEtag
  ) {
    return 'drifted';
  }
  return 'compliant';
}
