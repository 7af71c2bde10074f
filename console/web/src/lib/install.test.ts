import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { INSTALLERS, installCommand } from './install.js';

describe('install commands', () => {
  it('fill in the console address and the secret for every OS, then run that OS installer silently', () => {
    for (const os of ['windows', 'macos', 'linux'] as const) {
      const cmd = installCommand(os, 'https://sluimer.school.nl', 'ses_abc123');
      expect(cmd).toContain('ses_abc123');
      expect(cmd).toContain('https://sluimer.school.nl');
      expect(cmd).toContain(INSTALLERS[os]);
    }
    expect(installCommand('windows', 'https://x', 's')).toContain("-ArgumentList '/S'");
  });

  it('put the settings where the service reads them (docs/deployment.md)', () => {
    expect(installCommand('windows', 'https://x', 's')).toContain('HKLM:\\SOFTWARE\\Policies\\Sluimer');
    expect(installCommand('macos', 'https://x', 's')).toContain(
      '/Library/Application Support/Sluimer/agent.json',
    );
    expect(installCommand('linux', 'https://x', 's')).toContain('/etc/sluimer/agent.json');
  });

  it('quote a secret with quotes in it so PowerShell passes it unchanged', () => {
    expect(installCommand('windows', 'http://x', "a'b")).toContain(`-Name EnrollSecret -Value 'a''b'`);
  });

  it('write valid agent.json through a POSIX shell whatever the secret holds', () => {
    const secret = `a'b"c\\d $HOME`;
    const cmd = installCommand('linux', 'https://sluimer.school.nl', secret);
    // run just the printf part of the command in a real shell and parse what it prints
    const printf = cmd.split(' && \\\n')[1]!.split(' | ')[0]!;
    const out = execFileSync('sh', ['-c', printf], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ server: 'https://sluimer.school.nl', enrollSecret: secret });
  });
});
