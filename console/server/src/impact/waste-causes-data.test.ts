import { DAY_MS, type DeviceClass, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyService } from '../groups/policy-service.js';
import { IngestService } from '../ingest/service.js';
import { SqliteStore } from '../store/sqlite.js';
import { recordPolicyState } from './policy-history.js';
import { computeWasteCauses } from './waste-causes-data.js';

/** Monday 30 November 2026, noon UTC: "now" */
const NOW = Date.UTC(2026, 10, 30, 12);
const FROM = Date.UTC(2026, 10, 2);
const TO = Date.UTC(2026, 10, 30);

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/**
 * One room with a policy asking for sleep after 60 minutes (Google Admin: idle time 60 minutes) and
 * devices that each sit idle on AC for the same stretch every day. A stretch of 65 minutes is within
 * what the settings allow (60 + 10 minutes' grace); one of 3 hours shows they are not in force. Both
 * leave waste the recommended policy (sleep after 30 minutes on AC) would avoid.
 */
async function room(devices: { cls: DeviceClass; idleMin: number; enforcedBy?: 'google-admin' }[]) {
  const store = new SqliteStore({ dataDir: ':memory:', now: () => NOW });
  stores.push(store);
  const policies = new PolicyService(store);
  const group = await store.createGroup({
    name: 'Lokaal 2',
    parentId: null,
    kind: 'room',
    timeZone: null,
    excludedReason: null,
    now: 0,
  });
  const ids: number[] = [];
  for (const [i, d] of devices.entries()) {
    const { deviceId } = await store.enrollDevice({
      installId: `install-${i}`,
      tokenHash: `hash-${i}`,
      groupId: group.id,
      hostname: `lokaal2-${i}`,
      inventory: {},
      detectedClass: d.cls,
      now: 0,
    });
    ids.push(deviceId);
  }
  const policy = await store.createPolicy({
    name: 'Een uur',
    settings: { auditOnly: false, sleepAfterSec: { ac: 3600, battery: 3600 } },
    now: 0,
  });
  await store.assignPolicy(policy.id, { groupIds: [group.id], deviceIds: [] });
  policies.invalidate();
  await recordPolicyState(store, policies, FROM - 7 * DAY_MS);
  const items = [];
  for (const [i, d] of devices.entries()) {
    let seq = 0;
    for (let day = FROM - 7 * DAY_MS; day < TO; day += DAY_MS) {
      const start = day + 10 * HOUR_MS;
      const intervals: Interval[] = [
        { start, end: start + d.idleMin * MINUTE_MS, state: 'idle', display: 'on', power: 'ac' },
      ];
      items.push({ deviceId: ids[i]!, seq: ++seq, intervals });
    }
  }
  const out = await new IngestService(store).ingestBatch(items, {
    now: NOW,
    maxEnd: NOW,
    minStart: NOW - 90 * DAY_MS,
  });
  expect(out.every((o) => o.status === 'stored')).toBe(true);
  // every device took the policy before the period; the Chromebooks say Google Admin enforces it
  for (const [i, d] of devices.entries()) {
    const device = (await store.getDevice(ids[i]!))!;
    const { etag } = await policies.effectiveFor(device);
    await store.setPolicyStatus(ids[i]!, {
      etag,
      ok: true,
      applied: d.enforcedBy ? { enforcedBy: d.enforcedBy } : {},
      errors: [],
      at: FROM - 6 * DAY_MS,
    });
  }
  const r = await computeWasteCauses(
    store,
    policies,
    { groupIds: [group.id], deviceIds: [] },
    { from: FROM, to: TO, now: NOW },
  );
  return { r, ids };
}

const causesOf = (r: Awaited<ReturnType<typeof room>>['r'], id: number) =>
  r.perDevice
    .find((d) => d.deviceId === id)!
    .parts.filter((p) => p.kwh > 0)
    .map((p) => p.cause)
    .sort();

describe('why the rest is still wasted, on Chromebooks (Google Admin enforces)', () => {
  it('says the Google Admin settings are not in force where a Chromebook’s idle runs far past them', async () => {
    const { r, ids } = await room([
      { cls: 'chromebook', idleMin: 180, enforcedBy: 'google-admin' },
      { cls: 'chromebook', idleMin: 65, enforcedBy: 'google-admin' },
    ]);
    expect(causesOf(r, ids[0]!)).toEqual(['google_admin_not_in_force', 'within_recommended']);
    // the Chromebook that follows the settings keeps the normal causes
    expect(causesOf(r, ids[1]!)).toEqual(['timeouts_long', 'within_recommended']);
    const cause = r.causes.find((c) => c.cause === 'google_admin_not_in_force')!;
    expect(cause.devices).toBe(1);
    expect(cause.nextStep.nl).toContain('Idle settings: Idle time (minutes)');
    expect(cause.nextStep.en).toContain(
      'Devices > Chrome > Settings > Users & browsers > Power and shutdown',
    );
    // the causes still add up to the total waste, and each device's parts to its own
    expect(r.causes.reduce((s, c) => s + c.kwh, 0)).toBeCloseTo(r.totalKwh, 9);
    for (const d of r.perDevice) {
      expect(d.parts.reduce((s, p) => s + p.kwh, 0)).toBeCloseTo(d.totalKwh, 9);
    }
  });

  it('leaves a laptop with the same long idle to the normal causes: Sluimer enforces there itself', async () => {
    const { r, ids } = await room([{ cls: 'laptop', idleMin: 180 }]);
    expect(causesOf(r, ids[0]!)).toEqual(['timeouts_long', 'within_recommended']);
    expect(r.causes.map((c) => c.cause)).not.toContain('google_admin_not_in_force');
  });
});
