/**
 * The exact command IT pastes on a device to install the agent and enroll it with a secret.
 * Quoting is per shell so any secret and URL survive: PowerShell single quotes double an embedded
 * quote; POSIX single quotes close, escape and reopen.
 */
export type InstallOs = 'windows' | 'macos' | 'linux';
export const INSTALL_OSES: InstallOs[] = ['windows', 'macos', 'linux'];

const ps = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function installCommand(os: InstallOs, serverUrl: string, secret: string): string {
  switch (os) {
    case 'windows':
      return [
        'npm install -g @sluimer/agent',
        `sluimer-agent run --server ${ps(serverUrl)} --enroll-secret ${ps(secret)} --data "$env:ProgramData\\Sluimer"`,
      ].join('; ');
    case 'macos':
      return [
        'sudo npm install -g @sluimer/agent',
        `sudo sluimer-agent run --server ${sh(serverUrl)} --enroll-secret ${sh(secret)} --data '/Library/Application Support/Sluimer'`,
      ].join(' && ');
    case 'linux':
      return [
        'sudo npm install -g @sluimer/agent',
        `sudo sluimer-agent run --server ${sh(serverUrl)} --enroll-secret ${sh(secret)} --data /var/lib/sluimer`,
      ].join(' && ');
  }
}
