import {
  DAY_MS,
  type Interval,
  type PolicySettings,
  REPLAY_LOOKBACK_MS,
  replayWhatIf,
} from '@sluimer/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyService } from '../../console/server/src/groups/policy-service.js';
import { recordPolicyState } from '../../console/server/src/impact/policy-history.js';
import { computeSavings } from '../../console/server/src/impact/savings.js';
import { calendarForZone, gatherWhatIfData } from '../../console/server/src/impact/what-if-data.js';
import { IngestService } from '../../console/server/src/ingest/service.js';
import { SqliteStore } from '../../console/server/src/store/sqlite.js';
import { DEMO_POLICY } from '../../scripts/src/demo.js';
import {
  boardDevices,
  demoBoard,
  demoSchoolCalendar,
  deviceTimeline,
} from '../../scripts/src/model/index.js';

/**
 * Agreement end to end (docs/impact.md): a simulated fleet (the demo's behaviour model) runs four school
 * weeks in audit only, then four weeks under a policy the simulated platform enforces. Its timelines go
 * through the console's real ingest into SQLite. The what-if, computed by the console on the first four
 * weeks only, must predict the saving measured by before/after on the second within 10 %.
 */

/** Monday 7 September 2026 00:00 in Amsterdam */
const START = Date.UTC(2026, 8, 6, 22);
/** Monday 5 October 2026 00:00 in Amsterdam: the policy takes effect */
const CHANGE = START + 28 * DAY_MS;
/** Monday 2 November 2026 00:00 in Amsterdam (winter time since 25 October: UTC+1) */
const END = Date.UTC(2026, 10, 1, 23);
const NOW = END + 12 * 3_600_000;
const DEVICES = 160;

/** the demo's policy (the recommended one, school hours from each school's calendar), as the simulated platform enforces it */
const POLICY: PolicySettings = DEMO_POLICY.settings;

const stores: SqliteStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('what-if agrees with the measured saving', () => {
  it('predicts the before/after saving of four enforced school weeks within 10 %', async () => {
    const store = new SqliteStore({ dataDir: ':memory:', now: () => NOW });
    stores.push(store);
    const policies = new PolicyService(store);
    const board = demoBoard({ deviceCount: DEVICES, policyFrom: CHANGE });
    const enforced = boardDevices(board).filter((x) => x.school.enforced);
    expect(enforced.length).toBeGreaterThan(60);

    // one school group per simulated school with the calendar the demo stores (the model's hours,
    // region midden): the autumn vacation falls in the second half and is compared with nothing
    const schoolIds = new Map<string, number>();
    for (const s of board.schools.filter((x) => x.enforced)) {
      const g = await store.createGroup({
        name: s.name,
        parentId: null,
        kind: 'school',
        timeZone: s.timeZone,
        excludedReason: null,
        now: 0,
      });
      await store.putSchoolCalendar(g.id, demoSchoolCalendar(s), 0);
      schoolIds.set(s.key, g.id);
    }
    const blocked = new Map<number, string>();
    const items: { deviceId: number; seq: number; intervals: Interval[] }[] = [];
    for (const { school, device } of enforced) {
      const { deviceId } = await store.enrollDevice({
        installId: device.installId,
        tokenHash: `hash-${device.key}`,
        groupId: schoolIds.get(school.key)!,
        hostname: device.hostname,
        inventory: device.inventory,
        detectedClass: device.deviceClass,
        now: 0,
      });
      if (device.blocker) blocked.set(deviceId, device.blocker.name);
      const { intervals } = deviceTimeline(device, school, START - REPLAY_LOOKBACK_MS, END);
      for (let i = 0, seq = 1; i < intervals.length; i += 500, seq++) {
        items.push({ deviceId, seq, intervals: intervals.slice(i, i + 500) });
      }
    }
    const out = await new IngestService(store).ingestBatch(items, {
      now: NOW,
      maxEnd: NOW,
      minStart: NOW - 90 * DAY_MS,
    });
    expect(out.filter((o) => o.status !== 'stored')).toEqual([]);

    // the console's history: audit only from the start, the policy from the change
    await recordPolicyState(store, policies, START - REPLAY_LOOKBACK_MS);
    const p = await store.createPolicy({ name: 'Gesimuleerd beleid', settings: POLICY, now: CHANGE });
    await store.assignPolicy(p.id, { groupIds: [...schoolIds.values()], deviceIds: [] });
    policies.invalidate();
    await recordPolicyState(store, policies, CHANGE);

    // the prediction: the console's what-if over the four audit-only weeks
    const data = await gatherWhatIfData(
      store,
      policies,
      { groupIds: [], deviceIds: [] },
      { from: START, to: CHANGE, now: NOW },
    );
    // the simulated platform reports its blocker all along; the console keeps no blocker history
    // (a named limitation), so the test hands the replay what the agents reported
    for (const d of data.devices) {
      const name = blocked.get(d.deviceId);
      if (name) d.blockers = [{ start: START - REPLAY_LOOKBACK_MS, end: END, name, blocks: ['sleep'] }];
    }
    const predicted = replayWhatIf({
      policy: POLICY,
      from: START,
      to: CHANGE,
      rawRetentionFrom: data.rawRetentionFrom,
      calendar: calendarForZone('Europe/Amsterdam'),
      calendars: data.calendars,
      devices: data.devices,
      energy: data.settings,
    });
    expect(predicted.retention.complete).toBe(true);
    const devices = data.devices.length;
    const predictedPerDeviceWeek = predicted.avoidedKwh / devices / 4;

    // the measurement: before/after per device-day, school days and weekends each with their own kind
    const savings = await computeSavings(store, policies, { now: NOW });
    let measuredPerDeviceWeek = 0;
    let beforePerDeviceWeek = 0;
    for (const s of savings.schools) {
      const n = s.rooms.reduce((a, r) => a + r.devices, 0);
      for (const r of s.rooms) {
        const byType = Object.fromEntries(r.comparison!.byDayType.map((c) => [c.dayType, c]));
        const weight = r.devices / devices;
        for (const [type, days] of [
          ['school_day', 5],
          ['weekend', 2],
        ] as const) {
          const c = byType[type]!;
          expect(c.confidence).toBe('enough');
          measuredPerDeviceWeek +=
            weight * days * (c.before.wasteKwhPerDeviceDay! - c.after.wasteKwhPerDeviceDay!);
          beforePerDeviceWeek += weight * days * c.before.wasteKwhPerDeviceDay!;
        }
      }
      expect(n).toBeGreaterThan(0);
    }
    const report = {
      devices,
      predictedKwhPerDeviceWeek: predictedPerDeviceWeek,
      measuredKwhPerDeviceWeek: measuredPerDeviceWeek,
      shareOfWasteRemovedPredicted: predicted.avoidedKwh / predicted.wasteKwh,
      shareOfWasteRemovedMeasured: measuredPerDeviceWeek / beforePerDeviceWeek,
    };
    console.log(JSON.stringify(report));
    expect(measuredPerDeviceWeek).toBeGreaterThan(0);
    expect(
      Math.abs(predictedPerDeviceWeek - measuredPerDeviceWeek) / measuredPerDeviceWeek,
    ).toBeLessThanOrEqual(0.1);
  }, 60_000);
});
