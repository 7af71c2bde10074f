import { execFileSync } from 'node:child_process';

/** Which of these programs are on PATH. */
export function missingTools(tools: string[]): string[] {
  return tools.filter((t) => {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', t], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Tests that need real binaries: in CI (CI=true) a missing tool is a failure, locally a skip with the
 * list of what is missing. Returns true when the tests should run.
 */
export function requireTools(tools: string[], what: string): boolean {
  const missing = missingTools(tools);
  if (missing.length === 0) return true;
  const msg = `${what}: missing ${missing.join(', ')} (apt packages in .ci/apt-packages.txt)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must install them`);
  console.warn(`SKIPPED ${msg}`);
  return false;
}
