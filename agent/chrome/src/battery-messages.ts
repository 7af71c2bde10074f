/** The messages between the service worker and the offscreen document (offscreen.ts); no imports, so the document stays small. */
export const BATTERY_QUESTION = 'sluimer-battery';
/** sent by the offscreen document when the charger is plugged in or out */
export const POWER_CHANGED = 'sluimer-power-changed';

/** what the Battery Status API says, as the offscreen document passes it on */
export interface BatteryAnswer {
  charging: boolean;
  level: number;
}
