/**
 * Is a presentation or full-screen video running in this session? Nudges stay silent then.
 * Electron has no API for it, so the tray asks the OS once a minute (cheap commands only):
 * - Windows: SHQueryUserNotificationState (shell32) through PowerShell: QUNS_BUSY (2, a full-screen
 *   app), QUNS_RUNNING_D3D_FULL_SCREEN (3) and QUNS_PRESENTATION_MODE (4) count as presenting.
 * - macOS: `pmset -g assertions`: an app holding PreventUserIdleDisplaySleep (Keynote, video players).
 * - Linux: `systemd-inhibit --list`: an `idle` block lock held by another app (video players and
 *   presentation tools take one through the session's ScreenSaver inhibit).
 */
export interface ProbeCommand {
  cmd: string;
  args: string[];
}

const WIN_SCRIPT = [
  'Add-Type -Namespace Sluimer -Name Shell -MemberDefinition \'[DllImport("shell32.dll")] public static extern int SHQueryUserNotificationState(out int state);\'',
  '$s = 0',
  '[void][Sluimer.Shell]::SHQueryUserNotificationState([ref]$s)',
  'Write-Output $s',
].join('; ');

export function presentingProbe(platform: NodeJS.Platform): ProbeCommand | null {
  if (platform === 'win32')
    return {
      cmd: 'powershell.exe',
      args: [
        '-NoProfile',
        '-NonInteractive',
        '-EncodedCommand',
        Buffer.from(WIN_SCRIPT, 'utf16le').toString('base64'),
      ],
    };
  if (platform === 'darwin') return { cmd: 'pmset', args: ['-g', 'assertions'] };
  if (platform === 'linux') return { cmd: 'systemd-inhibit', args: ['--list', '--no-pager'] };
  return null;
}

export function parseWindowsNotificationState(stdout: string): boolean {
  const n = Number.parseInt(stdout.trim(), 10);
  return n === 2 || n === 3 || n === 4;
}

/** `pmset -g assertions`: the summary line `PreventUserIdleDisplaySleep    1` (0 when none). */
export function parsePmsetAssertions(stdout: string): boolean {
  const m = /^\s*PreventUserIdleDisplaySleep\s+(\d+)/m.exec(stdout);
  return m ? Number(m[1]) > 0 : false;
}

/**
 * `systemd-inhibit --list`: a header `WHO UID USER PID COMM WHAT WHY MODE` with columns aligned to it.
 * A lock whose WHAT includes `idle`, in block mode, held by anything but Sluimer itself counts.
 */
export function parseSystemdInhibit(stdout: string): boolean {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => /^\s*WHO\s+UID\s+/.test(l));
  if (header < 0) return false;
  const h = lines[header]!;
  const whatAt = h.indexOf('WHAT');
  const whyAt = h.indexOf('WHY');
  if (whatAt < 0 || whyAt < whatAt) return false;
  for (const line of lines.slice(header + 1)) {
    if (!line.trim() || /inhibitors listed/.test(line)) continue;
    const what = line.slice(whatAt, whyAt).trim().split(':');
    const mode = line.trim().split(/\s+/).pop();
    if (mode !== 'block' || !what.includes('idle')) continue;
    if (/sluimer/i.test(line.slice(0, whatAt))) continue;
    return true;
  }
  return false;
}

export function parsePresenting(platform: NodeJS.Platform, stdout: string): boolean {
  if (platform === 'win32') return parseWindowsNotificationState(stdout);
  if (platform === 'darwin') return parsePmsetAssertions(stdout);
  return parseSystemdInhibit(stdout);
}
