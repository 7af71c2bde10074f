import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type EffectivePolicy, type Interval, renderNudge } from '@sluimer/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PowerSettings } from '../../platform/types.js';
import type { SessionNotifier, SessionTarget } from '../../session/notifier.js';
import type { NotificationSpec } from '../../session/notify.js';
import { MemoryStore } from '../store.js';
import { startTrayBridge, type TrayBridge } from './bridge.js';
import { connectIpc, type IpcClient } from './client.js';
import type { NudgeMessage, TrayState } from './protocol.js';

const at = (local: string) => Date.parse(`${local}:00+01:00`);

async function until<T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('tray bridge: the service side of nudges', () => {
  let dir: string;
  let bridge: TrayBridge;
  let client: IpcClient;
  let now = at('2026-11-24T10:00');
  const events = new EventEmitter();
  const policy: EffectivePolicy = {
    sleepAfterSec: { ac: 900, battery: 600 },
    brightnessCapPct: { battery: 70 },
    allowSnooze: true,
    snoozeMinutes: 60,
    timeZone: 'Europe/Amsterdam',
  };
  let brightness = 100;
  const store = new MemoryStore();
  const states: TrayState[] = [];
  const nudges: NudgeMessage[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge-'));
    bridge = await startTrayBridge({
      agent: {
        events,
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: { current: () => ({ policy, etag: 'e1' }) },
      },
      platform: {
        powerSource: async () => 'battery',
        readSettings: async (): Promise<PowerSettings> => ({
          sleepAfterSec: {},
          displayOffAfterSec: {},
          brightnessPct: { battery: brightness },
        }),
      },
      clock: { now: () => now, monotonic: () => performance.now() },
      profile: { deviceClass: 'laptop' },
      ipcPath: path.join(dir, 'agent.sock'),
      whyUrl: 'https://school.example/why',
      store,
      tickMs: 0,
    });
    client = connectIpc({
      path: bridge.server.path,
      backoff: { initialMs: 20, maxMs: 50 },
      onState: (s) => states.push(s),
      onNudge: (n) => nudges.push(n),
    });
    await until(() => client.connected());
  });
  afterEach(async () => {
    client.close();
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the tray the policy in words, today and the week from the intervals the service records', async () => {
    const morning: Interval[] = [
      { start: at('2026-11-24T08:30'), end: at('2026-11-24T09:30'), state: 'active', display: 'on' },
      { start: at('2026-11-24T09:30'), end: at('2026-11-24T10:00'), state: 'idle', display: 'on' },
    ];
    events.emit('intervals', morning);
    await bridge.tick();
    const s = await until(() => states.find((x) => x.today?.onMs === 90 * 60_000));
    expect(s.today).toEqual({ onMs: 90 * 60_000, idleOnMs: 30 * 60_000 });
    expect(s.policyText.nl).toBe(
      'Deze laptop gaat na 15 minuten zonder gebruik in slaapstand (op accu na 10 minuten); het scherm is op accu beperkt tot 70 %.',
    );
    expect(s).toMatchObject({
      console: 'connected',
      mode: 'enforcing',
      noun: 'laptop',
      whyUrl: 'https://school.example/why',
    });
    expect(s.weeks.at(-1)?.scope).toBe('device');
    expect(s.weeks.at(-1)?.thisWeek.idleOnMs).toBe(30 * 60_000);
    expect(store.read('totals')).not.toBeNull();
  });

  it('sends a sleep-soon nudge from the tray-reported idle time, counts outcomes and takes a snooze', async () => {
    client.reportSession(9 * 60_000, false);
    await until(() => bridge.signals().idleMs === 9 * 60_000);
    await bridge.tick();
    const n = await until(() => nudges[0]);
    expect(n.content).toEqual({ kind: 'sleepSoon', noun: 'laptop', minutes: 1 });
    expect(n.snoozeMinutes).toBe(60);
    client.reportOutcome({ nudgeId: n.id, kind: 'sleepSoon', outcome: 'shown' });
    client.reportOutcome({ nudgeId: n.id, kind: 'sleepSoon', outcome: 'snoozed' });
    client.requestSnooze();
    const snoozed = await until(() => states.find((x) => x.snooze.until !== null));
    expect(snoozed.snooze.until).toBe(now + 60 * 60_000);
    expect(bridge.counters.take()).toEqual({ sleepSoon: { shown: 1, dismissed: 0, snoozed: 1 } });
    // while snoozed nothing more is sent
    now += 30 * 60_000;
    client.reportSession(9.5 * 60_000, false);
    await new Promise((r) => setTimeout(r, 50));
    expect((await bridge.tick())?.suppressed?.reason).toBe('snoozed');
    expect(nudges).toHaveLength(1);
  });

  it("shows the room's week from the console's summary frame before the device's own, and keeps it", async () => {
    const summary = {
      type: 'summary',
      at: now,
      weekStart: '2026-11-23',
      groups: [
        {
          scope: 'room',
          label: 'Lokaal 2.14',
          thisWeek: { idleOnHours: 20, wasteKwh: 1.1, wasteEur: 0.28 },
          lastWeek: { idleOnHours: 50, wasteKwh: 4.3, wasteEur: 1.08 },
        },
      ],
    };
    events.emit('summary', summary);
    const s = await until(() => states.find((x) => x.weeks.length === 2));
    expect(s.weeks[0]).toEqual({
      scope: 'room',
      label: 'Lokaal 2.14',
      thisWeek: { idleOnMs: 20 * 3_600_000, wasteKwh: 1.1, wasteEur: 0.28 },
      lastWeek: { idleOnMs: 50 * 3_600_000, wasteKwh: 4.3, wasteEur: 1.08 },
    });
    expect(s.weeks[1]?.scope).toBe('device');
    // kept for the next start of the service (offline, the room figures stay until the week ends)
    expect(store.read('summary')).toEqual(summary);
    store.remove('summary');
  });

  it('explains a brightness cap after the policy lowered the screen', async () => {
    now = at('2026-11-25T10:00');
    store.remove('nudges');
    await bridge.tick(); // learns 100 %
    brightness = 70;
    events.emit('policy_status', { ok: true });
    await new Promise((r) => setTimeout(r, 20));
    // the tray's report triggers a decision at once
    client.reportSession(0, false);
    const n = await until(() => nudges.find((x) => x.content.kind === 'brightness'));
    expect(n.content).toEqual({
      kind: 'brightness',
      reason: 'capped',
      pct: 70,
      onBattery: true,
      savedWatts: 1.2,
    });
  });
});

describe('tray bridge: the brightness now', () => {
  it('reads the live panel on Linux, without the OS settings (no gsettings)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge-panel-'));
    const events = new EventEmitter();
    let panel = 100;
    let settingsReads = 0;
    const bridge = await startTrayBridge({
      agent: {
        events,
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: {
          current: () => ({
            policy: { brightnessCapPct: { battery: 60 }, timeZone: 'Europe/Amsterdam' },
            etag: 'e1',
          }),
        },
      },
      platform: {
        os: 'linux',
        powerSource: async () => 'battery',
        panelPct: async () => panel,
        readSettings: async (): Promise<PowerSettings> => {
          settingsReads++;
          return { sleepAfterSec: {}, displayOffAfterSec: {}, brightnessPct: { battery: 100 } };
        },
      },
      clock: { now: () => at('2026-11-25T10:00'), monotonic: () => performance.now() },
      profile: { deviceClass: 'laptop' },
      ipcPath: path.join(dir, 'agent.sock'),
      store: new MemoryStore(),
      tickMs: 0,
    });
    const nudges: NudgeMessage[] = [];
    const client = connectIpc({
      path: bridge.server.path,
      backoff: { initialMs: 20, maxMs: 50 },
      onState: () => {},
      onNudge: (n) => nudges.push(n),
    });
    try {
      await until(() => client.connected());
      await bridge.tick(); // learns 100 %
      panel = 60;
      events.emit('policy_status', { ok: true });
      await new Promise((r) => setTimeout(r, 20));
      client.reportSession(0, false);
      const n = await until(() => nudges.find((x) => x.content.kind === 'brightness'));
      expect(n.content).toMatchObject({ kind: 'brightness', reason: 'capped', pct: 60 });
      expect(settingsReads).toBe(0);
    } finally {
      client.close();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('nudge outcome counts in reports', () => {
  it('ride in the next report as counters.nudges, numbers only, and survive a merge of reports', async () => {
    const { Outbox } = await import('../outbox.js');
    const { ReportFrameSchema } = await import('@sluimer/shared');
    const outbox = Outbox.open(':memory:', { maxRows: 2 });
    const t0 = Date.now() - 60_000;
    const iv = (k: number): Interval => ({ start: t0 + k * 1000, end: t0 + k * 1000 + 500, state: 'active' });
    outbox.enqueue({ intervals: [], nudges: { sleepSoon: { shown: 2, dismissed: 1, snoozed: 1 } } });
    outbox.enqueue({ intervals: [iv(1)], nudges: { sleepSoon: { shown: 1, dismissed: 0, snoozed: 0 } } });
    outbox.enqueue({ intervals: [iv(2)] });
    const frames = outbox.pending(10).map((r) => Outbox.frame(r));
    for (const f of frames) expect(ReportFrameSchema.safeParse(f).success).toBe(true);
    const total = frames.reduce((n, f) => n + (f.counters?.nudges?.sleepSoon?.shown ?? 0), 0);
    expect(total).toBe(3);
    expect(JSON.stringify(frames)).not.toMatch(/user|name/i);
    outbox.close();
  });
});

describe('concurrent decisions', () => {
  it('never send the same nudge twice when a tray report and the timer tick together', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge2-'));
    const events = new EventEmitter();
    const bridge = await startTrayBridge({
      agent: {
        events,
        status: () => ({ link: 'ready', enrolled: true, state: 'idle' }),
        policy: {
          current: () => ({ policy: { sleepAfterSec: { ac: 900 }, nudges: { minGapMin: 5 } }, etag: 'e' }),
        },
      },
      platform: {
        powerSource: () => new Promise((r) => setTimeout(() => r('ac'), 20)),
        readSettings: async () => ({ sleepAfterSec: {}, displayOffAfterSec: {}, brightnessPct: {} }),
      },
      clock: { now: () => Date.parse('2026-11-24T10:00:00+01:00'), monotonic: () => 0 },
      profile: { deviceClass: 'desktop' },
      ipcPath: path.join(dir, 'agent.sock'),
      tickMs: 0,
    });
    const got: NudgeMessage[] = [];
    const client = connectIpc({ path: bridge.server.path, onNudge: (n) => got.push(n) });
    try {
      await until(() => client.connected());
      client.reportSession(14 * 60_000, false);
      await until(() => bridge.signals().idleMs !== null);
      await Promise.all([bridge.tick(), bridge.tick(), bridge.tick()]);
      await until(() => got.length >= 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(got.map((n) => n.content)).toEqual([{ kind: 'sleepSoon', noun: 'computer', minutes: 1 }]);
    } finally {
      client.close();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('no tray connected: the service shows due nudges itself', () => {
  const policy: EffectivePolicy = {
    sleepAfterSec: { ac: 900, battery: 900 },
    allowSnooze: true,
    timeZone: 'Europe/Amsterdam',
  };

  async function setup(target: SessionTarget | null) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge3-'));
    const shown: { spec: NotificationSpec; target: SessionTarget }[] = [];
    const lookups = { n: 0 };
    const notifier: SessionNotifier = {
      target: async () => {
        lookups.n++;
        return target;
      },
      show: async (spec, t) => {
        shown.push({ spec, target: t });
        return { outcome: 'shown' };
      },
    };
    let idle: number | null = 2 * 60_000;
    let now = at('2026-11-24T10:00');
    const bridge = await startTrayBridge({
      agent: {
        events: new EventEmitter(),
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: { current: () => ({ policy, etag: 'e' }) },
      },
      platform: {
        powerSource: async () => 'battery',
        readSettings: async () => ({
          sleepAfterSec: {},
          displayOffAfterSec: {},
          brightnessPct: { battery: 100 },
        }),
      },
      clock: { now: () => now, monotonic: () => 0 },
      profile: { deviceClass: 'laptop' },
      ipcPath: path.join(dir, 'agent.sock'),
      tickMs: 0,
      notifier,
      ownIdleMs: async () => idle,
    });
    return {
      bridge,
      shown,
      lookups,
      setIdle: (ms: number | null) => {
        idle = ms;
      },
      advance: (ms: number) => {
        now += ms;
      },
      async close() {
        await bridge.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  it('warns before sleep in Dutch through the session notifier, without a snooze, and counts it shown', async () => {
    const t = await setup({ kind: 'user', user: { name: 'leerling', uid: 1001 } });
    try {
      // battery at full brightness: the tray would give a tip, the fallback does not
      expect((await t.bridge.tick())?.nudge).toBeNull();
      expect(t.lookups.n).toBe(0); // nothing due: no session lookup at all
      t.setIdle(13.5 * 60_000);
      const d = await t.bridge.tick();
      expect(d?.nudge?.content).toEqual({ kind: 'sleepSoon', noun: 'laptop', minutes: 2 });
      await until(() => t.shown.length === 1);
      const text = renderNudge({ kind: 'sleepSoon', noun: 'laptop', minutes: 2 }, 'nl');
      expect(t.shown[0]).toEqual({
        spec: { title: text.title, body: text.body },
        target: { kind: 'user', user: { name: 'leerling', uid: 1001 } },
      });
      await until(() => t.bridge.counters.take());
      // once per idle stretch
      t.advance(10_000);
      expect((await t.bridge.tick())?.nudge).toBeNull();
      expect(t.shown).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('keeps the nudge due while nobody is logged in, and hands nothing to the notifier when a tray is there', async () => {
    const nobody = await setup(null);
    try {
      nobody.setIdle(13.5 * 60_000);
      expect((await nobody.bridge.tick())?.nudge).toBeNull();
      expect(nobody.lookups.n).toBe(1);
      expect(nobody.shown).toHaveLength(0);
      expect(nobody.bridge.counters.take()).toBeUndefined();
    } finally {
      await nobody.close();
    }

    const t = await setup({ kind: 'own' });
    const got: NudgeMessage[] = [];
    const client = connectIpc({ path: t.bridge.server.path, onNudge: (n) => got.push(n) });
    try {
      await until(() => client.connected());
      client.reportSession(13.5 * 60_000, false);
      await until(() => t.bridge.signals().trays === 1 && t.bridge.signals().idleMs !== null);
      await t.bridge.tick();
      await until(() => got.length === 1);
      expect(got[0]?.snoozeMinutes).toBe(60);
      expect(t.shown).toHaveLength(0);
      expect(t.lookups.n).toBe(0);
    } finally {
      client.close();
      await t.close();
    }
  });
});

describe('tray bridge: presentations are read from the blockers, not from the tray', () => {
  it('holds a due nudge while a display request is listed, and sends it once the request is gone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge-p-'));
    let blockers: import('@sluimer/shared').Blocker[] | Error = [
      { name: 'POWERPNT.EXE', kind: 'process', blocks: ['display'], reason: 'Diavoorstelling' },
    ];
    let reads = 0;
    const bridge = await startTrayBridge({
      agent: {
        events: new EventEmitter(),
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: {
          current: () => ({
            policy: { sleepAfterSec: { ac: 900, battery: 600 }, timeZone: 'Europe/Amsterdam' },
            etag: 'e1',
          }),
        },
      },
      platform: {
        powerSource: async () => 'ac',
        readSettings: async (): Promise<PowerSettings> => ({
          sleepAfterSec: {},
          displayOffAfterSec: {},
          brightnessPct: {},
        }),
        blockers: async () => {
          reads++;
          if (blockers instanceof Error) throw blockers;
          return blockers;
        },
      },
      clock: { now: () => at('2026-11-24T10:00'), monotonic: () => performance.now() },
      profile: { deviceClass: 'laptop' },
      ipcPath: path.join(dir, 'agent.sock'),
      tickMs: 0,
    });
    const nudges: NudgeMessage[] = [];
    const client = connectIpc({
      path: bridge.server.path,
      backoff: { initialMs: 20, maxMs: 50 },
      onNudge: (n) => nudges.push(n),
    });
    try {
      await until(() => client.connected());
      // a tray that sends no presentation flag at all (the current tray)
      client.reportSession(14 * 60_000, undefined, false, 'ac');
      await until(() => bridge.signals().idleMs === 14 * 60_000);
      expect((await bridge.tick())?.suppressed?.reason).toBe('presenting');
      expect(reads).toBeGreaterThan(0);
      // blockers that cannot be read do not hold a nudge back (nothing is known to be showing)
      blockers = new Error('powercfg /requests needs admin');
      const sent = await bridge.tick();
      expect(sent?.nudge?.content.kind).toBe('sleepSoon');
      await until(() => nudges[0]);
    } finally {
      client.close();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not list blockers on a tick with no nudge due', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slm-bridge-q-'));
    let reads = 0;
    const bridge = await startTrayBridge({
      agent: {
        events: new EventEmitter(),
        status: () => ({ link: 'ready', enrolled: true, state: 'active' }),
        policy: { current: () => ({ policy: { sleepAfterSec: { ac: 900 } }, etag: 'e1' }) },
      },
      platform: {
        powerSource: async () => 'ac',
        readSettings: async (): Promise<PowerSettings> => ({
          sleepAfterSec: {},
          displayOffAfterSec: {},
          brightnessPct: {},
        }),
        blockers: async () => {
          reads++;
          return [];
        },
      },
      clock: { now: () => at('2026-11-24T10:00'), monotonic: () => performance.now() },
      profile: { deviceClass: 'laptop' },
      ipcPath: path.join(dir, 'agent.sock'),
      tickMs: 0,
    });
    const client = connectIpc({ path: bridge.server.path, backoff: { initialMs: 20, maxMs: 50 } });
    try {
      await until(() => client.connected());
      client.reportSession(1_000, undefined, false, 'ac');
      await until(() => bridge.signals().idleMs === 1_000);
      expect((await bridge.tick())?.nudge).toBeNull();
      expect(reads).toBe(0);
    } finally {
      client.close();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
