import type {
  Advice,
  AppliedSettings,
  Blocker,
  DeviceClass,
  DevicePolicyStatus,
  EmbodiedShare,
  Inventory,
  PolicyError,
  PolicySettings,
  SchoolHours,
} from '@sluimer/shared';

/** Shapes of console API answers the web app reads (docs/api.md). Fields the server may omit are optional. */
export interface Group {
  id: number;
  parentId: number | null;
  name: string;
  kind: 'board' | 'school' | 'building' | 'room';
  timeZone?: string | null;
  excludedReason?: string | null;
  policyId?: number | null;
  schoolHours?: SchoolHours | null;
  deviceCount?: number;
}

export interface EnrollSecretInfo {
  id: number;
  groupId: number;
  note?: string | null;
  createdAt: number;
  expiresAt?: number | null;
  revokedAt?: number | null;
  /** sent by newer consoles; the page works without them */
  status?: string;
  deviceLimit?: number | null;
  devicesEnrolled?: number | null;
}

/** the console derives it once (server: device-status.ts); every page shows that value */
export type OnlineState = 'online' | 'asleep' | 'off' | 'offline';

export interface Device {
  id: number;
  name?: string | null;
  hostname: string;
  groupId: number;
  groupName?: string;
  groupPath?: string;
  deviceClass: DeviceClass;
  inventory?: Inventory;
  online?: boolean;
  state?: OnlineState | string;
  lastSeen?: number | null;
  agentVersion?: string | null;
  policyId?: number | null;
  policyName?: string | null;
  policyStatus?: DevicePolicyStatus | 'none' | null;
  auditOnly?: boolean;
  policyError?: string | null;
  excludedReason?: string | null;
  blockers?: Blocker[];
}

/** GET /api/v1/devices/:id `lifecycle` (console/server/src/device-lifecycle.ts) */
export interface DeviceLifecycle {
  batteryHealthPct: number | null;
  cycleCount: number | null;
  batteryTrend: { month: string; healthPct: number; cycleCount: number | null }[];
  batteryProjection: { slopePctPerMonth: number; below80: string | null; below60: string | null } | null;
  age: { months: number; years: number; source: 'purchase' | 'bios' | 'first-seen'; since: string } | null;
  /** why there is no projection (console/server/src/lifecycle/device-lifecycle.ts); newer consoles only */
  batteryOutlook?: 'projected' | 'too-few-months' | 'no-wear' | 'no-battery';
  purchase?: { purchaseDate: string; priceEur: number | null; warrantyEnd: string | null } | null;
  embodied?: EmbodiedShare;
  advice?: Advice;
}

export interface DeviceDetail extends Device {
  lifecycle?: DeviceLifecycle;
  detectedClass?: string;
  classOverride?: string | null;
  ownExcludedReason?: string | null;
  effectivePolicy?: PolicySettings & {
    policyName?: string;
    policyId?: number | null;
    excludedReason?: string;
  };
  effectivePolicyName?: string | null;
  /** what the device last reported applying */
  policyStatusDetail?: {
    ok: boolean;
    etag: string;
    applied: AppliedSettings;
    errors: PolicyError[];
    at: number;
  } | null;
}

/** Why a device wastes energy (GET /api/v1/web/device-reasons). */
export type WasteReason =
  | { kind: 'excluded'; detail: string }
  | { kind: 'blocker'; detail: string; blockerKind: string }
  | { kind: 'policy_failed'; detail: string }
  | { kind: 'no_policy' }
  | { kind: 'audit_only'; detail?: string }
  | { kind: 'policy_applied'; detail: string }
  | { kind: 'unknown' };

export interface DeviceReason {
  id: number;
  name: string;
  groupId: number;
  groupPath: string;
  deviceClass: string;
  state: string;
  reason: WasteReason;
}

export interface Policy {
  id: number;
  name: string;
  description?: string | null;
  settings: PolicySettings;
  updatedAt?: number;
  groupIds?: number[];
  deviceIds?: number[];
}
