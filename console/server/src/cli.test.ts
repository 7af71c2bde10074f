import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setTestPasswordCost } from './auth/crypto.js';
import { createLogger, main } from './cli.js';
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
  const stderr = sink();
  let stop!: (why: string) => void;
  const shutdown = new Promise<string>((r) => {
    stop = r;
  });
  let failure: unknown;
  const code = await main(argv, {
    env: { SLUIMER_LOG_LEVEL: 'silent', SLUIMER_HOST: '127.0.0.1', SLUIMER_PORT: '0', ...env },
    stdout,
    stderr,
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
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `sluimer-console reset-password …` against a data folder; `piped` is what standard input holds */
async function resetPassword(args: string[], env: NodeJS.ProcessEnv, piped?: string) {
  const stdout = sink();
  const stderr = sink();
  const code = await main(['reset-password', ...args], {
    env,
    stdout,
    stderr,
    readStdin: async () => piped,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const sessionCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

const login = (url: string, password: string) =>
  fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

// each test starts the console once or twice (scrypt, SQLite): slow on a loaded CI machine
describe('sluimer-console command', { timeout: 30_000 }, () => {
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

  it('refuses a presence interval that is not whole milliseconds from 100 to 600000 with exit code 2', async () => {
    for (const bad of ['0', '99', '1.5', 'tien', '600001']) {
      const stderr = sink();
      expect(await main([], { env: { SLUIMER_PRESENCE_INTERVAL_MS: bad }, stderr })).toBe(2);
      expect(stderr.text).toContain('SLUIMER_PRESENCE_INTERVAL_MS');
    }
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

  it('warns when SLUIMER_ADMIN_PASSWORD is set but ignored because an admin already exists', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    const first = await run(
      [],
      { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'eerste-wachtwoord' },
      async () => {},
    );
    expect(first.stderr).not.toContain('genegeerd');
    const second = await run(
      [],
      { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'tweede-wachtwoord' },
      async (c) => {
        expect((await login(c.url, 'tweede-wachtwoord')).status).toBe(401);
        expect((await login(c.url, 'eerste-wachtwoord')).status).toBe(200);
      },
    );
    expect(second.stderr).toContain('SLUIMER_ADMIN_PASSWORD wordt genegeerd');
    expect(second.stderr).toContain('reset-password admin');
  });

  it('prints the address and then the first admin password, so the password is the last thing on screen', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    const r = await run([], { SLUIMER_DATA: dataDir }, async () => {});
    const ready = r.stdout.indexOf('Sluimer staat klaar: open http://localhost:');
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(r.stdout.indexOf('account "admin" aangemaakt')).toBeGreaterThan(ready);
    expect(r.stdout).toContain('Meld je aan als admin met het wachtwoord hieronder');
  });

  it('reset-password generates a new password while the console runs and ends the sessions of that user', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    await run([], { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'oud-wachtwoord-1' }, async (c) => {
      const cookie = sessionCookie(await login(c.url, 'oud-wachtwoord-1'));
      const me = () => fetch(`${c.url}/api/v1/me`, { headers: { cookie } });
      expect((await me()).status).toBe(200);

      const r = await resetPassword([], { SLUIMER_DATA: dataDir });
      expect(r.code).toBe(0);
      const fresh = /^ {5}(\S+)$/m.exec(r.stdout)?.[1] ?? '';
      expect(fresh.length).toBeGreaterThanOrEqual(16);
      expect(r.stdout).toContain('1 sessie(s) beëindigd');

      expect((await me()).status).toBe(401);
      expect((await login(c.url, 'oud-wachtwoord-1')).status).toBe(401);
      expect((await login(c.url, fresh)).status).toBe(200);
    });
  });

  it('reset-password takes the password from SLUIMER_ADMIN_PASSWORD or standard input and never prints it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    await run([], { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'oud-wachtwoord-2' }, async () => {});

    const fromEnv = await resetPassword([], {
      SLUIMER_DATA: dataDir,
      SLUIMER_ADMIN_PASSWORD: 'uit-de-omgeving',
    });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).not.toContain('uit-de-omgeving');
    const piped = await resetPassword(['admin'], { SLUIMER_DATA: dataDir }, 'uit-standaardinvoer');
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('uit-standaardinvoer');

    await run([], { SLUIMER_DATA: dataDir }, async (c) => {
      expect((await login(c.url, 'uit-de-omgeving')).status).toBe(401);
      expect((await login(c.url, 'uit-standaardinvoer')).status).toBe(200);
    });
  });

  it('reset-password refuses a short password, an unknown user and a missing database, and changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    await run([], { SLUIMER_DATA: dataDir, SLUIMER_ADMIN_PASSWORD: 'blijft-geldig-123' }, async () => {});

    const short = await resetPassword([], { SLUIMER_DATA: dataDir }, 'kort');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('10 tot 200 tekens');
    const unknown = await resetPassword(['niemand'], { SLUIMER_DATA: dataDir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('"niemand" bestaat niet (wel: admin)');
    const nowhere = await resetPassword([], { SLUIMER_DATA: join(dataDir, 'leeg') });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('SLUIMER_DATA');

    await run([], { SLUIMER_DATA: dataDir }, async (c) => {
      expect((await login(c.url, 'blijft-geldig-123')).status).toBe(200);
    });
  });
});

describe('SLUIMER_PUBLIC_URL', { timeout: 30_000 }, () => {
  it('is served to the web app for the install commands and named in the ready line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-cli-test-'));
    dirs.push(dataDir);
    const r = await run(
      [],
      { SLUIMER_DATA: dataDir, SLUIMER_PUBLIC_URL: 'https://sluimer.school.nl/' },
      async (c) => {
        const health = (await (await fetch(`${c.url}/api/v1/health`)).json()) as { publicUrl?: string };
        expect(health.publicUrl).toBe('https://sluimer.school.nl');
      },
    );
    expect(r.stdout).toContain('devices enroll with https://sluimer.school.nl');
  });

  it('refuses an address agents could not use, before starting', async () => {
    const stderr = sink();
    const code = await main([], {
      env: { SLUIMER_PUBLIC_URL: 'sluimer.school.nl/console', SLUIMER_LOG_LEVEL: 'silent' },
      stdout: sink(),
      stderr,
    });
    expect(code).toBe(2);
    expect(stderr.text).toContain('SLUIMER_PUBLIC_URL');
  });
});

describe('console log format', () => {
  const lineOf = (env: NodeJS.ProcessEnv, tty: boolean) => {
    const out = sink();
    createLogger({ SLUIMER_LOG_LEVEL: 'info', ...env }, tty, out).info({ deviceId: 7 }, 'hallo');
    return out.text;
  };

  it('is human-readable on a terminal and JSON otherwise', () => {
    const pretty = lineOf({}, true);
    expect(pretty).not.toMatch(/^\{/);
    expect(pretty).toContain('INFO');
    expect(pretty).toContain('hallo');
    expect(pretty).toContain('deviceId');
    expect(JSON.parse(lineOf({}, false))).toMatchObject({ level: 30, msg: 'hallo', deviceId: 7 });
  });

  it('follows SLUIMER_LOG_FORMAT and refuses an unknown one', () => {
    expect(JSON.parse(lineOf({ SLUIMER_LOG_FORMAT: 'json' }, true))).toMatchObject({ msg: 'hallo' });
    expect(lineOf({ SLUIMER_LOG_FORMAT: 'pretty' }, false)).toMatch(/INFO.*hallo/);
    expect(() => lineOf({ SLUIMER_LOG_FORMAT: 'xml' }, false)).toThrow(/json of pretty/);
  });

  it('keeps routine per-device lines out of the default level', () => {
    const out = sink();
    const log = createLogger({}, false, out);
    log.debug({ deviceId: 7 }, 'device enrolled');
    expect(out.text).toBe('');
  });
});
