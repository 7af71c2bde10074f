import { z } from 'zod';

/**
 * What the school's Google Admin pushes to the force-installed extension (chrome.storage.managed,
 * described for the Admin console by schema.json next to the manifest). Checked here because it is a
 * trust boundary: a typo in the Admin console must give a clear message, never a half-enrolled device.
 */
export const IDLE_DETECTION_BOUNDS = { min: 15, max: 3600 } as const;

export const ManagedConfigSchema = z.object({
  /** the console's address, e.g. https://sluimer.school.nl */
  consoleUrl: z
    .string()
    .url()
    .refine(
      (u) => /^https?:\/\//i.test(u),
      'the console URL starts with https:// (or http:// on a test network)',
    ),
  /** an enroll secret of the Chromebooks' group in the console */
  enrollSecret: z.string().min(1).max(200),
  /**
   * chrome.idle detection interval in seconds; when absent the console policy's idle threshold is used.
   * Chrome allows 15 s at the least.
   */
  idleDetectionSec: z.number().int().min(IDLE_DETECTION_BOUNDS.min).max(IDLE_DETECTION_BOUNDS.max).optional(),
});
export type ManagedConfig = z.infer<typeof ManagedConfigSchema>;

export type ConfigResult =
  | { ok: true; config: ManagedConfig }
  | { ok: false; missing: boolean; message: string };

/** Reads the managed configuration; a missing policy is told apart from a wrong one. */
export function parseManagedConfig(raw: unknown): ConfigResult {
  if (raw === null || typeof raw !== 'object' || Object.keys(raw).length === 0) {
    return {
      ok: false,
      missing: true,
      message: 'no Sluimer policy for this extension yet: set consoleUrl and enrollSecret in Google Admin',
    };
  }
  const parsed = ManagedConfigSchema.safeParse(raw);
  if (parsed.success)
    return { ok: true, config: { ...parsed.data, consoleUrl: parsed.data.consoleUrl.replace(/\/+$/, '') } };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ');
  return { ok: false, missing: false, message: `the Sluimer policy in Google Admin is not valid: ${issues}` };
}

/** The WebSocket address of the console's agent endpoint. */
export function agentSocketUrl(consoleUrl: string, path: string): string {
  const u = new URL(path, `${consoleUrl}/`);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** chrome.idle detection interval: the managed override, else the console policy's idle threshold. */
export function idleDetectionSec(config: ManagedConfig, policyIdleThresholdSec: number | undefined): number {
  const sec = config.idleDetectionSec ?? policyIdleThresholdSec ?? 300;
  return Math.min(IDLE_DETECTION_BOUNDS.max, Math.max(IDLE_DETECTION_BOUNDS.min, Math.round(sec)));
}
