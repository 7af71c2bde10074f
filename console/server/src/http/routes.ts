import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../agents/gateway.js';
import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from '../auth/login-lockout.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { AuditLog } from '../ops/audit.js';
import type { Store } from '../store/types.js';
import { registerAuditRoutes } from './audit.js';
import type { RouteContext } from './context.js';
import { registerDevicePrivacyRoutes } from './device-privacy.js';
import { registerDeviceRoutes } from './devices.js';
import { registerEnrollRoutes } from './enroll.js';
import { registerEnrollSecretRoutes } from './enroll-secrets.js';
import { registerGoogleAdminRoutes } from './google-admin.js';
import { registerGroupRoutes } from './groups.js';
import { registerHealthRoutes } from './health.js';
import { LoginGuard } from './login-guard.js';
import { registerPolicyRoutes } from './policies.js';
import { registerSessionRoutes } from './session.js';
import { registerSettingsRoutes } from './settings.js';
import { registerTokenRoutes } from './tokens.js';
import { registerUsageRoutes } from './usage.js';
import { registerUserRoutes } from './users.js';

export interface RouteDeps {
  store: Store;
  policies: PolicyService;
  gateway: Gateway;
  now: () => number;
  /** the audit log (GET /api/v1/audit; the device export shows a device's entries) */
  audit: AuditLog;
  /** whether the console serves HTTPS (session cookies get `Secure`) */
  tls: boolean;
  limits?: Partial<HttpLimits>;
  /** SLUIMER_PUBLIC_URL (an origin), for the install commands in the web app */
  publicUrl?: string;
}

export interface HttpLimits {
  /** smart lockout of failed logins (auth/login-lockout.ts, docs/security.md) */
  loginLockout: LockoutPolicy;
  /** login attempts per address, good or bad (refills over 15 minutes): a cap on hashing work */
  loginAttemptsPerAddress: number;
  /** enrollments per address at once, and per second after that */
  enrollBurst: number;
  enrollPerSec: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  loginLockout: DEFAULT_LOCKOUT_POLICY,
  loginAttemptsPerAddress: 100,
  enrollBurst: 1000,
  enrollPerSec: 20,
};

/**
 * The core REST API (docs/api.md), one file per resource beside this one. Each route declares its
 * access in its options; the route × role test (access.test.ts) walks them all.
 */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, policies, gateway, now } = deps;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  const ctx: RouteContext = {
    store,
    policies,
    gateway,
    now,
    tls: deps.tls,
    ...(deps.publicUrl !== undefined ? { publicUrl: deps.publicUrl } : {}),
    async policyChanged(deviceIds) {
      // the push's one message to the other console processes drops their caches too
      policies.invalidateHere();
      return gateway.pushPolicies(deviceIds);
    },
  };
  const login = new LoginGuard(store, limits.loginLockout, limits.loginAttemptsPerAddress, now);

  registerHealthRoutes(app, ctx);
  registerSessionRoutes(app, ctx, login);
  registerEnrollRoutes(app, ctx, limits);
  registerTokenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerGoogleAdminRoutes(app, ctx);
  registerEnrollSecretRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerUsageRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerAuditRoutes(app, deps.audit);
  registerDevicePrivacyRoutes(app, ctx, deps.audit);
}
