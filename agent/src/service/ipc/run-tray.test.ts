import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeConsole } from '../fake-console.js';
import { connectIpc } from './client.js';
import type { TrayState } from './protocol.js';

const bin = fileURLToPath(new URL('../../../bin/sluimer-agent.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../../dist/service/ipc/bridge.js', import.meta.url)));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slm-run-tray-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built)('sluimer-agent run with a tray (built bin)', () => {
  it('listens on the IPC socket, tells a tray it is connected, and removes the socket on SIGTERM', async () => {
    const c = new FakeConsole();
    await c.listen();
    const sock = join(dir, 'agent.sock');
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--server',
        c.url,
        '--data',
        join(dir, 'data'),
        '--simulate',
        '--ipc',
        sock,
        '--sample-ms',
        '100',
      ],
      { env: { ...process.env, SLUIMER_ENROLL_SECRET: 'geheim' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const states: TrayState[] = [];
    const tray = connectIpc({
      path: sock,
      backoff: { initialMs: 50, maxMs: 200 },
      onState: (s) => states.push(s),
    });
    try {
      await c.waitFor(() => states.some((s) => s.console === 'connected'), 15_000);
      const s = states.at(-1)!;
      expect(s.policyText.nl.length).toBeGreaterThan(10);
      expect(s.noun).toMatch(/laptop|computer|tablet/);
      expect(s.weeks.some((w) => w.scope === 'device')).toBe(true);
      tray.reportSession(1_000, false);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(sock)).toBe(false);
      expect(stderr).toContain('listening for trays');
    } finally {
      tray.close();
      child.kill('SIGKILL');
      await c.close();
    }
  }, 30_000);
});
