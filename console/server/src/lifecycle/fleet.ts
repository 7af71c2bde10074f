import {
  type AdviceKind,
  type AgeSource,
  DAY_MS,
  type FleetDevice,
  type FleetDeviceRow,
  type FleetLifecycleResponse,
  fleetLifecycle,
  type OptionFigureTable,
  operationalFigures,
  optionFigures,
} from '@sluimer/shared';
import { effectiveClass } from '../energy/energy-profile.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { DeviceRecord, Store } from '../store/types.js';
import { lifecycleOf } from './device-lifecycle.js';

/**
 * The devices of a group's subtree (the whole board without a group), with their lifecycle facts
 * and advice under the option figures in force.
 */
export async function fleetFacts(
  store: Store,
  policies: PolicyService,
  groupId: number | undefined,
  now: number,
  figures: OptionFigureTable,
): Promise<{ groupIds: number[]; devices: DeviceRecord[]; rows: (FleetDevice & { row: FleetDeviceRow })[] }> {
  const groupIds = groupId
    ? [...(await policies.subtree(groupId))]
    : (await store.listGroups()).map((g) => g.id);
  const devices = groupId ? await store.listDevices({ groupIds }) : await store.listDevices();
  const ids = devices.map((d) => d.id);
  const [readings, purchases] = await Promise.all([store.batteryReadingsOf(ids), store.listPurchases(ids)]);
  const purchaseOf = new Map(purchases.map((p) => [p.deviceId, p]));
  const rows = devices.map((d) => {
    const life = lifecycleOf(d, readings.get(d.id) ?? [], purchaseOf.get(d.id) ?? null, now, figures);
    const deviceClass = effectiveClass(d);
    const ageYears = life.age ? life.age.months / 12 : null;
    return {
      id: d.id,
      deviceClass,
      ageYears,
      hasBattery: d.inventory.battery?.hasBattery === true,
      batteryHealthPct: life.batteryHealthPct,
      projection: life.batteryProjection,
      memoryBytes: d.inventory.memoryBytes,
      disks: d.inventory.disks ?? [],
      row: {
        id: d.id,
        name: d.name ?? d.hostname,
        groupId: d.groupId,
        deviceClass,
        ageYears,
        ageSource: life.age?.source ?? null,
        batteryHealthPct: life.batteryHealthPct,
        below80: life.batteryProjection?.below80 ?? null,
        advice: life.advice.kind,
        rule: life.advice.rule,
      },
    };
  });
  return { groupIds, devices, rows };
}

const ADVICE_ORDER: AdviceKind[] = ['replace', 'replace-battery', 'upgrade', 'refurbish', 'keep'];

/** The Levensduur page: distributions, battery swaps, and both levers (lifetime and use phase). */
export async function fleetLifecycleView(
  store: Store,
  policies: PolicyService,
  groupId: number | undefined,
  now: number,
): Promise<FleetLifecycleResponse> {
  const settings = await store.getSettings();
  const figures = optionFigures(settings.lifecycleFigures);
  const { groupIds, rows } = await fleetFacts(store, policies, groupId, now, figures);
  const fleet = fleetLifecycle(rows, figures);
  const ageSources: Record<AgeSource, number> = { purchase: 0, bios: 0, 'first-seen': 0 };
  for (const r of rows) if (r.row.ageSource) ageSources[r.row.ageSource]++;
  const batterySwaps = rows
    .filter((r) => r.row.advice === 'replace-battery')
    .map((r) => r.row)
    .sort((a, b) => (a.batteryHealthPct ?? 100) - (b.batteryHealthPct ?? 100));
  const attention = rows
    .map((r) => r.row)
    .filter((r) => r.advice !== 'keep')
    .sort((a, b) => ADVICE_ORDER.indexOf(a.advice) - ADVICE_ORDER.indexOf(b.advice) || a.id - b.id);
  const days = 365;
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const sums = groupIds.length
    ? await store.sumFleetByBucket('day', dayStart - days * DAY_MS, dayStart + DAY_MS, groupIds)
    : [];
  const energyWh = sums.reduce((s, r) => s + r.energyWh, 0);
  const wasteWh = sums.reduce((s, r) => s + r.wasteWh, 0);
  return {
    groupId: groupId ?? null,
    fleet,
    batterySwaps,
    attention,
    ageSources,
    usePhase: { days, ...operationalFigures(energyWh, wasteWh, settings) },
  };
}
