import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { setTestPasswordCost } from './crypto.js';
import type { RunningConsole } from './index.js';
import { TEST_PASSWORD_COST } from './test-support.js';

// the production cost (N=2^17) has its own test in crypto.test.ts; here it would only be slow
setTestPasswordCost(TEST_PASSWORD_COST);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sink() {
  const out = { text: '', write: (s: string) => (out.text += s) };
  return out;
}

/** runs the command until `work` is done, then stops it as SIGTERM would */
async function run(argv: string[], env: NodeJS.ProcessEnv, work: (c: RunningConsole) => Promise<void>) {
  const stdout = sink();
  let stop!: (why: string) => void;
  const shutdown = new Promise<string>((r) => {
    stop = r;
  });
  let failure: unknown;
  const code = await main(argv, {
    env: { SLUIMER_LOG_LEVEL: 'silent', SLUIMER_HOST: '127.0.0.1', SLUIMER_PORT: '0', ...env },
    stdout,
    stderr: sink(),
    shutdown,
    onListening: (c) => {
      work(c).then(
        () => stop('test'),
        (err) => {
          failure = err;
          stop('test');
        },
      );
    },
  });
  if (failure) throw failure;
  return { code, stdout: stdout.text };
}

const login = (url: string, password: string) =>
  fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

describe('sluimer-console command', () => {
  it('prints help in Dutch and English', async () => {
    const stdout = sink();
    expect(await main(['--help'], { stdout })).toBe(0);
    expect(stdout.text).toContain('Start de Sluimer-console');
    expect(stdout.text).toContain('Starts the Sluimer console');
  });

  it('refuses an unknown option with exit code 2', async () => {
    const stderr = sink();
    expect(await main(['--frobnicate'], { stderr })).toBe(2);
    expect(stderr.text).toContain('--frobnicate');
  });

  it('creates admin with a generated password printed once, and shuts down cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    let password = '';
    const first = await run([], { SLUIMER_DATA: dataDir }, async (c) => {
      expect((await fetch(`${c.url}/api/v1/health`)).status).toBe(200);
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('wachtwoord');
    expect(first.stdout).toContain('password');
    password = /^ {5}(\S+)$/m.exec(first.stdout)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);

    const second = await run([], { SLUIMER_DATA: dataDir }, async (c) => {
      expect((await login(c.url, password)).status).toBe(200);
    });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain(password);
  });

  it('uses SLUIMER_ADMIN_PASSWORD on first start and does not print it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    const r = await run(
      [],
      { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'from-the-environment' },
      async (c) => {
        expect((await login(c.url, 'from-the-environment')).status).toBe(200);
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('from-the-environment');
  });
});
