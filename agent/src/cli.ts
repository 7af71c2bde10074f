import v8 from 'node:v8';

/**
 * `sluimer-agent <command>`: each command lives in its own module under ./cli and is loaded on
 * demand, so `run` does not pay for the parsers of `inspect` and the reverse.
 */
const commands: Record<
  string,
  { summary: string; load: () => Promise<{ command: (args: string[]) => Promise<number> }> }
> = {
  run: {
    summary: 'run the service: measure, report to the console, enforce its policy',
    load: () => import('./cli/run.js'),
  },
  doctor: {
    summary: 'show what this machine lets the agent read and enforce [--json]',
    load: () => import('./cli/doctor.js'),
  },
  inspect: {
    summary: 'parse a captured command output: inspect <os> <command> <file>',
    load: () => import('./cli/inspect.js'),
  },
  hardware: {
    summary: 'print the hardware inventory the agent reports, as JSON',
    load: () => import('./cli/hardware.js'),
  },
  restore: {
    summary: 'put back the power settings saved before the first change',
    load: () => import('./cli/restore.js'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return ['Usage: sluimer-agent <command> [options]', '', 'Commands:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  if (name === 'run') leanV8();
  const mod = await entry.load();
  return mod.command(rest);
}

/**
 * The service runs for days and does little (a sample every few seconds, a report a minute): V8's
 * optimising and baseline compilers would only add machine code and compiler memory. Interpreted,
 * it uses about 8 MB less RSS at well under 2 CPU seconds an hour (docs/benchmarks.md "Agent
 * footprint"). Set before the command's modules load, so nothing is compiled before it applies.
 * SLUIMER_AGENT_JIT=1 keeps V8's defaults (for measuring the difference).
 */
function leanV8(): void {
  if (process.env.SLUIMER_AGENT_JIT === '1') return;
  v8.setFlagsFromString('--no-opt');
  v8.setFlagsFromString('--no-sparkplug');
}
