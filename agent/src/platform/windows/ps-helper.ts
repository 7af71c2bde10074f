import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ErrorCode, SluimerError } from '@sluimer/shared';

/**
 * One long-lived PowerShell process per adapter (the issue: never one PowerShell start per sample).
 * It loads GetLastInputInfo once through Add-Type, then answers line requests on stdin:
 *   `IDLE`            → `IDLE <ms>` (GetLastInputInfo vs the tick count, wrap-safe, unsigned 32-bit)
 *   `RUN <id> <b64>`  → `OK <id> <b64 UTF-8 output>` or `ERR <id> <b64 message>`
 * Output is UTF-8 ([Console]::OutputEncoding), so localised powercfg text arrives intact.
 */
export const HELPER_SCRIPT = `
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$OutputEncoding = [Text.Encoding]::UTF8
Add-Type -TypeDefinition @'
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
$sessionId = [System.Diagnostics.Process]::GetCurrentProcess().SessionId
while ($true) {
  $line = [Console]::In.ReadLine()
  if ($null -eq $line) { break }
  if ($line -eq 'IDLE') {
    # session 0 (a service) sees no user input: say so instead of a meaningless number
    if ($sessionId -eq 0) { [Console]::Out.WriteLine('IDLE -2') } else { [Console]::Out.WriteLine('IDLE ' + [SluimerIdle]::IdleMs()) }
    [Console]::Out.Flush(); continue
  }
  $parts = $line.Split(' ')
  if ($parts.Length -ne 3 -or $parts[0] -ne 'RUN') { continue }
  $id = $parts[1]
  try {
    $script = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($parts[2]))
    $out = (Invoke-Expression $script 2>&1 | Out-String -Width 4096)
    [Console]::Out.WriteLine('OK ' + $id + ' ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($out)))
  } catch {
    [Console]::Out.WriteLine('ERR ' + $id + ' ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($_.ToString())))
  }
  [Console]::Out.Flush()
}
`;

/** powershell.exe arguments: the helper is passed as -EncodedCommand (UTF-16LE base64), no shell. */
export function helperArgs(script = HELPER_SCRIPT): string[] {
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    Buffer.from(script, 'utf16le').toString('base64'),
  ];
}

export type Spawner = (file: string, args: string[]) => ChildProcessWithoutNullStreams;

export class PowerShellHelper {
  private child: ChildProcessWithoutNullStreams | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (s: string) => void; reject: (e: Error) => void }>();
  private readonly idleWaiters: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  /** how many processes were started; a test proves it stays at 1 over many samples */
  spawnCount = 0;

  constructor(
    private readonly file = 'powershell.exe',
    private readonly spawner: Spawner = (f, a) => spawn(f, a, { windowsHide: true, stdio: 'pipe' }),
    private readonly timeoutMs = 20_000,
  ) {}

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child && this.child.exitCode === null && !this.child.killed) return this.child;
    const child = this.spawner(this.file, helperArgs());
    this.spawnCount += 1;
    this.child = child;
    child.stdout.setEncoding('utf8');
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => this.onLine(line.trim()));
    const fail = (err: Error) => {
      if (this.child === child) this.child = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      for (const w of this.idleWaiters.splice(0)) w.reject(err);
    };
    child.on('error', (e) =>
      fail(new SluimerError(ErrorCode.CommandFailed, `PowerShell helper: ${e.message}`)),
    );
    child.on('exit', (code) =>
      fail(new SluimerError(ErrorCode.CommandFailed, `PowerShell helper exited (${code})`)),
    );
    child.stdin.on('error', () => {});
    return child;
  }

  private onLine(line: string): void {
    if (line.startsWith('IDLE ')) {
      const w = this.idleWaiters.shift();
      const n = Number.parseInt(line.slice(5), 10);
      if (w) {
        if (Number.isFinite(n) && n >= 0) w.resolve(n);
        else if (n === -2)
          w.reject(
            new SluimerError(
              ErrorCode.Unsupported,
              'running in session 0 (service): idle time comes from the tray in the user session',
            ),
          );
        else w.reject(new SluimerError(ErrorCode.CommandFailed, 'GetLastInputInfo failed'));
      }
      return;
    }
    const m = /^(OK|ERR) (\d+) ?(\S*)$/.exec(line);
    if (!m) return;
    const p = this.pending.get(m[2]!);
    if (!p) return;
    this.pending.delete(m[2]!);
    const text = Buffer.from(m[3] ?? '', 'base64').toString('utf8');
    if (m[1] === 'OK') p.resolve(text);
    else p.reject(new SluimerError(ErrorCode.CommandFailed, text.trim() || 'PowerShell error'));
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new SluimerError(ErrorCode.CommandFailed, `PowerShell helper: ${what} timed out`)),
        this.timeoutMs,
      );
      t.unref?.();
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  }

  idleMs(): Promise<number> {
    const child = this.ensure();
    const p = new Promise<number>((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
    child.stdin.write('IDLE\n');
    return this.withTimeout(p, 'idle');
  }

  /** Runs a fixed script (never built from untrusted text) and returns its UTF-8 output. */
  run(script: string): Promise<string> {
    const child = this.ensure();
    const id = String(this.nextId++);
    const p = new Promise<string>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    child.stdin.write(`RUN ${id} ${Buffer.from(script, 'utf8').toString('base64')}\n`);
    return this.withTimeout(p, 'script');
  }

  close(): void {
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null) {
      c.stdin.end();
      c.kill();
    }
  }
}
