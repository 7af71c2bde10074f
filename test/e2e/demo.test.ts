import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, type UsageResponse } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleProcess, startConsoleProcess } from '../../bench/src/proc.js';
import { ADMIN_PASSWORD, ConsoleClient, waitFor } from './helpers.js';

interface Group {
  id: number;
  name: string;
  kind: string;
  parentId: number | null;
  timeZone?: string | null;
}

/** `sluimer-console --demo` on an empty data directory: the console loads @sluimer/scripts/demo. */
describe('sluimer-console --demo', () => {
  let proc: ConsoleProcess;
  let dataDir: string;
  let api: ConsoleClient;
  let seededAfterMs = 0;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluimer-e2e-demo-'));
    const t0 = Date.now();
    proc = await startConsoleProcess({
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      args: ['--demo'],
      logLevel: 'info',
    });
    api = new ConsoleClient(proc.url);
    await api.login('admin', ADMIN_PASSWORD);
    await waitFor(
      'the demo to finish seeding',
      () => /demo: klaar in/.test(proc.output()) || undefined,
      90_000,
      200,
    );
    seededAfterMs = Date.now() - t0;
  });
  afterAll(async () => {
    expect(await proc?.stop()).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds a school board with 300 devices and 30 days of history in under a minute', async () => {
    expect(seededAfterMs).toBeLessThan(60_000);
    const groups = await api.get<Group[]>('/api/v1/groups');
    const schools = groups.filter((g) => g.kind === 'school');
    expect(schools.map((s) => s.name).sort()).toEqual([
      'Het Baken',
      'Openbare Basisschool De Regenboog',
      'Stedelijk College Noord',
    ]);
    for (const s of schools) expect(s.timeZone).toBe('Europe/Amsterdam');
    expect(groups.some((g) => g.kind === 'building')).toBe(true);
    expect(groups.filter((g) => g.kind === 'room').length).toBeGreaterThan(10);
    const devices = await api.get<{ id: number; deviceClass: string; online: boolean }[]>('/api/v1/devices');
    expect(devices).toHaveLength(300);
    expect(new Set(devices.map((d) => d.deviceClass))).toEqual(
      new Set(['laptop', 'desktop', 'chromebook', 'all-in-one']),
    );
    expect(devices.filter((d) => d.online).length).toBe(300);
    expect(proc.output()).not.toMatch(/geweigerd/);
  });

  it('enforces the example policy in two schools and shows their waste drop against the audit-only one', async () => {
    const groups = await api.get<Group[]>('/api/v1/groups');
    const policies = await api.get<{ name: string; groupIds: number[] }[]>('/api/v1/policies');
    const demo = policies.find((p) => p.name === 'Sluimer-aanbeveling');
    const byName = (n: string) => groups.find((g) => g.name === n) as Group;
    expect(demo?.groupIds.sort()).toEqual(
      [byName('Het Baken').id, byName('Stedelijk College Noord').id].sort(),
    );
    // waste per device over the last 14 days (policy in force in the simulated history) vs the 14 days before
    const now = Date.now();
    const perDevice = async (school: string, from: number, to: number) => {
      const id = byName(school).id;
      const usage = await api.get<UsageResponse>(
        `/api/v1/usage?from=${from}&to=${to}&groupBy=device&groupId=${id}`,
      );
      return usage.rows.reduce((n, r) => n + r.wasteKwh, 0) / usage.rows.length;
    };
    const recent = [now - 13 * DAY_MS, now] as const;
    const before = [now - 27 * DAY_MS, now - 14 * DAY_MS] as const;
    const bakenRecent = await perDevice('Het Baken', ...recent);
    const bakenBefore = await perDevice('Het Baken', ...before);
    const regenboogRecent = await perDevice('Openbare Basisschool De Regenboog', ...recent);
    const regenboogBefore = await perDevice('Openbare Basisschool De Regenboog', ...before);
    expect(bakenRecent).toBeGreaterThan(0);
    expect(bakenRecent).toBeLessThan(bakenBefore * 0.6);
    expect(regenboogRecent).toBeGreaterThan(regenboogBefore * 0.6);
    expect(regenboogRecent).toBeGreaterThan(bakenRecent * 1.5);
  });

  it('keeps the simulated agents reporting live after seeding', async () => {
    const maxSeqs = async () => {
      const devices = await api.get<{ id: number }[]>('/api/v1/devices');
      const sample = devices.slice(0, 40);
      return Promise.all(sample.map((d) => api.get<{ maxSeq: number }>(`/api/v1/devices/${d.id}`)));
    };
    const a = await maxSeqs();
    // live ticks are spread over the minute: within ~20 s about a third of the sample reports again
    await waitFor(
      'live reports',
      async () => {
        const b = await maxSeqs();
        return b.filter((x, i) => x.maxSeq > (a[i]?.maxSeq ?? 0)).length >= 5 || undefined;
      },
      70_000,
      2000,
    );
  });

  it('keeps the simulated agents running on a second --demo start on the same data', async () => {
    expect(await proc.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'demo-agents.json'))).toBe(true);
    // the file holds device tokens: the console's user only
    expect(statSync(join(dataDir, 'demo-agents.json')).mode & 0o077).toBe(0);
    // a second start needs no password for the demo: the agents carry their own tokens
    proc = await startConsoleProcess({
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      args: ['--demo'],
      logLevel: 'info',
    });
    api = new ConsoleClient(proc.url);
    await api.login('admin', ADMIN_PASSWORD);
    await waitFor(
      'the demo to resume',
      () => /demo: weer actief met 300 apparaten/.test(proc.output()) || undefined,
      60_000,
      200,
    );
    expect(proc.output()).not.toMatch(/geweigerd/);
    const devices = await api.get<{ id: number; online: boolean }[]>('/api/v1/devices');
    expect(devices).toHaveLength(300);
    expect(devices.filter((d) => d.online).length).toBe(300);
    const sample = devices.slice(0, 40);
    const seqs = () => Promise.all(sample.map((d) => api.get<{ maxSeq: number }>(`/api/v1/devices/${d.id}`)));
    const a = await seqs();
    await waitFor(
      'live reports after the restart',
      async () => {
        const b = await seqs();
        return b.filter((x, i) => x.maxSeq > (a[i]?.maxSeq ?? 0)).length >= 5 || undefined;
      },
      70_000,
      2000,
    );
  });
});
