import { normalizeText } from '../runner.js';
import type { ScheduledAction } from '../types.js';

/** The one scheduled task Sluimer owns; it runs as SYSTEM so it works with nobody logged in. */
export const TASK_NAME = 'Sluimer\\PowerAction';
const DAY_CODES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const XML_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/**
 * Sleep through SetSuspendState (via .NET), never `rundll32 powrprof.dll,SetSuspendState`
 * (docs/platforms-support.md).
 */
export const SLEEP_SCRIPT =
  "Add-Type -AssemblyName System.Windows.Forms; [void][System.Windows.Forms.Application]::SetSuspendState('Suspend', $false, $false)";

export function taskCommand(action: ScheduledAction['action']): string {
  if (action === 'shutdown') return 'shutdown.exe /s /t 120 /c "Sluimer: buiten schooltijd"';
  return `powershell.exe -NoProfile -NonInteractive -WindowStyle Hidden -Command "${SLEEP_SCRIPT}"`;
}

/** `schtasks /Create` arguments (execFile, one argument each, no shell). */
export function schtasksCreateArgs(s: ScheduledAction): string[] {
  const days = [...new Set(s.weekdays)].sort((a, b) => a - b).map((d) => DAY_CODES[d]!);
  return [
    '/Create',
    '/F',
    '/TN',
    TASK_NAME,
    '/SC',
    'WEEKLY',
    '/D',
    days.join(','),
    '/ST',
    s.at,
    '/RU',
    'SYSTEM',
    '/RL',
    'HIGHEST',
    '/TR',
    taskCommand(s.action),
  ];
}

export const schtasksQueryArgs = (): string[] => ['/Query', '/TN', TASK_NAME, '/XML'];
export const schtasksDeleteArgs = (): string[] => ['/Delete', '/TN', TASK_NAME, '/F'];

/** Reads the task back from `schtasks /Query /XML` (element names are not translated). */
export function parseTaskXml(xml: string): ScheduledAction | null {
  const t = normalizeText(xml);
  const start = /<StartBoundary>[^<]*T(\d{2}):(\d{2})/.exec(t);
  const cmd = /<Command>([^<]*)<\/Command>/.exec(t)?.[1] ?? '';
  const args = /<Arguments>([^<]*)<\/Arguments>/.exec(t)?.[1] ?? '';
  if (!start) return null;
  const daysBlock = /<DaysOfWeek>([\s\S]*?)<\/DaysOfWeek>/.exec(t)?.[1];
  let weekdays: number[];
  if (daysBlock)
    weekdays = XML_DAYS.map((d, i) => (new RegExp(`<${d}\\s*/?>`).test(daysBlock) ? i : -1)).filter(
      (i) => i >= 0,
    );
  else if (/<ScheduleByDay>/.test(t)) weekdays = [0, 1, 2, 3, 4, 5, 6];
  else weekdays = [];
  const whole = `${cmd} ${args}`.toLowerCase();
  const action: ScheduledAction['action'] | null = whole.includes('shutdown')
    ? 'shutdown'
    : whole.includes('setsuspendstate')
      ? 'sleep'
      : null;
  if (!action) return null;
  return { action, at: `${start[1]}:${start[2]}`, weekdays };
}
