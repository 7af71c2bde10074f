import { spawn } from 'node:child_process';
import { DAY_MS, HOUR_MS } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleFixture,
  createGroupWithSecret,
  REPO_ROOT,
  startConsoleFixture,
  usageByDevice,
} from './helpers.js';

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}scripts/dist/fleet/cli.js`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The built fleet simulator CLI against the built console. */
describe('node scripts/dist/fleet/cli.js', () => {
  let c: ConsoleFixture;
  beforeAll(async () => {
    c = await startConsoleFixture();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('enrolls N simulated devices and backfills their history over real sockets', async () => {
    const { groupId, secret } = await createGroupWithSecret(c.api, 'Vloot');
    const before = Date.now();
    const run = await runCli([
      '--server',
      c.proc.url,
      '--enroll-secret',
      secret,
      '--count',
      '16',
      '--days',
      '2',
      '--live-every',
      '0',
      '--prefix',
      'vloot',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n')[0] as string) as {
      enrolled: number;
      reports: number;
      intervals: number;
      rejected: number;
    };
    expect(summary).toMatchObject({ enrolled: 16, rejected: 0 });
    expect(summary.reports).toBeGreaterThanOrEqual(16);
    const devices = await c.api.get<{ id: number; hostname: string }[]>(`/api/v1/devices?groupId=${groupId}`);
    expect(devices.map((d) => d.hostname).sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1)
        .map(
          (i) =>
            `VLOOT-${['CB', 'CB', 'LL', 'LL', 'PC', 'LAB', 'DOC', 'AIO'][(i - 1) % 8]}-${String(i).padStart(3, '0')}`,
        )
        .sort(),
    );
    // every device covers its two days without a gap: all states together add up to ~48 h
    const usage = await usageByDevice(c.api, before - 3 * DAY_MS, Date.now() + HOUR_MS, groupId);
    for (const d of devices) {
      const u = usage.get(d.id);
      const total = (u?.activeSec ?? 0) + (u?.idleSec ?? 0) + (u?.asleepSec ?? 0) + (u?.offSec ?? 0);
      expect(total).toBeGreaterThan(2 * 86_400 - 120);
      expect(total).toBeLessThan(2 * 86_400 + 120);
    }
    // the same prefix enrolls the same devices again (same installIds): no new devices
    const again = await runCli([
      '--server',
      c.proc.url,
      '--enroll-secret',
      secret,
      '--count',
      '16',
      '--days',
      '0',
      '--live-every',
      '0',
      '--prefix',
      'vloot',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(await c.api.get<unknown[]>(`/api/v1/devices?groupId=${groupId}`)).toHaveLength(16);
  });

  it('prints its usage and exits 2 without a server', async () => {
    const run = await runCli(['--count', '3']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/--enroll-secret/);
  });
});
