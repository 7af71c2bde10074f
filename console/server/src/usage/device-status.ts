import type { DeviceState as IntervalState, PolicyStatusName } from '@sluimer/shared';
import { policyStatusOf } from '../groups/policy-service.js';
import type { DeviceRecord } from '../store/types.js';

/**
 * A device's state and policy status as every view shows them: the device list, the device page,
 * live events. Derived here, once, so the list, the page and the end of the timeline cannot disagree.
 *
 * - `asleep` / `off`: the last interval the device reported was asleep or off, and it has not
 *   (re)connected since that interval ended. A simulated or still-connected agent that reports
 *   sleeping is asleep, whatever its socket says; the timeline ends in the same state.
 * - `online`: connected, and either the last interval was awake or the device connected after its
 *   last sleep ended (an agent reconnects when its device wakes up).
 * - `offline`: not connected and last known awake, or nothing reported yet.
 */
export const DEVICE_VIEW_STATES = ['online', 'asleep', 'off', 'offline'] as const;
export type DeviceViewState = (typeof DEVICE_VIEW_STATES)[number];

export interface StateFacts {
  connected: boolean;
  /** when the current connection said hello (epoch ms); null when not connected or unknown */
  connectedSince: number | null;
  /** the newest interval the device reported */
  lastInterval: { state: IntervalState; end: number } | null;
}

export function deviceStateOf(f: StateFacts): DeviceViewState {
  const last = f.lastInterval;
  const resting = last !== null && (last.state === 'asleep' || last.state === 'off');
  if (f.connected) {
    if (resting && (f.connectedSince === null || f.connectedSince < last.end))
      return last.state as 'asleep' | 'off';
    return 'online';
  }
  return resting ? (last.state as 'asleep' | 'off') : 'offline';
}

export type { PolicyStatusName };

/**
 * `none` when no energy policy applies (the console default only measures, whatever the agent
 * acknowledged); otherwise how far the device got with the policy that applies (`policyStatusOf`),
 * where a device that took it and whose platform enforces it (a Chromebook: Google Admin) is `external`.
 * A device excluded from policies has a status too: it has to acknowledge its exclusion.
 */
export function policyStatusFor(
  device: Pick<DeviceRecord, 'policyStatus' | 'helloEtag' | 'helloAt'>,
  effective: { policyId?: number | null; excludedReason?: string | null },
  currentEtag: string,
): PolicyStatusName {
  if (effective.policyId == null && !effective.excludedReason) return 'none';
  const status = policyStatusOf(device, currentEtag);
  // the agent took the current policy and said its platform (Google Admin) enforces it: saying
  // `compliant` would claim what Sluimer cannot see; the Google Admin panel checks the behaviour
  if (status === 'compliant' && device.policyStatus?.applied.enforcedBy) return 'external';
  return status;
}
