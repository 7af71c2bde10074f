import type { CommandResult, CommandRunner } from './runner.js';

// Test doubles for the command runner (tests only; excluded from the build like every fake-*.ts).

export interface RecordedCall {
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * A runner for tests: answers from a table of handlers and records every call. Unmatched calls get
 * `notFound`, exactly like a program that is not installed.
 */
export function fakeRunner(
  handler: (file: string, args: string[]) => Partial<CommandResult> | undefined,
): CommandRunner & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    async run(file, args, options) {
      calls.push(options?.env ? { file, args: [...args], env: options.env } : { file, args: [...args] });
      const r = handler(file, [...args]);
      if (!r) return { stdout: '', stderr: `${file}: not found`, code: -1, notFound: true };
      return {
        stdout: r.stdout ?? '',
        stderr: r.stderr ?? '',
        code: r.code ?? 0,
        ...(r.notFound ? { notFound: true } : {}),
      };
    },
  };
}

/** Wraps a runner and records every call (used to prove the agent never starts an inhibitor). */
export function recordingRunner(inner: CommandRunner): CommandRunner & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    run(file, args, options) {
      calls.push({ file, args: [...args] });
      return inner.run(file, args, options);
    },
  };
}
