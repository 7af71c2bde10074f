import { normalizeText } from '../runner.js';
import type { ScheduledAction } from '../types.js';

/** The systemd timer + service pair Sluimer owns for a scheduled sleep/shutdown (root). */
export const UNIT = 'sluimer-power-action';
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export function onCalendar(s: ScheduledAction): string {
  const days = [...new Set(s.weekdays)].sort((a, b) => a - b).map((d) => DAYS[d]!);
  return `${days.join(',')} *-*-* ${s.at}:00`;
}

export function timerUnit(s: ScheduledAction): string {
  return [
    '[Unit]',
    `Description=Sluimer: ${s.action === 'sleep' ? 'slaapstand' : 'afsluiten'} buiten schooltijd`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar(s)}`,
    'Persistent=false',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

export function serviceUnit(s: ScheduledAction): string {
  // `systemctl suspend` honours block inhibitors; poweroff is delayed by logind's inhibitor rules too
  const exec = s.action === 'sleep' ? '/usr/bin/systemctl suspend' : '/usr/bin/systemctl poweroff';
  return [
    '[Unit]',
    'Description=Sluimer scheduled power action',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${exec}`,
    '',
  ].join('\n');
}

/** Reads the schedule back from the unit files (as written, or as edited by an admin). */
export function parseTimerUnits(timer: string, service: string): ScheduledAction | null {
  const cal = /^\s*OnCalendar\s*=\s*(.+)$/m.exec(normalizeText(timer))?.[1]?.trim();
  const exec = /^\s*ExecStart\s*=\s*(.+)$/m.exec(normalizeText(service))?.[1] ?? '';
  if (!cal) return null;
  const m = /^([A-Za-z,.]+)\s+\*-\*-\*\s+(\d{2}):(\d{2})(?::\d{2})?$/.exec(cal);
  if (!m) return null;
  const weekdays: number[] = [];
  for (const part of m[1]!.split(',')) {
    const range = part.split('..');
    const idx = range.map((d) => DAYS.findIndex((x) => x.toLowerCase() === d.slice(0, 3).toLowerCase()));
    if (idx.some((i) => i < 0)) return null;
    if (idx.length === 2) for (let i = idx[0]!; i <= idx[1]!; i++) weekdays.push(i);
    else weekdays.push(idx[0]!);
  }
  const action = /\bsuspend\b/.test(exec)
    ? 'sleep'
    : /\b(poweroff|shutdown)\b/.test(exec)
      ? 'shutdown'
      : null;
  if (!action) return null;
  return { action, at: `${m[2]}:${m[3]}`, weekdays: [...new Set(weekdays)].sort((a, b) => a - b) };
}
