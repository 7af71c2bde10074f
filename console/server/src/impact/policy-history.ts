import type { EffectivePolicy } from '@sluimer/shared';
import type { PolicyService } from '../groups/policy-service.js';
import type { NewPolicyHistory, PolicyHistoryRecord, Store } from '../store/types.js';

/**
 * Policy history (docs/impact.md, "Policy history"): which effective policy governed each group, and
 * each device with its own policy, from when. Recorded by comparing what the policy service resolves
 * now with the last recorded row, after every change that can move it (assign, unassign, policy edit
 * or delete, group move or exclusion, school calendar) and at start. Only changes are written.
 */

const targetKey = (r: Pick<NewPolicyHistory, 'groupId' | 'deviceId'>) =>
  r.deviceId !== null ? `d${r.deviceId}` : `g${r.groupId}`;

function rowOf(
  target: { groupId: number | null; deviceId: number | null },
  policy: EffectivePolicy,
  etag: string,
  at: number,
  firstRecord: boolean,
): NewPolicyHistory {
  const { timeZone: _z, excludedReason, policyId, policyName, ...settings } = policy;
  return {
    ...target,
    policyId: policyId ?? null,
    policyName: policyName ?? null,
    auditOnly: settings.auditOnly === true,
    excludedReason: excludedReason ?? null,
    settings,
    etag,
    at,
    firstRecord,
  };
}

/**
 * The effective policy as history records it: its settings without `daysOff` (the school calendar's
 * vacations sent along to agents; the calendar itself says which days they are), under the etag the
 * agents get, so a recorded row still matches what a device reports applying. A calendar edit that
 * only moves days off writes a row with the same settings; Besparing does not count it as a change.
 */
async function governing(
  policies: PolicyService,
  device: Parameters<PolicyService['effectiveFor']>[0],
): Promise<{ policy: EffectivePolicy; etag: string }> {
  const { policy, etag } = await policies.effectiveFor(device);
  const { daysOff: _calendar, ...rest } = policy;
  return { policy: rest, etag };
}

/** The latest recorded row per target (`g<id>` / `d<id>`). */
export function latestByTarget(history: readonly PolicyHistoryRecord[]): Map<string, PolicyHistoryRecord> {
  const out = new Map<string, PolicyHistoryRecord>();
  for (const r of history) out.set(targetKey(r), r); // oldest first: the last one wins
  return out;
}

/**
 * Writes a row for every group and device whose effective policy differs from its last recorded one;
 * returns the rows written. A device is tracked while it has its own policy, and once more when it
 * loses it (it then follows its group again).
 */
export async function recordPolicyState(
  store: Store,
  policies: PolicyService,
  at: number,
): Promise<NewPolicyHistory[]> {
  const history = await store.listPolicyHistory();
  const latest = latestByTarget(history);
  // nothing recorded yet: the state found now began at an unknown moment
  const firstRecord = history.length === 0;
  const rows: NewPolicyHistory[] = [];
  for (const g of await store.listGroups()) {
    const { policy, etag } = await governing(policies, {
      groupId: g.id,
      policyId: null,
      excludedReason: null,
    });
    if (latest.get(`g${g.id}`)?.etag !== etag)
      rows.push(rowOf({ groupId: g.id, deviceId: null }, policy, etag, at, firstRecord));
  }
  for (const d of await store.listDevices()) {
    const last = latest.get(`d${d.id}`);
    if (d.policyId === null && d.excludedReason === null && (!last || last.policyId === null)) continue;
    const { policy, etag } = await governing(policies, d);
    if (last?.etag !== etag)
      rows.push(rowOf({ groupId: null, deviceId: d.id }, policy, etag, at, firstRecord));
  }
  if (rows.length > 0) await store.appendPolicyHistory(rows);
  return rows;
}

/**
 * Serialises recordings so two changes close together never both see the same "last row" and write
 * duplicates.
 */
export class PolicyHistoryRecorder {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyService,
    private readonly now: () => number,
  ) {}

  record(): Promise<NewPolicyHistory[]> {
    const run = this.last.then(() => recordPolicyState(this.store, this.policies, this.now()));
    this.last = run.catch(() => undefined);
    return run;
  }
}
