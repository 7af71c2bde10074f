import { DAY_MS, type GroupWeek, HOUR_MS, localTime, MINUTE_MS, type SummaryFrame } from '@sluimer/shared';
import type { PolicyService } from '../policy-service.js';
import type { GroupRecord, Store } from '../store/types.js';
import { computeUsage } from '../usage.js';

/** at most this many groups per summary (protocol: SummaryFrameSchema.groups) */
const MAX_GROUPS = 4;
/** figures are bounded by the protocol */
const MAX_FIGURE = 1_000_000;

type WeekFigures = GroupWeek['thisWeek'];

interface CachedGroup {
  hour: number;
  at: number;
  weekStart: string;
  thisWeek: WeekFigures;
  lastWeek: WeekFigures;
}

/**
 * The `summary` extension frame (docs/api.md "Protocol extensions"): idle-on figures of a device's
 * groups for this week so far and the same span of last week, from the fleet rollups via
 * computeUsage. Computed at most once per group, time zone and clock hour and shared by every
 * device of the group (a room has tens of devices; a reconnect storm must not recompute per socket).
 */
export class SummaryService {
  private readonly cache = new Map<string, CachedGroup>();
  private readonly inflight = new Map<string, Promise<CachedGroup>>();

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyService,
    private readonly now: () => number = Date.now,
  ) {}

  /** the summary for a device in `groupId` */
  async frameFor(groupId: number): Promise<SummaryFrame> {
    const zone = await this.policies.timeZoneOf(groupId);
    const hour = Math.floor(this.now() / HOUR_MS);
    this.prune(hour);
    const groups: GroupWeek[] = [];
    let at = this.now();
    let weekStart = weekStartOf(at, zone).date;
    for (const { group, scope } of await this.scopedChain(groupId)) {
      const g = await this.figures(group.id, zone, hour);
      at = g.at;
      weekStart = g.weekStart;
      groups.push({
        scope,
        label: group.name.slice(0, 100),
        thisWeek: g.thisWeek,
        lastWeek: g.lastWeek,
      });
    }
    return { type: 'summary', at, weekStart, groups };
  }

  /**
   * The device's group and its ancestors up to the school, most specific first, with the protocol
   * scope each is sent as. Protocol v1 knows the scopes `room` and `class` only (the agent rejects a
   * frame with any other, and its texts say "your room"/"your class"), so only groups of kind `room`
   * are sent: the nearest as `room`, a room-kind group above it (a class grouping rooms) as `class`.
   * Building and school figures need a new scope in shared/src/protocol.ts and the agent's texts.
   */
  private async scopedChain(groupId: number): Promise<{ group: GroupRecord; scope: GroupWeek['scope'] }[]> {
    const chain = (await this.policies.chain(groupId)).slice().reverse();
    const out: { group: GroupRecord; scope: GroupWeek['scope'] }[] = [];
    for (const g of chain) {
      if (g.kind === 'board' || out.length >= MAX_GROUPS) break;
      if (g.kind === 'room') out.push({ group: g, scope: out.length === 0 ? 'room' : 'class' });
      if (g.kind === 'school') break;
    }
    return out;
  }

  private figures(groupId: number, zone: string, hour: number): Promise<CachedGroup> {
    const key = `${groupId}|${zone}`;
    const cached = this.cache.get(key);
    if (cached && cached.hour === hour) return Promise.resolve(cached);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.compute(groupId, zone, hour)
        .then((c) => {
          this.cache.set(key, c);
          return c;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async compute(groupId: number, zone: string, hour: number): Promise<CachedGroup> {
    const at = this.now();
    const monday = weekStartOf(at, zone);
    const span = async (from: number, to: number): Promise<WeekFigures> => {
      if (to <= from) return { idleOnHours: 0, wasteKwh: 0, wasteEur: 0 };
      const usage = await computeUsage(
        this.store,
        this.policies,
        { from, to, groupBy: 'group', groupId },
        { now: at },
      );
      let idleSec = 0;
      let wasteKwh = 0;
      let wasteEur = 0;
      for (const r of usage.rows) {
        idleSec += r.idleSec;
        wasteKwh += r.wasteKwh;
        wasteEur += r.wasteEur;
      }
      return {
        idleOnHours: figure(idleSec / 3600, 2),
        wasteKwh: figure(wasteKwh, 3),
        wasteEur: figure(wasteEur, 2),
      };
    };
    // last week: its Monday 00:00 local (7 local days back, whatever DST did) up to at − 7 days
    const lastMonday = localMidnight(addDays(monday.date, -7), zone);
    return {
      hour,
      at,
      weekStart: monday.date,
      thisWeek: await span(monday.ms, at),
      lastWeek: await span(lastMonday, at - 7 * DAY_MS),
    };
  }

  private prune(hour: number): void {
    for (const [k, v] of this.cache) if (v.hour !== hour) this.cache.delete(k);
  }
}

function figure(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.min(MAX_FIGURE, Math.max(0, Math.round(x * f) / f));
}

/** the local date and instant of Monday 00:00 of the week containing `ms` in `zone` */
export function weekStartOf(ms: number, zone: string): { date: string; ms: number } {
  const l = localTime(ms, zone);
  // noon anchors the day arithmetic away from DST edges
  const date = localTime(ms - l.weekday * DAY_MS + (12 - l.hour) * HOUR_MS, zone).date;
  return { date, ms: localMidnight(date, zone) };
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** the instant local midnight starts `date` (YYYY-MM-DD) in `zone` */
export function localMidnight(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall;
  // two rounds of "wall clock minus the zone's offset at the guess" settle on the instant
  for (let i = 0; i < 3; i++) {
    const l = localTime(t, zone);
    const [ly, lm, ld] = l.date.split('-').map(Number) as [number, number, number];
    const shown = Date.UTC(ly, lm - 1, ld, l.hour, l.minute);
    const offset = shown - Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const next = wall - offset;
    if (next === t) break;
    t = next;
  }
  return t;
}
