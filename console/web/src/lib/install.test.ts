import { describe, expect, it } from 'vitest';
import { installCommand } from './install.js';

describe('install commands', () => {
  it('fill in the console address and the secret for every OS', () => {
    for (const os of ['windows', 'macos', 'linux'] as const) {
      const cmd = installCommand(os, 'https://sluimer.school.nl', 'ses_abc123');
      expect(cmd).toContain('ses_abc123');
      expect(cmd).toContain('https://sluimer.school.nl');
      expect(cmd).toContain('sluimer-agent run');
    }
  });

  it('quote a secret with quotes in it so the shell passes it unchanged', () => {
    expect(installCommand('linux', 'http://x', "a'b")).toContain(`--enroll-secret 'a'\\''b'`);
    expect(installCommand('windows', 'http://x', "a'b")).toContain(`--enroll-secret 'a''b'`);
  });
});
