import { describe, expect, it } from 'vitest';
import { SessionIdle, type SessionSignals } from './session-idle.js';

describe('SessionIdle', () => {
  it('prefers the idle time a connected tray reports, else the adapter reading', async () => {
    const idle = new SessionIdle();
    const own = async () => 'unknown' as const;
    expect(await idle.idleMs(own)).toBe('unknown');
    let signals: SessionSignals = { idleMs: 12_000, presenting: false, trays: 1 };
    idle.connect({ signals: () => signals });
    expect(await idle.idleMs(own)).toBe(12_000);
    signals = { idleMs: null, presenting: false, trays: 1 };
    expect(await idle.idleMs(own)).toBe('unknown');
    signals = { idleMs: 5_000, presenting: false, trays: 0 };
    expect(await idle.idleMs(async () => 42)).toBe(42);
    idle.disconnect();
    signals = { idleMs: 7_000, presenting: false, trays: 1 };
    expect(await idle.idleMs(async () => 43)).toBe(43);
  });

  it("on Windows takes the power source from the tray's powerMonitor; elsewhere the adapter's reading stands", async () => {
    const session = new SessionIdle();
    let adapterReads = 0;
    const own = async () => {
      adapterReads++;
      return 'ac' as const;
    };
    let signals: SessionSignals = { idleMs: 1, presenting: false, trays: 1 };
    session.connect({ signals: () => signals });
    expect(await session.powerSource('windows', own)).toBe('ac');
    expect(adapterReads).toBe(1);
    signals = { idleMs: 1, presenting: false, trays: 1, power: 'battery' };
    expect(await session.powerSource('windows', own)).toBe('battery');
    expect(adapterReads).toBe(1);
    expect(await session.powerSource('linux', own)).toBe('ac');
    expect(adapterReads).toBe(2);
  });
});
