import { type EffectivePolicy, ErrorCode, SluimerError } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { ManualClock, SimulatedPlatform } from '../platform/simulated/index.js';
import { PolicyEnforcer } from './policy.js';
import { MemoryStore } from './store.js';

const base: EffectivePolicy = {
  sleepAfterSec: { ac: 1200, battery: 600 },
  brightnessCapPct: { ac: 80, battery: 60 },
};

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
  const platform = new SimulatedPlatform({ clock });
  const store = new MemoryStore();
  return { platform, store, enforcer: new PolicyEnforcer(platform, store, clock) };
}

describe('policy enforcer', () => {
  it('restores a field the new policy no longer names, and keeps the rest', async () => {
    const { platform, enforcer } = setup();
    const before = await platform.readSettings();
    await enforcer.setPolicy(base, 'a');
    expect((await platform.readSettings()).brightnessPct).toEqual({ ac: 80, battery: 60 });
    const st = await enforcer.setPolicy({ sleepAfterSec: { ac: 900, battery: 600 } }, 'b');
    expect(st.ok).toBe(true);
    const now = await platform.readSettings();
    expect(now.brightnessPct).toEqual(before.brightnessPct);
    expect(now.sleepAfterSec).toEqual({ ac: 900, battery: 600 });
  });

  it('keeps the first originals across later policies, and restore() puts them back and forgets them', async () => {
    const { platform, store, enforcer } = setup();
    const before = await platform.readSettings();
    await enforcer.setPolicy(base, 'a');
    await enforcer.setPolicy({ ...base, sleepAfterSec: { ac: 3600 } }, 'b');
    expect(enforcer.originals()?.settings).toEqual(before);
    const out = await enforcer.restore();
    expect(out?.errors).toEqual([]);
    expect(await platform.readSettings()).toEqual(before);
    expect(store.read('originals')).toBeNull();
    expect(await enforcer.restore()).toBeNull();
  });

  it('reports out-of-bounds values and applies the valid rest', async () => {
    const { platform, enforcer } = setup();
    // a console bug: bounds are enforced again on the device
    const st = await enforcer.setPolicy(
      { sleepAfterSec: { ac: 0, battery: 600 } } as unknown as EffectivePolicy,
      'x',
    );
    expect(st.ok).toBe(false);
    expect(st.errors).toEqual([
      expect.objectContaining({ setting: 'sleepAfterSec.ac', code: 'policy_out_of_bounds' }),
    ]);
    expect((await platform.readSettings()).sleepAfterSec).toEqual({ ac: null, battery: 600 });
  });

  it('reports an adapter failure as a status error instead of throwing', async () => {
    const { platform, enforcer } = setup();
    platform.readSettings = async () => {
      throw new SluimerError(
        ErrorCode.NeedsAdmin,
        'run the service as administrator to change power settings',
      );
    };
    const st = await enforcer.setPolicy(base, 'a');
    expect(st.ok).toBe(false);
    expect(st.errors).toEqual([expect.objectContaining({ code: 'needs_admin' })]);
    expect(platform.applyLog).toEqual([]);
  });

  it('keeps the policy across restarts (offline school hours keep working)', async () => {
    const { platform, store, enforcer } = setup();
    await enforcer.setPolicy(base, 'etag-1');
    const again = new PolicyEnforcer(platform, store, new ManualClock());
    expect(again.current()).toEqual({ policy: base, etag: 'etag-1' });
  });

  it('restores only what it changed: a schedule the OS refused is left alone', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
    const platform = new SimulatedPlatform({ clock, unsupported: ['schedule'] });
    const enforcer = new PolicyEnforcer(platform, new MemoryStore(), clock);
    const st = await enforcer.setPolicy(
      { ...base, outsideSchoolHours: { action: 'shutdown', actionAt: '18:00' } },
      'a',
    );
    expect(st.errors.map((e) => e.setting)).toEqual(['schedule']);
    const out = await enforcer.restore();
    expect(out?.errors).toEqual([]);
    expect(out?.notRestored).toEqual([]);
    expect(out?.restored.sort()).toEqual(['brightnessPct', 'sleepAfterSec']);
    const last = platform.applyLog.at(-1)!;
    expect(last.mode).toBe('restore');
    expect(Object.keys(last.target).sort()).toEqual(['brightnessPct', 'sleepAfterSec']);
    expect(await enforcer.restore()).toBeNull();
  });

  it('after a partial restore keeps only what failed, retries only that, and is idempotent once all is back', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
    const store = new MemoryStore();
    const first = new SimulatedPlatform({ clock });
    const before = await first.readSettings();
    await new PolicyEnforcer(first, store, clock).setPolicy(base, 'a');
    // an administrator locks the sleep timeout on mains afterwards
    const locked = new SimulatedPlatform({
      clock,
      settings: await first.readSettings(),
      overridden: ['sleepAfterSec.ac'],
    });
    const out = await new PolicyEnforcer(locked, store, clock).restore();
    expect(out?.restored).toEqual(['brightnessPct']);
    expect(out?.notRestored).toEqual(['sleepAfterSec']);
    expect(out?.errors).toEqual([
      expect.objectContaining({ setting: 'sleepAfterSec.ac', code: 'overridden' }),
    ]);
    expect((await locked.readSettings()).brightnessPct).toEqual(before.brightnessPct);
    // the retry writes only what is still changed
    const again = await new PolicyEnforcer(locked, store, clock).restore();
    expect(again?.notRestored).toEqual(['sleepAfterSec']);
    expect(Object.keys(locked.applyLog.at(-1)!.target)).toEqual(['sleepAfterSec']);
    // lock lifted: everything is back, and a further run has nothing to do
    const free = new SimulatedPlatform({ clock, settings: await locked.readSettings() });
    const done = await new PolicyEnforcer(free, store, clock).restore();
    expect(done?.notRestored).toEqual([]);
    expect(done?.restored).toEqual(['sleepAfterSec']);
    expect((await free.readSettings()).sleepAfterSec).toEqual(before.sleepAfterSec);
    expect(await new PolicyEnforcer(free, store, clock).restore()).toBeNull();
  });

  it('a service started after a restore applies its policy again', async () => {
    const { platform, store, enforcer } = setup();
    await enforcer.setPolicy(base, 'a');
    await enforcer.restore();
    expect(store.read('originals')).toBeNull();
    // policy kept; the next periodic check applies it again (nothing is recorded as enforced)
    const st = await new PolicyEnforcer(
      platform,
      store,
      new ManualClock(Date.UTC(2026, 2, 10, 9)),
    ).reevaluate();
    expect(st?.ok).toBe(true);
    expect((await platform.readSettings()).brightnessPct).toEqual({ ac: 80, battery: 60 });
  });

  it('hands an OS with one display-off delay the current source’s value, and the other one after a switch', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
    const platform = new SimulatedPlatform({
      clock,
      sourceBound: ['displayOffAfterSec'],
      oneValue: ['displayOffAfterSec'],
    });
    platform.setPowerSource('battery');
    const enforcer = new PolicyEnforcer(platform, new MemoryStore(), clock);
    const st = await enforcer.setPolicy({ displayOffAfterSec: { ac: 900, battery: 300 } }, 'a');
    expect(st.ok).toBe(true);
    const policyWrites = () => platform.applyLog.filter((l) => l.mode === 'policy').map((l) => l.target);
    expect(policyWrites().at(-1)?.displayOffAfterSec).toEqual({ ac: 300, battery: 300 });
    platform.setPowerSource('ac');
    expect((await enforcer.reevaluate())?.ok).toBe(true);
    expect(policyWrites().at(-1)?.displayOffAfterSec).toEqual({ ac: 900, battery: 900 });
    expect((await platform.readSettings()).displayOffAfterSec).toEqual({ ac: 900, battery: 900 });
  });
});
