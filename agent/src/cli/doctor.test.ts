import { describe, expect, it, vi } from 'vitest';
import { createPlatformAdapter } from '../platform/index.js';
import { collect, command, renderTable, transportFinding } from './doctor.js';

describe('sluimer-agent doctor', () => {
  it('the factory picks the adapter by platform and refuses an unknown one', async () => {
    expect((await createPlatformAdapter({ os: 'linux' })).os).toBe('linux');
    expect((await createPlatformAdapter({ os: 'win32' })).os).toBe('windows');
    expect((await createPlatformAdapter({ os: 'darwin' })).os).toBe('macos');
    expect((await createPlatformAdapter({ os: 'simulated' })).os).toBe('simulated');
    await expect(createPlatformAdapter({ os: 'aix' })).rejects.toThrow(/no platform adapter for "aix"/);
  });

  it('probes this machine and prints one row per capability with a reason', async () => {
    const adapter = await createPlatformAdapter({ os: 'linux' });
    const report = await collect(adapter);
    await adapter.close?.();
    const ids = report.capabilities.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'idle-time',
        'sleep-timeout',
        'display-timeout',
        'brightness',
        'blockers',
        'schedule',
        'sleep-now',
      ]),
    );
    const table = renderTable(report.capabilities);
    for (const c of report.capabilities) expect(table).toContain(c.detail);
  }, 30_000);

  it('--json prints a machine-readable report; bad flags exit 2', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await command(['--json', '--os', 'simulated'])).toBe(0);
    const json = JSON.parse(out.join('\n'));
    expect(json.os).toBe('simulated');
    expect(json.capabilities.length).toBeGreaterThan(3);
    expect(await command(['--bogus'])).toBe(2);
    vi.restoreAllMocks();
  });

  it('warns when plain http is allowed or used for the console, and not for https', async () => {
    const none = { SLUIMER_CONFIG: '/nonexistent/agent.json' };
    expect(await transportFinding({ ...none, SLUIMER_SERVER: 'https://sluimer.school.nl' })).toMatchObject({
      insecureAllowed: false,
      insecureInUse: false,
      warning: null,
    });
    const refused = await transportFinding({ ...none, SLUIMER_SERVER: 'http://sluimer.school.nl' });
    expect(refused).toMatchObject({ insecureAllowed: false, insecureInUse: true });
    expect(refused.warning).toContain('refused');
    const allowed = await transportFinding({
      ...none,
      SLUIMER_SERVER: 'http://sluimer.school.nl',
      SLUIMER_ALLOW_INSECURE_HTTP: '1',
    });
    expect(allowed).toMatchObject({ insecureAllowed: true, insecureInUse: true });
    expect(allowed.warning).toMatch(/allowInsecureHttp from env.*INSECURE: plain http to sluimer.school.nl/);
  });
});
