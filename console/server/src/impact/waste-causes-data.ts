import {
  adminSettingsNotInForce,
  type DeviceWasteInput,
  ErrorCode,
  explainRemainingWaste,
  googleAdminSettings,
  type Interval,
  idleOverruns,
  type PolicyFacts,
  recommendedPolicy,
  replayWhatIf,
  type WasteCausesAnswer,
} from '@sluimer/shared';
import { DEFAULT_TIME_ZONE, type PolicyService, policyStatusOf } from '../groups/policy-service.js';
import type { DeviceRecord, PolicyHistoryRecord, PolicyStatusEvent, Store } from '../store/types.js';
import { blockerHistoryLimitation, historyDay } from './blocker-history.js';
import { latestByTarget } from './policy-history.js';
import { recordedStatusOver } from './policy-status-history.js';
import { calendarForZone, gatherWhatIfData } from './what-if-data.js';

/**
 * Why the rest is still wasted (docs/impact.md): each device's recorded waste in a period, replayed
 * under the recommended policy and split by cause with the policy facts the console recorded for the
 * period (policy history) and the blocker spans recorded by ingest (blocker history), not today's
 * state. What is not recorded is said in `limitations`.
 */

/** The recommended policy without school hours of its own: each device's school calendar decides. */
function recommendedSettings() {
  const { schoolHours: _own, ...settings } = recommendedPolicy().settings;
  return settings;
}

/**
 * What today's state says about a row's time, used where nothing was recorded: before a device's first
 * recorded policy_status (on a console upgraded from a version without the history, or a period before
 * its first report), today's status for the policy in force now, and "applied" for an older one.
 */
function assumedFacts(
  row: PolicyHistoryRecord | undefined,
  device: DeviceRecord,
  etagNow: string,
): PolicyFacts {
  if (!row) return { policy: 'unknown' };
  if (row.policyId === null) return { policy: 'none' };
  if (row.auditOnly) return { policy: 'audit_only' };
  if (row.etag !== etagNow) return { policy: 'enforced', status: 'compliant' };
  if (device.policyStatus?.errors.some((e) => e.code === ErrorCode.OverriddenByPolicy)) {
    return { policy: 'enforced', status: 'locked' };
  }
  const status = policyStatusOf(device, etagNow);
  return { policy: 'enforced', status };
}

/**
 * The facts over [from, to) as shares of time: the rows of the device (when it had its own policy) or
 * else of its group, each holding until the next. The state found when recording began is taken to have
 * held before it too. Within an enforced row the status comes from the device's recorded policy-status
 * events (impact/policy-status-history.ts), moment by moment; where none was recorded yet, from
 * `assumedFacts`.
 */
function factsOverPeriod(
  rows: readonly PolicyHistoryRecord[],
  device: DeviceRecord,
  etagNow: string,
  events: readonly PolicyStatusEvent[],
  from: number,
  to: number,
): DeviceWasteInput['facts'] {
  if (rows.length === 0) return { policy: 'unknown' };
  const out: { share: number; facts: PolicyFacts }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const start = Math.max(from, i === 0 && row.firstRecord ? -Infinity : row.at);
    const end = Math.min(to, i + 1 < rows.length ? rows[i + 1]!.at : Infinity);
    if (end <= start) continue;
    const assumed = assumedFacts(row, device, etagNow);
    if (assumed.policy !== 'enforced') {
      out.push({ share: (end - start) / (to - from), facts: assumed });
      continue;
    }
    for (const piece of recordedStatusOver(events, row.etag, start, end)) {
      out.push({
        share: (piece.to - piece.from) / (to - from),
        facts: piece.status ? { policy: 'enforced', status: piece.status } : assumed,
      });
    }
  }
  // before the first row (a group made later than the period's start): nothing recorded
  const firstStart = rows[0]!.firstRecord ? -Infinity : rows[0]!.at;
  if (firstStart > from) {
    out.push({ share: (Math.min(firstStart, to) - from) / (to - from), facts: { policy: 'unknown' } });
  }
  return out.length > 0 ? out : { policy: 'unknown' };
}

/**
 * A Chromebook does not enforce the policy itself: ChromeOS follows Google Admin, and its agent reports
 * the policy taken with `enforcedBy: 'google-admin'`. Whether the Admin settings are in force shows
 * only in its measured idle: by the rule of the group's Google Admin panel (http/google-admin.ts),
 * applied to the period's intervals and the idle time the policy in force now asks for. When they are
 * not in force, time recorded as applied (or assumed so) is `admin_not_in_force`, not compliant; a
 * Chromebook that follows the settings keeps the normal causes.
 */
function withAdminNotInForce(facts: DeviceWasteInput['facts']): DeviceWasteInput['facts'] {
  const swap = (f: PolicyFacts): PolicyFacts =>
    f.policy === 'enforced' && (f.status === 'compliant' || f.status === undefined)
      ? { policy: 'enforced', status: 'admin_not_in_force' }
      : f;
  return Array.isArray(facts)
    ? (facts as readonly { share: number; facts: PolicyFacts }[]).map((x) => ({ ...x, facts: swap(x.facts) }))
    : swap(facts as PolicyFacts);
}

function adminNotInForce(
  device: DeviceRecord,
  policy: Parameters<typeof googleAdminSettings>[0],
  intervals: readonly Interval[],
  from: number,
  to: number,
): boolean {
  if ((device.deviceClass ?? device.detectedClass) !== 'chromebook') return false;
  const inPeriod = intervals.filter((i) => i.end > from && i.start < to).sort((a, b) => a.start - b.start);
  return adminSettingsNotInForce(idleOverruns(inPeriod, googleAdminSettings(policy).idleSec));
}

export async function computeWasteCauses(
  store: Store,
  policies: PolicyService,
  scope: { groupIds: number[]; deviceIds: number[] },
  period: { from: number; to: number; now: number },
  opts: { blockerNames?: boolean } = {},
): Promise<WasteCausesAnswer> {
  const data = await gatherWhatIfData(store, policies, scope, period, opts);
  const result = replayWhatIf({
    policy: recommendedSettings(),
    from: period.from,
    to: period.to,
    rawRetentionFrom: data.rawRetentionFrom,
    calendar: calendarForZone(DEFAULT_TIME_ZONE),
    calendars: data.calendars,
    devices: data.devices,
    energy: data.settings,
  });
  const ids = data.devices.map((d) => d.deviceId);
  const records = new Map(
    (await store.listDevices()).filter((d) => ids.includes(d.id)).map((d) => [d.id, d]),
  );
  const groupIds = [...new Set([...records.values()].map((d) => d.groupId))];
  const history = await store.listPolicyHistory({ groupIds, deviceIds: ids });
  const byTarget = new Map<string, PolicyHistoryRecord[]>();
  for (const r of history) {
    const k = r.deviceId !== null ? `d${r.deviceId}` : `g${r.groupId}`;
    byTarget.set(k, [...(byTarget.get(k) ?? []), r]);
  }
  const latest = latestByTarget(history);
  const statusEvents = new Map<number, PolicyStatusEvent[]>();
  for (const e of await store.policyStatusHistory(ids, period.to)) {
    let list = statusEvents.get(e.deviceId);
    if (!list) {
      list = [];
      statusEvents.set(e.deviceId, list);
    }
    list.push(e);
  }
  const inputs: DeviceWasteInput[] = [];
  for (const replay of result.perDevice) {
    const device = records.get(replay.deviceId);
    if (!device) continue;
    const { etag, policy } = await policies.effectiveFor(device);
    const own = byTarget.get(`d${device.id}`);
    const group = byTarget.get(`g${device.groupId}`) ?? [];
    // a device with its own rows: its group's rows until its first own row, then its own
    const rows = own
      ? [...group.filter((r) => r.at < own[0]!.at), ...own]
      : latest.has(`g${device.groupId}`)
        ? group
        : [];
    const src = data.devices.find((d) => d.deviceId === replay.deviceId);
    const facts = factsOverPeriod(
      rows,
      device,
      etag,
      statusEvents.get(device.id) ?? [],
      period.from,
      period.to,
    );
    const input: DeviceWasteInput = {
      deviceId: replay.deviceId,
      replay,
      facts: adminNotInForce(device, policy, src?.intervals ?? [], period.from, period.to)
        ? withAdminNotInForce(facts)
        : facts,
    };
    if (src?.name) input.name = src.name;
    if (src?.group) input.group = src.group;
    inputs.push(input);
  }
  const yearFactor = result.avoidedKwh > 0 ? result.perYear.avoidedKwh / result.avoidedKwh : undefined;
  const split = explainRemainingWaste(inputs, {
    priceEurPerKwh: data.settings.priceEurPerKwh,
    ...(yearFactor !== undefined ? { yearFactor } : {}),
  });
  const limitations: { code: string; message: string }[] = [];
  const blockerHistory = blockerHistoryLimitation(period.from, data.blockerHistoryFrom);
  if (blockerHistory) limitations.push(blockerHistory);
  const statusFrom = await store.policyStatusHistoryFrom();
  if (period.from < statusFrom) {
    limitations.push({
      code: 'policy_status_history_not_recorded',
      message:
        `Of een beleid lukte, houdt de console pas sinds ${historyDay(statusFrom, 'nl-NL')} bij; voor tijd daarvóór geldt de huidige status voor het beleid van nu en "toegepast" voor eerdere versies. / ` +
        `The console records whether a policy worked only since ${historyDay(statusFrom, 'en-GB')}; for time before that the current status counts for today's policy and "applied" for earlier versions.`,
    });
  }
  if (!result.retention.complete) {
    limitations.push({
      code: 'raw_retention_exceeded',
      message: `De cijfers gelden vanaf ${new Date(result.retention.coveredFrom).toISOString()} (bewaartermijn ruwe gegevens). / The figures cover only from ${new Date(result.retention.coveredFrom).toISOString()} (raw-data retention).`,
    });
  }
  return { from: period.from, to: period.to, ...split, limitations };
}
