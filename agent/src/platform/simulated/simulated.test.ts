import { describe, expect, it } from 'vitest';
import type { PowerEvent } from '../types.js';
import { ManualClock, SimulatedPlatform } from './index.js';

const T0 = Date.UTC(2026, 2, 10, 7);

describe('simulated platform', () => {
  it('runs a scripted timeline as the manual clock advances', async () => {
    const clock = new ManualClock(T0, 500);
    const events: PowerEvent[] = [];
    const p = new SimulatedPlatform({
      clock,
      script: [
        { at: T0 + 60_000, do: 'input' },
        { at: T0 + 120_000, do: 'power', source: 'battery' },
        { at: T0 + 180_000, do: 'sleep', forMs: 600_000 },
        { at: T0 + 900_000, do: 'display', state: 'off' },
      ],
    });
    p.onEvent((e) => events.push(e));
    expect(p.advance(90_000)).toBe(1);
    expect(await p.idleMs()).toBe(30_000);
    p.advance(800_000);
    expect(events.map((e) => e.type)).toEqual(['power-source', 'suspend', 'resume', 'display']);
    expect(events[2]).toEqual({ type: 'resume', at: T0 + 780_000 });
    // sleeping moved the wall clock, not the monotonic one
    expect(clock.now()).toBe(T0 + 890_000 + 600_000);
    expect(clock.now() - T0 - (clock.monotonic() - 500)).toBe(600_000);
    expect(await p.powerSource()).toBe('battery');
    expect(await p.displayState()).toBe('off');
  });

  it('round-trips settings and refuses locked, unsupported and out-of-bounds values', async () => {
    const p = new SimulatedPlatform({
      clock: new ManualClock(T0),
      overridden: ['sleepAfterSec.ac'],
      unsupported: ['brightnessPct'],
    });
    const out = await p.apply(
      { sleepAfterSec: { ac: 1200, battery: 600 }, displayOffAfterSec: { ac: 0 }, brightnessPct: { ac: 50 } },
      'policy',
    );
    expect(out.errors.map((e) => [e.setting, e.code])).toEqual([
      ['displayOffAfterSec.ac', 'policy_out_of_bounds'],
      ['sleepAfterSec.ac', 'overridden'],
      ['brightnessPct.ac', 'unsupported'],
    ]);
    expect(out.applied.sleepAfterSec).toEqual({ ac: null, battery: 600 });
    expect(await p.readSettings()).toEqual(out.applied);
    // restore mode may write "never"
    const r = await p.apply({ sleepAfterSec: { battery: null } }, 'restore');
    expect(r.applied.sleepAfterSec.battery).toBeNull();
  });

  it('an autopilot alternates use and absence deterministically per seed', async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock(T0);
      const p = new SimulatedPlatform({ clock, autopilot: { seed } });
      const out: number[] = [];
      for (let k = 0; k < 240; k++) {
        clock.advance(60_000);
        out.push((await p.idleMs()) as number);
      }
      return out;
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(a.some((v) => v === 0)).toBe(true);
    expect(a.some((v) => v >= 5 * 60_000)).toBe(true);
    expect(await run(4)).not.toEqual(a);
  });
});
