import {
  AnnualReportQuerySchema,
  ErrorCode,
  LifecycleQuerySchema,
  PurchaseImportRequestSchema,
  schoolYearRange,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import type { PolicyService } from '../groups/policy-service.js';
import { annualReport } from '../lifecycle/annual-report.js';
import { fleetLifecycleView } from '../lifecycle/fleet.js';
import { importPurchases } from '../lifecycle/purchase-import.js';
import type { Store } from '../store/types.js';
import { ANY_ROLE, STAFF } from './auth.js';
import { ApiError, notFound, parse } from './errors.js';

/**
 * Device lifecycle (docs/lifecycle.md, docs/api.md "Lifecycle"): the fleet's Levensduur figures, the
 * purchase data import and the annual report. Thin routes over console/server/src/lifecycle/ and the
 * pure rules in shared/src/lifecycle/.
 */
export interface LifecycleRouteDeps {
  store: Store;
  policies: PolicyService;
  now: () => number;
}

export function registerLifecycleRoutes(app: FastifyInstance, deps: LifecycleRouteDeps): void {
  const { store, policies, now } = deps;

  const checkGroup = async (groupId: number | undefined) => {
    if (groupId !== undefined && !(await store.getGroup(groupId))) throw notFound(`group ${groupId}`);
  };

  // fleet figures: ages, batteries, advice, and what longer use avoids next to the use phase
  app.get('/api/v1/lifecycle', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(LifecycleQuerySchema, request.query, 'query');
    await checkGroup(q.groupId);
    return fleetLifecycleView(store, policies, q.groupId, now());
  });

  // purchase data (CSV text in JSON): every line checked, stored in one transaction or not at all
  app.post('/api/v1/lifecycle/purchases', { config: { access: STAFF } }, async (request) => {
    const body = parse(PurchaseImportRequestSchema, request.body);
    const out = await importPurchases(store, body.csv, { dryRun: body.dryRun ?? false, now: now() });
    if (!out.ok) {
      const { errors, errorCount } = out.validation;
      const first = errors[0];
      throw new ApiError(
        400,
        ErrorCode.PurchaseImportInvalid,
        `${errorCount} ${errorCount === 1 ? 'fout' : 'fouten'} in het bestand, niets geïmporteerd. ${first?.message ?? ''} / ` +
          `${errorCount} ${errorCount === 1 ? 'error' : 'errors'} in the file, nothing imported. ${first?.messageEn ?? ''}`,
        { errors, errorCount },
      );
    }
    return out.response;
  });

  // the annual report (Duurzaamheidsverslag) of the board or one group for a school year
  app.get('/api/v1/reports/annual', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(AnnualReportQuerySchema, request.query, 'query');
    await checkGroup(q.groupId);
    const t = now();
    if (q.schoolYear && schoolYearRange(q.schoolYear).from > t) {
      throw new ApiError(
        400,
        ErrorCode.PeriodInFuture,
        `schooljaar ${q.schoolYear} is nog niet begonnen / school year ${q.schoolYear} has not started yet`,
      );
    }
    return annualReport(store, policies, q, t);
  });
}
