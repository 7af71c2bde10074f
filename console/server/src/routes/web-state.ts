import type { Gateway, GatewayEvent } from '../gateway.js';
import type { Store } from '../store/types.js';

export type OnlineState = 'online' | 'asleep' | 'offline';

/**
 * What the web app shows as a device's state: `online` (connected, last reported awake), `asleep`
 * (last reported interval asleep or off, connected or not) or `offline` (not connected, last known
 * awake or nothing known). The last reported state is kept in memory, fed by the gateway's report
 * events, and read once from the store for devices not heard from since this console started.
 */
export class DeviceStateTracker {
  private readonly last = new Map<number, string | null>();
  private readonly off: () => void;

  constructor(
    private readonly store: Store,
    private readonly gateway: Gateway,
  ) {
    const onEvent = (e: GatewayEvent) => {
      if (e.type === 'report' && e.lastState) this.last.set(e.deviceId, e.lastState);
    };
    gateway.events.on('event', onEvent);
    this.off = () => gateway.events.off('event', onEvent);
  }

  close(): void {
    this.off();
  }

  async lastState(deviceId: number): Promise<string | null> {
    let s = this.last.get(deviceId);
    if (s === undefined) {
      const [iv] = await this.store.recentIntervals(deviceId, 1);
      s = iv?.state ?? null;
      this.last.set(deviceId, s);
    }
    return s;
  }

  /** the state after a report whose last interval was `lastState` (for live events) */
  stateWith(deviceId: number, lastState: string | null | undefined): OnlineState {
    const asleep = lastState === 'asleep' || lastState === 'off';
    if (asleep) return 'asleep';
    return this.gateway.isOnline(deviceId) ? 'online' : 'offline';
  }

  async stateOf(deviceId: number): Promise<OnlineState> {
    return this.stateWith(deviceId, await this.lastState(deviceId));
  }

  /** cached last state, or undefined when it has not been read yet */
  peek(deviceId: number): string | null | undefined {
    return this.last.get(deviceId);
  }
}
