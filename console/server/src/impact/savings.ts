import {
  type BeforeAfterResult,
  compareBeforeAfter,
  compileCalendar,
  DAY_MS,
  type DeviceDayWaste,
  FALLBACK_SCHOOL_DAYS_PER_YEAR,
  type PolicyChange,
  policyEtag,
  type RoomSavings,
  type SavingsAnswer,
  type SchoolSavings,
  type SideFigures,
} from '@sluimer/shared';
import { resolveCalendar, schoolOf } from '../calendar/school-calendars.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { GroupRecord, PolicyHistoryRecord, Store } from '../store/types.js';

/**
 * Before/after per school and room (docs/impact.md, "Besparing"): for every room whose policy changed
 * (policy history), recorded avoidable waste per device-school-day before vs after the latest change,
 * school days only (compareBeforeAfter never sets a vacation or weekend against a school day), from
 * the hour rollups in the school's local days. Euros first; the trend shows the days around it.
 */

/** how far before a change the "before" side reaches at most */
export const SAVINGS_BEFORE_DAYS = 56;
/** days the trend shows at most */
export const SAVINGS_TREND_DAYS = 120;

const policyOf = (r: PolicyHistoryRecord | undefined) => ({
  policyId: r?.policyId ?? null,
  policyName: r?.policyName ?? null,
  auditOnly: r?.auditOnly ?? true,
});

/** The policy changes a room went through, in order, each with the row before it. */
function changesOf(
  room: GroupRecord,
  history: readonly PolicyHistoryRecord[],
): { at: number; row: PolicyHistoryRecord; prev: PolicyHistoryRecord | undefined }[] {
  // the room's own group rows carry its effective policy (ancestors included), so its rows suffice
  const rows = history.filter((r) => r.groupId === room.id && r.deviceId === null);
  const out: { at: number; row: PolicyHistoryRecord; prev: PolicyHistoryRecord | undefined }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const prev = rows[i - 1];
    // the first row found when recording began is a state, not a change
    if (row.firstRecord || !prev) continue;
    // a new etag with the same policy and settings: only the days off sent to agents moved (a calendar
    // edit, a new school year), which changes nothing about the policy
    if (samePolicy(row, prev)) continue;
    // an edit that changes nothing that saves energy (name only) is still a new etag: keep it, the user
    // sees the policy's name on the chart
    out.push({ at: row.at, row, prev });
  }
  return out;
}

function samePolicy(a: PolicyHistoryRecord, b: PolicyHistoryRecord): boolean {
  return (
    a.policyId === b.policyId &&
    a.policyName === b.policyName &&
    a.auditOnly === b.auditOnly &&
    a.excludedReason === b.excludedReason &&
    policyEtag(a.settings) === policyEtag(b.settings)
  );
}

export async function computeSavings(
  store: Store,
  policies: PolicyService,
  options: { groupId?: number; now: number },
): Promise<SavingsAnswer> {
  const settings = await store.getSettings();
  const price = settings.priceEurPerKwh;
  const groups = await store.listGroups();
  const scope = options.groupId !== undefined ? await policies.subtree(options.groupId) : undefined;
  const devices = (await store.listDevices()).filter((d) => !scope || scope.has(d.groupId));
  const byRoom = new Map<number, typeof devices>();
  for (const d of devices) byRoom.set(d.groupId, [...(byRoom.get(d.groupId) ?? []), d]);
  // as of `now`: a change recorded later is not known yet (the annual report asks as of a year's end)
  const history = (await store.listPolicyHistory({ groupIds: [...byRoom.keys()] })).filter(
    (r) => r.at <= options.now,
  );

  const schools = new Map<number, SchoolSavings>();
  const schoolDays = new Map<number, DeviceDayWaste[]>();
  const trendFrom = options.now - SAVINGS_TREND_DAYS * DAY_MS;

  for (const group of groups) {
    const roomDevices = byRoom.get(group.id);
    if (!roomDevices) continue;
    const school = (await schoolOf(policies, group.id)) ?? group;
    const resolved = await resolveCalendar(policies, group.id);
    const cal = compileCalendar(resolved.calendar);
    const changes = changesOf(group, history);
    const latest = changes[changes.length - 1];
    const prevChangeAt = changes.length > 1 ? changes[changes.length - 2]!.at : -Infinity;
    const own = roomDevices.filter((d) => d.policyId !== null);
    const followers = roomDevices.filter((d) => d.policyId === null);

    const readFrom = Math.min(
      trendFrom,
      latest ? Math.max(prevChangeAt, latest.at - SAVINGS_BEFORE_DAYS * DAY_MS) : trendFrom,
    );
    const hours = await store.wastePerDeviceHour(
      followers.map((d) => d.id),
      readFrom,
      options.now,
    );
    // hour rollups fall on whole local hours in Dutch zones: each hour belongs to one local day
    const perDay = new Map<string, DeviceDayWaste>();
    for (const h of hours) {
      const day = cal.dayAt(h.hour);
      const key = `${h.deviceId} ${day.date}`;
      const d = perDay.get(key) ?? {
        deviceId: h.deviceId,
        date: day.date,
        dayType: day.type,
        wasteKwh: 0,
        hasData: true,
      };
      d.wasteKwh += h.wasteWh / 1000;
      perDay.set(key, d);
    }
    // the day of "now" is not over yet: left out of both sides and the trend
    const today = cal.dayAt(options.now).date;
    const days = [...perDay.values()].filter((d) => d.date < today);

    let comparison: BeforeAfterResult | null = null;
    let change: PolicyChange | null = null;
    if (latest) {
      const changedOn = cal.dayAt(latest.at).date;
      const beforeFrom = cal.dayAt(Math.max(prevChangeAt, latest.at - SAVINGS_BEFORE_DAYS * DAY_MS)).date;
      comparison = compareBeforeAfter({
        // from the day after the window opens (a previous change's own day is half one, half the other)
        days: days.filter((d) => d.date > beforeFrom),
        changedOn,
        dayTypes: ['school_day', 'weekend', 'vacation'],
      });
      change = {
        at: latest.at,
        date: changedOn,
        groupId: group.id,
        groupName: group.name,
        from: policyOf(latest.prev),
        to: policyOf(latest.row),
      };
    }
    const eur = (kwh: number | null | undefined) => (kwh === null || kwh === undefined ? null : kwh * price);
    const room: RoomSavings = {
      groupId: group.id,
      name: group.name,
      devices: followers.length,
      devicesWithOwnPolicy: own.length,
      change,
      comparison,
      savingPerYearEur: perYear(comparison?.before, comparison?.after, followers.length, price),
      beforeEurPerDeviceDay: eur(comparison?.before.wasteKwhPerDeviceDay),
      afterEurPerDeviceDay: eur(comparison?.after.wasteKwhPerDeviceDay),
    };

    let s = schools.get(school.id);
    if (!s) {
      s = {
        groupId: school.id,
        name: school.name,
        calendarStored: resolved.stored,
        before: { deviceDays: 0, wasteKwh: 0, wasteKwhPerDeviceDay: null },
        after: { deviceDays: 0, wasteKwh: 0, wasteKwhPerDeviceDay: null },
        reductionPct: null,
        savingPerYearEur: null,
        beforeEurPerDeviceDay: null,
        afterEurPerDeviceDay: null,
        rooms: [],
        trend: [],
        changes: [],
      };
      schools.set(school.id, s);
      schoolDays.set(school.id, []);
    }
    s.rooms.push(room);
    if (change) s.changes.push(change);
    if (comparison) {
      for (const k of ['before', 'after'] as const) {
        s[k].deviceDays += comparison[k].deviceDays;
        s[k].wasteKwh += comparison[k].wasteKwh;
      }
      if (room.savingPerYearEur !== null)
        s.savingPerYearEur = (s.savingPerYearEur ?? 0) + room.savingPerYearEur;
    }
    schoolDays.get(school.id)!.push(...days.filter((d) => d.date >= cal.dayAt(trendFrom).date));
  }

  for (const s of schools.values()) {
    for (const k of ['before', 'after'] as const) {
      s[k].wasteKwhPerDeviceDay = s[k].deviceDays > 0 ? s[k].wasteKwh / s[k].deviceDays : null;
    }
    const b = s.before.wasteKwhPerDeviceDay;
    const a = s.after.wasteKwhPerDeviceDay;
    s.reductionPct = b !== null && a !== null && b > 0 ? ((b - a) / b) * 100 : null;
    s.beforeEurPerDeviceDay = b === null ? null : b * price;
    s.afterEurPerDeviceDay = a === null ? null : a * price;
    s.changes.sort((x, y) => x.at - y.at);
    const byDate = new Map<string, { dayType: string; kwh: number; devices: number }>();
    for (const d of schoolDays.get(s.groupId)!) {
      const t = byDate.get(d.date) ?? { dayType: d.dayType, kwh: 0, devices: 0 };
      t.kwh += d.wasteKwh;
      t.devices++;
      byDate.set(d.date, t);
    }
    s.trend = [...byDate.entries()]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([date, t]) => ({
        date,
        dayType: t.dayType,
        eurPerDevice: (t.kwh / t.devices) * price,
        devices: t.devices,
      }));
    s.rooms.sort((x, y) => (y.savingPerYearEur ?? -Infinity) - (x.savingPerYearEur ?? -Infinity));
  }
  return {
    now: options.now,
    priceEurPerKwh: price,
    schoolDaysPerYear: FALLBACK_SCHOOL_DAYS_PER_YEAR,
    schools: [...schools.values()].sort((x, y) => x.name.localeCompare(y.name, 'nl')),
  };
}

/** A year of the school-day difference: school days only (weekends and vacations are not extrapolated). */
function perYear(
  before: SideFigures | undefined,
  after: SideFigures | undefined,
  devices: number,
  price: number,
): number | null {
  const b = before?.wasteKwhPerDeviceDay;
  const a = after?.wasteKwhPerDeviceDay;
  if (b === null || b === undefined || a === null || a === undefined) return null;
  return (b - a) * devices * FALLBACK_SCHOOL_DAYS_PER_YEAR * price;
}
