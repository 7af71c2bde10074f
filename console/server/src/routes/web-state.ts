import type { DeviceState as IntervalState } from '@sluimer/shared';
import type { Gateway, GatewayEvent } from '../agents/gateway.js';
import { type DeviceViewState, deviceStateOf } from '../device-status.js';
import type { Store } from '../store/types.js';

export type OnlineState = DeviceViewState;

type LastInterval = { state: IntervalState; end: number } | null;

/**
 * Keeps what `deviceStateOf` needs for every device at hand: the last reported interval (fed by the
 * gateway's report events, read once from the store for devices not heard from since this console
 * started) and when its current connection said hello (from the gateway's events; every connection
 * is made after this tracker exists).
 */
export class DeviceStateTracker {
  private readonly last = new Map<number, LastInterval>();
  private readonly since = new Map<number, number>();
  private readonly off: () => void;

  constructor(
    private readonly store: Store,
    private readonly gateway: Gateway,
  ) {
    const onEvent = (e: GatewayEvent) => {
      if (e.type === 'report' && e.lastState && e.lastEnd !== undefined)
        this.last.set(e.deviceId, { state: e.lastState as IntervalState, end: e.lastEnd });
      if (e.type === 'device') {
        if (e.online) this.since.set(e.deviceId, e.at);
        else this.since.delete(e.deviceId);
      }
    };
    gateway.events.on('event', onEvent);
    this.off = () => gateway.events.off('event', onEvent);
  }

  close(): void {
    this.off();
  }

  async lastInterval(deviceId: number): Promise<LastInterval> {
    let s = this.last.get(deviceId);
    if (s === undefined) {
      const [iv] = await this.store.recentIntervals(deviceId, 1);
      s = iv ? { state: iv.state, end: iv.end } : null;
      this.last.set(deviceId, s);
    }
    return s;
  }

  /** the state from what is known now (for live events: the cached last interval, or none) */
  stateNow(deviceId: number): OnlineState {
    const connected = this.gateway.isOnline(deviceId);
    return deviceStateOf({
      connected,
      connectedSince: connected ? (this.since.get(deviceId) ?? null) : null,
      lastInterval: this.last.get(deviceId) ?? null,
    });
  }

  async stateOf(deviceId: number): Promise<OnlineState> {
    await this.lastInterval(deviceId);
    return this.stateNow(deviceId);
  }
}
