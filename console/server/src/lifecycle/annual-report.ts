import {
  type AnnualReport,
  annualSavings,
  fleetLifecycle,
  operationalFigures,
  optionFigures,
  reportAssumptions,
  schoolYearLabel,
  schoolYearRange,
} from '@sluimer/shared';
import type { PolicyService } from '../groups/policy-service.js';
import { computeSavings, SAVINGS_BEFORE_DAYS } from '../impact/savings.js';
import type { Store } from '../store/types.js';
import { fleetFacts } from './fleet.js';

/**
 * The board's or a school's annual report (Duurzaamheidsverslag) for one school year: use-phase
 * energy and avoidable waste from the daily fleet rollups, the fleet's age and batteries as they are
 * now, what power policies saved in the year (the impact module's before/after, as of the year's
 * end and its start), and what keeping devices two years longer avoids, with every assumption it
 * used. The web app renders it for print (PDF) and CSV.
 */
export async function annualReport(
  store: Store,
  policies: PolicyService,
  q: { groupId?: number | undefined; schoolYear?: string | undefined },
  now: number,
): Promise<AnnualReport> {
  const today = new Date(now).toISOString().slice(0, 10);
  const schoolYear = q.schoolYear ?? schoolYearLabel(today);
  const range = schoolYearRange(schoolYear);
  const group = q.groupId ? await store.getGroup(q.groupId) : undefined;
  const settings = await store.getSettings();
  const figures = optionFigures(settings.lifecycleFigures);
  const { groupIds, rows } = await fleetFacts(store, policies, q.groupId, now, figures);
  const to = Math.min(range.to, now);
  const sums =
    groupIds.length && to > range.from ? await store.sumFleetByBucket('day', range.from, to, groupIds) : [];
  const energyWh = sums.reduce((s, r) => s + r.energyWh, 0);
  const wasteWh = sums.reduce((s, r) => s + r.wasteWh, 0);
  const scope = q.groupId !== undefined ? { groupId: q.groupId } : {};
  const [atEnd, atStart] = await Promise.all([
    computeSavings(store, policies, { ...scope, now: to }),
    computeSavings(store, policies, { ...scope, now: range.from }),
  ]);
  return {
    scope: group
      ? { groupId: group.id, name: group.name, kind: group.kind }
      : { groupId: null, name: '', kind: 'board' },
    schoolYear,
    fromDate: range.fromDate,
    toDate: range.toDate,
    partialUntil: now < range.to ? today : null,
    generatedAt: now,
    usePhase: operationalFigures(energyWh, wasteWh, settings),
    savings: annualSavings(atEnd, atStart, settings),
    fleet: fleetLifecycle(rows, figures),
    assumptions: reportAssumptions(settings, SAVINGS_BEFORE_DAYS),
  };
}
