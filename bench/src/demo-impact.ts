import { DEMO_POLICY, type DemoSummary } from '@sluimer/scripts/demo';
import { type ConsoleClient, listOf } from '@sluimer/scripts/fleet';
import { boardDevices, demoBoard } from '@sluimer/scripts/model';
import {
  addDays,
  compileCalendar,
  type GroupCalendar,
  type PolicySettings,
  REPLAY_LOOKBACK_MS,
  type SavingsAnswer,
  type WhatIfResponse,
  weekdayOfDate,
  zonedTimeToUtc,
} from '@sluimer/shared';

/**
 * The demo board's proof of impact (docs/impact.md, "The figure on the demo board"), measured only
 * through the console's public API on a seeded demo board:
 *
 * - **predicted**: `POST /api/v1/what-if` with the demo's policy (Sluimer's recommended policy) over
 *   each whole Monday–Sunday week of the audit-only part that holds no vacation, holiday or study day
 *   in any enforcing school's calendar, scoped to the enforcing schools: kWh avoided per device-week;
 * - **measured**: `GET /api/v1/savings` for the same schools: per room and day type (school days,
 *   weekends) the waste per device-day before and after the policy arrived, weighted by the room's
 *   devices and combined as a week of 5 school days and 2 weekend days;
 * - the share of avoidable waste the policy removes, both ways, and the what-if's share for the
 *   desktops alone (the Wesleyan anchor, 64 %, was measured on classroom PCs).
 */
export interface DemoImpact {
  devices: number;
  /** the whole audit-only weeks the what-if replayed (local Monday dates) */
  weeks: string[];
  predictedKwhPerDeviceWeek: number;
  measuredKwhPerDeviceWeek: number;
  /** |predicted − measured| / measured */
  difference: number;
  shareRemovedPredicted: number;
  shareRemovedMeasured: number;
  /** the what-if's share for the enforcing schools' desktops and all-in-ones alone */
  shareRemovedPredictedDesktops: number | null;
  /** device-days behind the measured figures, per side and day type */
  deviceDays: Record<'school_day' | 'weekend', { before: number; after: number }>;
  perSchool: {
    name: string;
    devices: number;
    predictedKwhPerDeviceWeek: number;
    measuredKwhPerDeviceWeek: number;
    shareRemovedPredicted: number;
    shareRemovedMeasured: number;
  }[];
  /**
   * The what-if as it would be with the simulated blockers known: every enforcing-school device the
   * behaviour model gives a blocker (it holds the device awake the whole time) replayed with the
   * policy's display settings only, since a held device does not sleep. What the console cannot know
   * while it keeps no blocker history (limitation `blocker_history_not_recorded`).
   */
  blockersKnown: {
    devices: number;
    predictedKwhPerDeviceWeek: number;
    difference: number;
    shareRemovedPredicted: number;
  };
  /** what the what-if said it could not know (codes) */
  limitations: string[];
  /** devices whose latest report names a blocker */
  devicesWithBlockersNow: number;
}

interface DeviceRow {
  id: number;
  hostname: string;
  groupId: number | null;
  deviceClass: string;
}

const WEEK_DAYS = { school_day: 5, weekend: 2 } as const;

/** Local Mondays whose whole week lies in [from, to) and is a plain school week in every calendar. */
export function plainSchoolWeeks(calendars: GroupCalendar['calendar'][], from: number, to: number): string[] {
  const first = calendars[0];
  if (!first) return [];
  const compiled = calendars.map((c) => compileCalendar(c));
  const tz = first.timeZone;
  let monday = compiled[0]!.dayAt(from).date;
  while (weekdayOfDate(monday) !== 0 || zonedTimeToUtc(monday, 0, tz) < from) monday = addDays(monday, 1);
  const out: string[] = [];
  for (; zonedTimeToUtc(addDays(monday, 7), 0, tz) <= to; monday = addDays(monday, 7)) {
    let plain = true;
    for (let i = 0; i < 7 && plain; i++) {
      for (const c of compiled) {
        const type = c.dayType(addDays(monday, i));
        if (type !== 'school_day' && type !== 'weekend') plain = false;
      }
    }
    if (plain) out.push(monday);
  }
  return out;
}

async function whatIf(
  api: ConsoleClient,
  scope: { groupIds?: number[]; deviceIds?: number[] },
  weeks: string[],
  tz: string,
  settings: PolicySettings = DEMO_POLICY.settings,
): Promise<{ avoidedKwh: number; wasteKwh: number; devices: number; answers: WhatIfResponse[] }> {
  let avoidedKwh = 0;
  let wasteKwh = 0;
  let devices = 0;
  const answers: WhatIfResponse[] = [];
  for (const monday of weeks) {
    const a = await api.post<WhatIfResponse>('/api/v1/what-if', {
      policy: { settings },
      ...scope,
      from: zonedTimeToUtc(monday, 0, tz),
      to: zonedTimeToUtc(addDays(monday, 7), 0, tz),
    });
    if (!a.retention.complete) throw new Error(`week ${monday} lies partly beyond raw retention`);
    avoidedKwh += a.avoidedKwh;
    wasteKwh += a.wasteKwh;
    devices = Math.max(devices, a.devices);
    answers.push(a);
  }
  return { avoidedKwh, wasteKwh, devices, answers };
}

/** Measured before → after per device-week for rooms of the given schools (5 school days + 2 weekend days). */
function measured(savings: SavingsAnswer, schoolIds: Set<number>) {
  let devices = 0;
  let savedWeighted = 0;
  let beforeWeighted = 0;
  const deviceDays = {
    school_day: { before: 0, after: 0 },
    weekend: { before: 0, after: 0 },
  };
  for (const s of savings.schools) {
    if (!schoolIds.has(s.groupId)) continue;
    for (const r of s.rooms) {
      const c = r.comparison;
      if (!c || r.devices === 0) continue;
      let saved = 0;
      let before = 0;
      let complete = true;
      for (const type of ['school_day', 'weekend'] as const) {
        const t = c.byDayType.find((x) => x.dayType === type);
        const b = t?.before.wasteKwhPerDeviceDay;
        const a = t?.after.wasteKwhPerDeviceDay;
        if (b === null || b === undefined || a === null || a === undefined) {
          complete = false;
          break;
        }
        saved += WEEK_DAYS[type] * (b - a);
        before += WEEK_DAYS[type] * b;
        deviceDays[type].before += t!.before.deviceDays;
        deviceDays[type].after += t!.after.deviceDays;
      }
      if (!complete) continue;
      devices += r.devices;
      savedWeighted += r.devices * saved;
      beforeWeighted += r.devices * before;
    }
  }
  return {
    devices,
    kwhPerDeviceWeek: devices > 0 ? savedWeighted / devices : 0,
    share: beforeWeighted > 0 ? savedWeighted / beforeWeighted : 0,
    deviceDays,
  };
}

/** Measures the demo board's agreement and share of waste removed; `summary` is what `startDemo` returned. */
export async function measureDemoImpact(api: ConsoleClient, summary: DemoSummary): Promise<DemoImpact> {
  const enforced = summary.schools.filter((s) => s.enforced);
  const calendars = await Promise.all(
    enforced.map(async (s) => (await api.get<GroupCalendar>(`/api/v1/groups/${s.id}/calendar`)).calendar),
  );
  const tz = calendars[0]?.timeZone ?? 'Europe/Amsterdam';
  // the replay reads four hours before a period: the first week starts that long after the history
  const weeks = plainSchoolWeeks(calendars, summary.historyFrom + REPLAY_LOOKBACK_MS, summary.policyFrom);
  if (weeks.length === 0) throw new Error('no whole plain school week in the audit-only part of the history');

  const groupIds = enforced.map((s) => s.id);
  const predicted = await whatIf(api, { groupIds }, weeks, tz);
  const savings = await api.get<SavingsAnswer>('/api/v1/savings');
  const overall = measured(savings, new Set(groupIds));

  // the desktops of the enforcing schools: the kind of device the Wesleyan figure is about
  const devices = listOf<DeviceRow>(await api.get('/api/v1/devices'), 'devices');
  const groups = listOf<{ id: number; parentId: number | null }>(await api.get('/api/v1/groups'), 'groups');
  const inSchool = new Map<number, number>();
  for (const s of enforced) {
    const below = new Set([s.id]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const g of groups) {
        if (g.parentId !== null && below.has(g.parentId) && !below.has(g.id)) {
          below.add(g.id);
          grew = true;
        }
      }
    }
    for (const d of devices) if (d.groupId !== null && below.has(d.groupId)) inSchool.set(d.id, s.id);
  }
  const desktops = devices
    .filter((d) => inSchool.has(d.id) && (d.deviceClass === 'desktop' || d.deviceClass === 'all-in-one'))
    .map((d) => d.id);
  const desk = desktops.length > 0 ? await whatIf(api, { deviceIds: desktops }, weeks, tz) : undefined;

  // the devices the simulation holds awake with a blocker, and what the what-if says of them
  const blockedHosts = new Set(
    boardDevices(demoBoard({ deviceCount: summary.devices, policyFrom: summary.policyFrom }))
      .filter((x) => x.school.enforced && x.device.blocker)
      .map((x) => x.device.hostname),
  );
  const blocked = devices.filter((d) => inSchool.has(d.id) && blockedHosts.has(d.hostname)).map((d) => d.id);
  const { sleepAfterSec: _s, outsideSchoolHours, ...displayOnly } = DEMO_POLICY.settings;
  const heldSettings: PolicySettings = {
    ...displayOnly,
    ...(outsideSchoolHours?.displayOffAfterSec
      ? {
          outsideSchoolHours: {
            displayOffAfterSec: outsideSchoolHours.displayOffAfterSec,
            action: 'none' as const,
          },
        }
      : {}),
  };
  let blockedFull = 0;
  let blockedHeld = 0;
  if (blocked.length > 0) {
    blockedFull = (await whatIf(api, { deviceIds: blocked }, weeks, tz)).avoidedKwh;
    blockedHeld = (await whatIf(api, { deviceIds: blocked }, weeks, tz, heldSettings)).avoidedKwh;
  }
  const knownAvoided = predicted.avoidedKwh - blockedFull + blockedHeld;
  const knownPerDeviceWeek = knownAvoided / predicted.devices / weeks.length;

  const perSchool: DemoImpact['perSchool'] = [];
  for (const s of enforced) {
    const p = await whatIf(api, { groupIds: [s.id] }, weeks, tz);
    const m = measured(savings, new Set([s.id]));
    perSchool.push({
      name: s.name,
      devices: p.devices,
      predictedKwhPerDeviceWeek: p.avoidedKwh / p.devices / weeks.length,
      measuredKwhPerDeviceWeek: m.kwhPerDeviceWeek,
      shareRemovedPredicted: p.avoidedKwh / p.wasteKwh,
      shareRemovedMeasured: m.share,
    });
  }

  const predictedPerDeviceWeek = predicted.avoidedKwh / predicted.devices / weeks.length;
  const last = predicted.answers[predicted.answers.length - 1]!;
  return {
    devices: predicted.devices,
    weeks,
    predictedKwhPerDeviceWeek: predictedPerDeviceWeek,
    measuredKwhPerDeviceWeek: overall.kwhPerDeviceWeek,
    difference:
      Math.abs(predictedPerDeviceWeek - overall.kwhPerDeviceWeek) / Math.max(1e-9, overall.kwhPerDeviceWeek),
    shareRemovedPredicted: predicted.avoidedKwh / predicted.wasteKwh,
    shareRemovedMeasured: overall.share,
    shareRemovedPredictedDesktops: desk ? desk.avoidedKwh / desk.wasteKwh : null,
    deviceDays: overall.deviceDays,
    perSchool,
    blockersKnown: {
      devices: blocked.length,
      predictedKwhPerDeviceWeek: knownPerDeviceWeek,
      difference:
        Math.abs(knownPerDeviceWeek - overall.kwhPerDeviceWeek) / Math.max(1e-9, overall.kwhPerDeviceWeek),
      shareRemovedPredicted: knownAvoided / predicted.wasteKwh,
    },
    limitations: [...new Set(predicted.answers.flatMap((a) => a.limitations.map((l) => l.code)))],
    devicesWithBlockersNow: last.devicesWithBlockersNow,
  };
}

/** Days of demo history the measurement uses: the policy 14 days ago after at least 5 weeks of audit only. */
export const DEMO_IMPACT_HISTORY = { historyDays: 50, policyDaysAgo: 14 } as const;

/** The raw retention the console needs to keep that history. */
export const DEMO_IMPACT_RETENTION_DAYS = DEMO_IMPACT_HISTORY.historyDays + 5;
