import type { Gateway } from '../agents/gateway.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { Store } from '../store/types.js';

/** What every REST resource file (http/*.ts) is given: the store, the domain services and the clock. */
export interface RouteContext {
  store: Store;
  policies: PolicyService;
  gateway: Gateway;
  now: () => number;
  /** whether the console serves HTTPS (session cookies get `Secure`) */
  tls: boolean;
  /** SLUIMER_PUBLIC_URL (an origin), for the install commands in the web app */
  publicUrl?: string;
  /** after a policy, group or assignment change: resolved policies are stale; push to the devices (all when none given) */
  policyChanged(deviceIds?: number[]): Promise<number>;
}
