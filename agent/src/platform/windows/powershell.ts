import { ErrorCode, SluimerError } from '@sluimer/shared';
import type { CommandRunner } from '../runner.js';

/**
 * One-shot PowerShell, for the few readings Windows offers only through WMI or .NET (the battery's
 * status, the live panel brightness, suspend, the idle time outside the service). Nothing stays
 * resident: a long-lived PowerShell costs 60–90 MB, more than the Node service itself, so each call
 * starts powershell.exe with a fixed script and lets it exit. Plain tools (powercfg, reg, schtasks,
 * whoami) are never run through it: the adapter starts those directly with an argument array.
 */
export const POWERSHELL = 'powershell.exe';

/** Output as UTF-8, so JSON and localised text arrive intact whatever the console code page. */
const PREFIX = "$ErrorActionPreference = 'Stop'; [Console]::OutputEncoding = [Text.Encoding]::UTF8; ";

/** powershell.exe arguments: the script as -EncodedCommand (UTF-16LE base64), never through a shell. */
export function powershellArgs(script: string): string[] {
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    Buffer.from(PREFIX + script, 'utf16le').toString('base64'),
  ];
}

/** The script a `powershellArgs` list carries (without the fixed prefix); null for anything else. */
export function scriptOf(args: readonly string[]): string | null {
  const i = args.indexOf('-EncodedCommand');
  const b64 = i >= 0 ? args[i + 1] : undefined;
  if (b64 === undefined) return null;
  const text = Buffer.from(b64, 'base64').toString('utf16le');
  return text.startsWith(PREFIX) ? text.slice(PREFIX.length) : null;
}

/** Runs a fixed script (never built from untrusted text) once and returns its output. */
export async function runPowerShell(
  runner: CommandRunner,
  script: string,
  timeoutMs = 20_000,
): Promise<string> {
  const r = await runner.run(POWERSHELL, powershellArgs(script), { timeoutMs });
  if (r.notFound) throw new SluimerError(ErrorCode.Unsupported, 'powershell.exe not found');
  if (r.code !== 0)
    throw new SluimerError(
      ErrorCode.CommandFailed,
      `PowerShell: ${(r.stderr || r.stdout).trim().slice(0, 300) || `exit ${r.code}`}`,
    );
  return r.stdout;
}

/**
 * GetLastInputInfo against the tick count (wrap-safe, unsigned 32-bit). Add-Type compiles a few
 * lines of C#: a second or so of CPU, acceptable for `inspect`/`doctor` but not per sample, which is
 * why the service takes the session's idle time from the tray (Electron powerMonitor) instead.
 */
export const IDLE_SCRIPT = `Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
public static class SluimerIdle {
  [StructLayout(LayoutKind.Sequential)] struct LASTINPUTINFO { public uint cbSize; public uint dwTime; }
  [DllImport("user32.dll")] static extern bool GetLastInputInfo(ref LASTINPUTINFO plii);
  public static long IdleMs() {
    LASTINPUTINFO lii = new LASTINPUTINFO();
    lii.cbSize = (uint)Marshal.SizeOf(typeof(LASTINPUTINFO));
    if (!GetLastInputInfo(ref lii)) { return -1; }
    uint now = unchecked((uint)Environment.TickCount);
    return (long)unchecked(now - lii.dwTime);
  }
}
'@
[SluimerIdle]::IdleMs()`;

/** The IDLE_SCRIPT output: milliseconds, or null when GetLastInputInfo failed or printed nothing. */
export function parseIdleOutput(stdout: string): number | null {
  const t = stdout.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 ? n : null;
}
