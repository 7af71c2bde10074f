import { NudgeContentSchema, NudgeKindSchema, SummaryScopeSchema } from '@sluimer/shared';
import { z } from 'zod';

/**
 * Local IPC between the service and the per-user tray (docs/platforms-support.md, "Service and session"):
 * newline-delimited JSON over a Unix domain socket (Linux/macOS) or a named pipe (Windows). Every line is
 * validated with these schemas on both sides; a bad line gets an `error` and is otherwise ignored. Nothing
 * here carries a user identity.
 */
export const IPC_PROTOCOL = 1;
/** a line longer than this is refused and the connection closed */
export const MAX_LINE_BYTES = 64 * 1024;

export function defaultIpcPath(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return '\\\\.\\pipe\\sluimer-agent';
  if (platform === 'darwin') return '/var/run/sluimer/agent.sock';
  return '/run/sluimer/agent.sock';
}

const ms = z.number().int().min(0).max(1e13);

// ---- tray → service
export const TrayHelloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number().int().min(1),
  trayVersion: z.string().max(50).optional(),
});
export const SessionSignalsSchema = z.object({
  type: z.literal('session'),
  /** ms since last input in this session; null = unknown (e.g. GNOME Wayland) */
  idleMs: ms.nullable(),
  /**
   * Older trays only: they probed for a presentation themselves. Trays now leave it out; the service
   * reads presentations from the blockers it lists (core/presenting.ts).
   */
  presenting: z.boolean().optional(),
  locked: z.boolean().optional(),
  /** the power source as Electron's powerMonitor sees it (sent again on every on-ac/on-battery) */
  power: z.enum(['ac', 'battery']).optional(),
});
export const OutcomeSchema = z.object({
  type: z.literal('outcome'),
  nudgeId: z.string().min(1).max(100),
  kind: NudgeKindSchema,
  outcome: z.enum(['shown', 'dismissed', 'snoozed']),
});
export const SnoozeRequestSchema = z.object({ type: z.literal('snooze') });
export const TrayMessageSchema = z.discriminatedUnion('type', [
  TrayHelloSchema,
  SessionSignalsSchema,
  OutcomeSchema,
  SnoozeRequestSchema,
]);
export type TrayMessage = z.infer<typeof TrayMessageSchema>;
export type SessionSignalsMessage = z.infer<typeof SessionSignalsSchema>;
export type OutcomeMessage = z.infer<typeof OutcomeSchema>;

// ---- service → tray
const WeekFiguresSchema = z.object({
  idleOnMs: ms,
  wasteKwh: z.number().min(0).max(1e9),
  wasteEur: z.number().min(0).max(1e9),
});
export const WeekSummarySchema = z.object({
  scope: SummaryScopeSchema,
  label: z.string().max(100).optional(),
  thisWeek: WeekFiguresSchema,
  lastWeek: WeekFiguresSchema,
});

export const TrayStateSchema = z.object({
  type: z.literal('state'),
  /** whether the service currently reaches the console */
  console: z.enum(['connected', 'connecting', 'not-enrolled']),
  /** enforcing a policy, only measuring, excluded, or no policy yet */
  mode: z.enum(['enforcing', 'audit', 'excluded', 'none']),
  noun: z.enum(['laptop', 'computer', 'tablet']),
  /** the policy in plain words, in both languages (the tray picks one) */
  policyText: z.object({ nl: z.string().max(1000), en: z.string().max(1000) }),
  today: z.object({ onMs: ms, idleOnMs: ms }).nullable(),
  snooze: z.object({
    allowed: z.boolean(),
    minutes: z.number().int().min(1).max(1440),
    until: ms.nullable(),
  }),
  /** the school's "why is this computer managed" page */
  whyUrl: z.string().url().max(500).nullable(),
  weeks: z.array(WeekSummarySchema).max(4),
  /** the school's default language for the tray (the pupil may choose another) */
  defaultLang: z.enum(['nl', 'en']).optional(),
  /** the school's time zone, for clock times in the menu */
  timeZone: z.string().max(64).optional(),
});
export type TrayState = z.infer<typeof TrayStateSchema>;

export const NudgeMessageSchema = z.object({
  type: z.literal('nudge'),
  id: z.string().min(1).max(100),
  content: NudgeContentSchema,
  snoozeMinutes: z.number().int().min(1).max(1440).optional(),
});
export type NudgeMessage = z.infer<typeof NudgeMessageSchema>;

export const IpcErrorSchema = z.object({
  type: z.literal('error'),
  code: z.string().max(60),
  message: z.string().max(1000),
});

export const ServiceMessageSchema = z.discriminatedUnion('type', [
  TrayStateSchema,
  NudgeMessageSchema,
  IpcErrorSchema,
]);
export type ServiceMessage = z.infer<typeof ServiceMessageSchema>;

/**
 * Splits a byte stream into lines. Returns a push function; `onLine` gets each complete line,
 * `onOverflow` fires once when a line grows past the limit (the caller closes the connection).
 */
export function lineSplitter(onLine: (line: string) => void, onOverflow: () => void, max = MAX_LINE_BYTES) {
  let buf = '';
  let dead = false;
  return (chunk: Buffer | string) => {
    if (dead) return;
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (Buffer.byteLength(line) > max) {
        // a whole over-long line in one chunk counts as much as one still being written
        dead = true;
        buf = '';
        onOverflow();
        return;
      }
      if (line) onLine(line);
      nl = buf.indexOf('\n');
    }
    if (Buffer.byteLength(buf) > max) {
      dead = true;
      buf = '';
      onOverflow();
    }
  };
}

export type Parsed<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'bad_json' | 'bad_frame'; message: string };

export function parseLine<T>(schema: z.ZodType<T>, line: string): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, code: 'bad_json', message: 'line is not valid JSON' };
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      ok: false,
      code: 'bad_frame',
      message: `invalid message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}`,
    };
  }
  return { ok: true, value: r.data };
}

export const encode = (msg: TrayMessage | ServiceMessage): string => `${JSON.stringify(msg)}\n`;
