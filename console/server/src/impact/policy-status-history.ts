import { ErrorCode, type PolicyFacts } from '@sluimer/shared';
import type { PolicyStatusEvent } from '../store/types.js';

/**
 * A device's policy status over time from its recorded events (Store.policyStatusHistory), by the same
 * rule as today's status (groups/policy-service.ts `policyStatusOf`), applied at each moment: the last
 * policy_status frame at or before it decides — another etag than the one in force: pending; an error
 * saying Group Policy or MDM overrides the setting: locked; not ok: failed; a later hello naming
 * another etag: drifted; else compliant. Before a device's first recorded frame the status is not
 * known (undefined).
 */
export type RecordedStatus = NonNullable<PolicyFacts['status']>;

export function recordedStatusAt(
  events: readonly PolicyStatusEvent[],
  etag: string,
  t: number,
): RecordedStatus | undefined {
  let status: PolicyStatusEvent | undefined;
  let hello: PolicyStatusEvent | undefined;
  for (const e of events) {
    if (e.at > t) break;
    if (e.kind === 'status') status = e;
    else hello = e;
  }
  if (!status) return undefined;
  if (status.etag !== etag) return 'pending';
  if (status.errorCodes.includes(ErrorCode.OverriddenByPolicy)) return 'locked';
  if (!status.ok) return 'failed';
  if (hello && hello.at > status.at && hello.etag !== etag) return 'drifted';
  return 'compliant';
}

/**
 * The recorded status over [from, to) for a policy with `etag`, as pieces of time. Pieces before the
 * device's first recorded frame carry `undefined` (the caller decides what to assume).
 */
export function recordedStatusOver(
  events: readonly PolicyStatusEvent[],
  etag: string,
  from: number,
  to: number,
): { from: number; to: number; status: RecordedStatus | undefined }[] {
  if (to <= from) return [];
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const cuts = [from, ...sorted.map((e) => e.at).filter((at) => at > from && at < to), to];
  const out: { from: number; to: number; status: RecordedStatus | undefined }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    if (b <= a) continue;
    const status = recordedStatusAt(sorted, etag, a);
    const last = out[out.length - 1];
    if (last && last.status === status) last.to = b;
    else out.push({ from: a, to: b, status });
  }
  return out;
}
