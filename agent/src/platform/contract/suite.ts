import {
  BlockerSchema,
  type EffectivePolicy,
  ErrorCode,
  InventorySchema,
  isSluimerError,
} from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SOURCE_BOUND } from '../../core/targets.js';
import { PolicyEnforcer } from '../../service/policy.js';
import { MemoryStore } from '../../service/store.js';
import type { RecordedCall } from '../fake-runner.js';
import {
  type PlatformAdapter,
  type PowerEvent,
  type PowerSettings,
  type PowerSourceKind,
  systemClock,
} from '../types.js';

/**
 * The contract every PlatformAdapter must keep, written once and run against each adapter that can
 * run on this machine (linux under Xvfb + dbus, simulated). The environment says what this machine
 * offers, so the suite checks the truth rather than skipping: a capability the environment lacks
 * must be reported as such (an `unsupported` error), never faked.
 */
export interface ContractEnv {
  /** simulates user input (xdotool mousemove, a simulated event); idle must drop after it */
  poke?: () => Promise<void>;
  /** gsettings/powercfg/pmset writes take effect here */
  enforcesTimeouts: boolean;
  /** the adapter writes one display-off value for both sources (GNOME idle-delay) */
  singleDisplayTimeout?: boolean;
  /** a (fake or real) backlight exists; otherwise brightness caps must come back `unsupported` */
  hasBacklight: boolean;
  /** blockers() can list here; otherwise it must throw a SluimerError that says why */
  blockersReadable: boolean;
  /** commands the adapter ran (recording runner), to prove it never takes an inhibitor */
  commandLog?: () => RecordedCall[];
  /** the capability ids this adapter reports */
  capabilityIds?: string[];
  /**
   * Switches the (fake) power supply between mains and battery, e.g. rewrites the sysfs files. Absent
   * on a desktop without a battery, which must then read as mains.
   */
  switchPowerSource?: (source: PowerSourceKind) => Promise<void>;
  /** the adapter announces a switch with a `power-source` event (else the service sees it in a sample) */
  powerEvents?: boolean;
  /** the live panel brightness in %, where the adapter lowers a real (or fake) panel */
  panelPct?: () => Promise<number>;
}

export interface ContractSubject {
  adapter: PlatformAdapter;
  env: ContractEnv;
  cleanup?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(25)) if (pred()) return true;
  return pred();
}

const REQUIRED_CAPS = [
  'idle-time',
  'power-source',
  'display-state',
  'sleep-timeout',
  'display-timeout',
  'brightness',
  'blockers',
  'schedule',
  'sleep-now',
];

/** Commands / D-Bus methods that would make the agent itself keep the machine awake. */
export function takesInhibitor(call: RecordedCall): boolean {
  const args = call.args.join(' ');
  const base = call.file.split('/').pop() ?? call.file;
  if (base === 'systemd-inhibit') return !call.args.includes('--list');
  if (base === 'gnome-session-inhibit' || base === 'caffeinate') return true;
  if (/\bInhibit\b/.test(args) && !/ListInhibitors|GetInhibitors/.test(args)) return true;
  if (/\.Inhibit(\s|$)/.test(args)) return true;
  if (base === 'pmset' && /noidle/.test(args)) return true;
  if (/SetThreadExecutionState|PowerSetRequest|PowerCreateRequest/.test(args)) return true;
  return false;
}

function checkSettingsShape(s: PowerSettings) {
  for (const key of ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct'] as const) {
    expect(s[key]).toBeTypeOf('object');
    for (const src of ['ac', 'battery'] as const) {
      const v = s[key][src];
      if (v === undefined || v === null) continue;
      expect(Number.isInteger(v), `${key}.${src} = ${v}`).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      if (key === 'brightnessPct') expect(v).toBeLessThanOrEqual(100);
    }
  }
}

export function adapterContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`PlatformAdapter contract: ${name}`, () => {
    let subject: ContractSubject;
    let a: PlatformAdapter;
    let env: ContractEnv;
    beforeAll(async () => {
      subject = await setup();
      a = subject.adapter;
      env = subject.env;
    }, 60_000);
    afterAll(async () => {
      await a?.close?.();
      await subject?.cleanup?.();
    }, 30_000);

    it('reports idle time that grows without input and drops after input', async () => {
      const first = await a.idleMs();
      expect(first === 'unknown' || (Number.isInteger(first) && first >= 0)).toBe(true);
      if (!env.poke) return;
      expect(first).not.toBe('unknown');
      await sleep(1500);
      const later = await a.idleMs();
      expect(later).toBeTypeOf('number');
      expect(later as number).toBeGreaterThanOrEqual((first as number) + 1000);
      await env.poke();
      const after = await a.idleMs();
      expect(after).toBeTypeOf('number');
      expect(after as number).toBeLessThan(later as number);
      expect(after as number).toBeLessThan(1000);
    }, 20_000);

    it('reads settings as whole seconds/percent, null for never', async () => {
      checkSettingsShape(await a.readSettings());
    });

    it('refuses values outside the policy bounds and changes nothing', async () => {
      const before = await a.readSettings();
      const out = await a.apply(
        {
          sleepAfterSec: { ac: 0, battery: null },
          displayOffAfterSec: { ac: 10 },
          brightnessPct: { ac: 5, battery: 0 },
        },
        'policy',
      );
      const refused = out.errors
        .filter((e) => e.code === ErrorCode.PolicyOutOfBounds)
        .map((e) => e.setting)
        .sort();
      expect(refused).toEqual([
        'brightnessPct.ac',
        'brightnessPct.battery',
        'displayOffAfterSec.ac',
        'sleepAfterSec.ac',
        'sleepAfterSec.battery',
      ]);
      const after = await a.readSettings();
      expect(after.sleepAfterSec).toEqual(before.sleepAfterSec);
      expect(after.displayOffAfterSec).toEqual(before.displayOffAfterSec);
      expect(after.brightnessPct).toEqual(before.brightnessPct);
    });

    it('applies in-bounds timeouts, reads them back, and restore mode writes the saved originals', async () => {
      const original = await a.readSettings();
      const out = await a.apply(
        { sleepAfterSec: { ac: 1800, battery: 900 }, displayOffAfterSec: { ac: 600, battery: 600 } },
        'policy',
      );
      if (!env.enforcesTimeouts) {
        expect(out.errors.length).toBeGreaterThan(0);
        return;
      }
      expect(out.errors).toEqual([]);
      expect(out.applied.sleepAfterSec).toEqual({ ac: 1800, battery: 900 });
      expect(out.applied.displayOffAfterSec).toEqual({ ac: 600, battery: 600 });
      expect((await a.readSettings()).sleepAfterSec).toEqual({ ac: 1800, battery: 900 });

      // restore may write values a policy never could, such as "never"
      const never = await a.apply({ sleepAfterSec: { ac: null } }, 'restore');
      expect(never.errors).toEqual([]);
      expect(never.applied.sleepAfterSec.ac).toBeNull();

      const restored = await a.apply(
        { sleepAfterSec: original.sleepAfterSec, displayOffAfterSec: original.displayOffAfterSec },
        'restore',
      );
      expect(restored.errors.filter((e) => e.code !== ErrorCode.Unsupported)).toEqual([]);
      expect(restored.applied.sleepAfterSec).toEqual(original.sleepAfterSec);
      expect(restored.applied.displayOffAfterSec).toEqual(original.displayOffAfterSec);
    }, 20_000); // real gsettings processes: slow on a loaded machine

    it('reports a display-off value per source truthfully', async () => {
      if (!env.enforcesTimeouts) return;
      const original = await a.readSettings();
      const out = await a.apply({ displayOffAfterSec: { ac: 900, battery: 300 } }, 'policy');
      if (env.singleDisplayTimeout) {
        // one OS value for both: the mismatch is reported, not hidden
        expect(out.errors.map((e) => e.code)).toContain(ErrorCode.Unsupported);
      } else expect(out.applied.displayOffAfterSec).toEqual({ ac: 900, battery: 300 });
      await a.apply({ displayOffAfterSec: original.displayOffAfterSec }, 'restore');
    }, 20_000);

    it('caps brightness where a panel exists and says "unsupported" where none does', async () => {
      const src = await a.powerSource();
      const out = await a.apply({ brightnessPct: { ac: 40, battery: 30 } }, 'policy');
      if (!env.hasBacklight) {
        expect(out.errors.map((e) => e.code)).toContain(ErrorCode.Unsupported);
        expect(await a.panelPct?.()).toBeFalsy();
        return;
      }
      expect(out.errors).toEqual([]);
      // the adapter reads the panel and sets exactly what it is given; the value is the core's
      if (a.panelPct && a.setPanelPct) {
        const before = await a.panelPct();
        expect(before).toBeTypeOf('number');
        await a.setPanelPct(25);
        // in the panel's own steps (a firmware panel may have only 15 levels)
        const after = await a.panelPct();
        expect(Math.abs((after as number) - 25)).toBeLessThanOrEqual(7);
        if (env.panelPct) expect(await env.panelPct()).toBe(after);
        await a.setPanelPct(before as number);
      }
      // through the service's enforcer the panel ends at or below the cap for the source in use
      const enforcer = new PolicyEnforcer(a, new MemoryStore(), systemClock);
      try {
        const frame = await enforcer.setPolicy({ brightnessCapPct: { ac: 40, battery: 30 } }, 'cap-test');
        expect(frame.errors).toEqual([]);
        if (src === 'ac' || src === 'battery') {
          const pct = (await a.readSettings()).brightnessPct[src];
          expect(pct).toBeTypeOf('number');
          expect(pct as number).toBeLessThanOrEqual(src === 'ac' ? 40 : 30);
          expect(pct as number).toBeGreaterThan(0);
          if (env.panelPct) expect(await env.panelPct()).toBeLessThanOrEqual(src === 'ac' ? 40 : 30);
        }
      } finally {
        await enforcer.restore();
      }
    }, 20_000); // real gsettings and sysfs reads through the enforcer: slow on a loaded machine

    it('lists blockers as valid protocol blockers, or says why it cannot', async () => {
      if (env.blockersReadable) {
        const list = await a.blockers();
        for (const b of list) expect(BlockerSchema.safeParse(b).success).toBe(true);
        return;
      }
      const err = await a.blockers().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isSluimerError(err)).toBe(true);
      expect((err as Error).message.length).toBeGreaterThan(10);
    });

    it('never takes a power request, assertion or inhibitor itself', async () => {
      await a.idleMs();
      await a.readSettings();
      await a.blockers().catch(() => []);
      if (env.commandLog) expect(env.commandLog().filter(takesInhibitor)).toEqual([]);
      if (env.blockersReadable) {
        const own = (await a.blockers()).filter(
          (b) => /sluimer/i.test(b.name) || /sluimer/i.test(b.reason ?? ''),
        );
        expect(own).toEqual([]);
      }
    });

    it('reports every capability with a status and a reason', async () => {
      const caps = await a.capabilities();
      const ids = caps.map((c) => c.id);
      for (const id of env.capabilityIds ?? REQUIRED_CAPS) expect(ids).toContain(id);
      for (const c of caps) {
        expect(['readable', 'enforceable', 'needs-admin', 'unsupported']).toContain(c.status);
        expect(c.detail.length).toBeGreaterThan(0);
      }
    }, 30_000);

    it('returns a valid inventory and caches it', async () => {
      const first = await a.inventory();
      expect(InventorySchema.safeParse(first).success).toBe(true);
      const calls = env.commandLog?.().length ?? 0;
      const second = await a.inventory();
      expect(second).toEqual(first);
      expect(env.commandLog?.().length ?? 0).toBe(calls);
    });

    it('follows a switch from mains to battery and back: what the OS does not switch is applied again', async () => {
      if (!env.switchPowerSource) {
        expect(await a.powerSource()).toBe('ac');
        return;
      }
      await env.switchPowerSource('ac');
      const events: PowerEvent[] = [];
      const off = a.onEvent((e) => events.push(e));
      const enforcer = new PolicyEnforcer(a, new MemoryStore(), systemClock);
      const policy: EffectivePolicy = {
        sleepAfterSec: { ac: 1800, battery: 900 },
        displayOffAfterSec: { ac: 900, battery: 300 },
        brightnessCapPct: { ac: 60, battery: 30 },
      };
      const bound = a.sourceBound ?? ALL_SOURCE_BOUND;
      try {
        await enforcer.setPolicy(policy, 'switch-test');
        expect(await a.powerSource()).toBe('ac');

        await env.switchPowerSource('battery');
        if (env.powerEvents) {
          const seen = await waitFor(
            () => events.some((e) => e.type === 'power-source' && e.source === 'battery'),
            5_000,
          );
          expect(seen, 'a power-source event within 5 s').toBe(true);
        }
        expect(await a.powerSource()).toBe('battery');
        // the comparison considers the source: only a source-bound setting makes it apply again
        const onBattery = await enforcer.reevaluate();
        expect(onBattery !== null).toBe(bound.length > 0);
        const bat = await a.readSettings();
        if (env.enforcesTimeouts) {
          expect(bat.sleepAfterSec.battery).toBe(900);
          expect(bat.displayOffAfterSec.battery).toBe(300);
        }
        if (env.hasBacklight) {
          expect(bat.brightnessPct.battery).toBeTypeOf('number');
          expect(bat.brightnessPct.battery as number).toBeLessThanOrEqual(30);
        }
        if (env.panelPct) expect(await env.panelPct()).toBeLessThanOrEqual(30);
        // a second check on the same source applies nothing
        expect(await enforcer.reevaluate()).toBeNull();

        await env.switchPowerSource('ac');
        if (env.powerEvents)
          expect(
            await waitFor(() => events.some((e) => e.type === 'power-source' && e.source === 'ac'), 5_000),
          ).toBe(true);
        expect((await enforcer.reevaluate()) !== null).toBe(bound.length > 0);
        const ac = await a.readSettings();
        if (env.enforcesTimeouts) {
          expect(ac.sleepAfterSec.ac).toBe(1800);
          expect(ac.displayOffAfterSec.ac).toBe(900);
        }
        if (env.panelPct) expect(await env.panelPct()).toBeLessThanOrEqual(60);
      } finally {
        off();
        await enforcer.restore();
        await env.switchPowerSource('ac');
      }
    }, 30_000);

    it('lets a listener subscribe and unsubscribe', () => {
      const off = a.onEvent(() => {});
      expect(off).toBeTypeOf('function');
      off();
    });
  });
}
