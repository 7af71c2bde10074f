import { execFile } from 'node:child_process';

/**
 * How adapters run OS commands: always a program plus an argument list (execFile, never a shell
 * string), so nothing a policy or a device name contains can be interpreted by a shell, and so tests
 * can assert exactly which command an adapter builds.
 */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** exit code; `null` when killed by a signal; -1 when the program could not be started */
  code: number | null;
  /** set when the program does not exist (ENOENT) */
  notFound?: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** text written to stdin */
  input?: string;
  /** how to turn the child's bytes into text (default UTF-8), e.g. an OEM code page on Windows */
  decode?: (bytes: Buffer) => string;
}

export interface CommandRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** The real runner: `child_process.execFile`, no shell, bounded time and output. */
export function execFileRunner(
  defaults: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CommandRunner {
  return {
    run(file, args, options = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          file,
          [...args],
          {
            env: options.env ?? defaults.env ?? process.env,
            timeout: options.timeoutMs ?? defaults.timeoutMs ?? 15_000,
            maxBuffer: 8 * 1024 * 1024,
            windowsHide: true,
            encoding: 'buffer',
          },
          (err, stdoutBuf, stderrBuf) => {
            const decode = options.decode ?? ((b: Buffer) => b.toString('utf8'));
            const stdout = decode(Buffer.from(stdoutBuf));
            const stderr = decode(Buffer.from(stderrBuf));
            if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
              resolve({ stdout: '', stderr: String(err.message), code: -1, notFound: true });
              return;
            }
            const code = err ? (typeof err.code === 'number' ? err.code : err.killed ? null : 1) : 0;
            resolve({ stdout: String(stdout), stderr: String(stderr), code });
          },
        );
        if (options.input !== undefined) child.stdin?.end(options.input);
      });
    },
  };
}

/** Normalises captured output: CRLF/CR to LF, BOM removed. */
export function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
