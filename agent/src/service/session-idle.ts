import type { Known } from '@sluimer/shared';

/** What the connected trays report together (service/ipc/server.ts `AggregateSignals`). */
export interface SessionSignals {
  idleMs: number | null;
  presenting: boolean;
  trays: number;
  /** the power source a tray reported (Electron powerMonitor); absent when none did */
  power?: 'ac' | 'battery';
}

/**
 * The idle time as the pupil's session sees it. A Windows service in session 0 (and a system daemon
 * elsewhere) cannot see user input itself; a tray running in the session can, and reports it over
 * IPC. Created before the agent and the tray bridge, so neither needs the other at start-up: the
 * bridge connects its IPC server once it listens, the agent reads through it.
 */
export class SessionIdle {
  private trays: { signals(): SessionSignals } | null = null;

  /** the IPC server whose trays report the session's signals (once it listens) */
  connect(trays: { signals(): SessionSignals }): void {
    this.trays = trays;
  }

  disconnect(): void {
    this.trays = null;
  }

  /**
   * The session's idle time when a tray can tell it; otherwise `own()` (the platform adapter's own
   * reading) stands.
   */
  async idleMs(own: () => Promise<Known<number>>): Promise<Known<number>> {
    const s = this.trays?.signals();
    if (s && s.trays > 0 && s.idleMs !== null) return s.idleMs;
    return own();
  }

  /**
   * The power source. On Windows the adapter's own reading is a one-shot PowerShell while the tray's
   * powerMonitor sees a switch at once for free, so a tray's report wins there; elsewhere the OS
   * reading (sysfs, UPower, pmset) is cheap and stays the authority over what a session process claims.
   */
  async powerSource(
    os: string,
    own: () => Promise<'ac' | 'battery' | 'unknown'>,
  ): Promise<'ac' | 'battery' | 'unknown'> {
    const power = os === 'windows' ? this.trays?.signals().power : undefined;
    return power ?? own();
  }
}
