import { z } from 'zod';

/**
 * Mains or battery on a Chromebook. An MV3 service worker has no `navigator.getBattery`; an offscreen
 * document created for the reason BATTERY_STATUS has (offscreen.ts), and answers the worker's
 * question with the Battery Status API's `charging` and `level`. What comes back over
 * chrome.runtime messaging is checked here: a missing or odd answer is `unknown`, never a guess.
 */
export const BatteryAnswerSchema = z.object({
  charging: z.boolean(),
  level: z.number().min(0).max(1),
});

/**
 * The interval's power source as the Node agent reports it (`Interval.power`). The Battery Status API
 * says `charging: true` when charging, when full on the charger, and when the device has no battery
 * at all: all three run on mains. `charging: false` is the battery.
 */
export function powerSourceOf(answer: unknown): 'ac' | 'battery' | 'unknown' {
  const parsed = BatteryAnswerSchema.safeParse(answer);
  if (!parsed.success) return 'unknown';
  return parsed.data.charging ? 'ac' : 'battery';
}
