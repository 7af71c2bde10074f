/// <reference types="chrome" />
import { BATTERY_QUESTION, type BatteryAnswer, POWER_CHANGED } from './battery-messages.js';

/**
 * The offscreen document (reason BATTERY_STATUS): the one place the extension may read the Battery
 * Status API, which MV3 service workers lack. It answers the worker's question and tells the worker
 * when the charger is plugged in or out, so the power source splits intervals when it changes. It
 * reads nothing else and keeps no state.
 */
interface BatteryManagerLike extends EventTarget {
  charging: boolean;
  level: number;
}
const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryManagerLike> };
const battery: Promise<BatteryManagerLike | null> = nav.getBattery
  ? nav.getBattery().catch(() => null)
  : Promise.resolve(null);

chrome.runtime.onMessage.addListener(
  (message: unknown, _sender, reply: (a: BatteryAnswer | null) => void) => {
    if ((message as { type?: unknown } | null)?.type !== BATTERY_QUESTION) return false;
    void battery.then((b) => reply(b ? { charging: b.charging, level: b.level } : null));
    return true; // answers asynchronously
  },
);

void battery.then((b) =>
  b?.addEventListener('chargingchange', () => {
    void chrome.runtime.sendMessage({ type: POWER_CHANGED }).catch(() => undefined);
  }),
);
