/**
 * The exact commands IT pastes on a device to install the agent and enroll it with a secret, as
 * docs/deployment.md describes per OS: the configuration (console address + enroll secret) goes
 * where the service reads it — the policy registry key on Windows, agent.json on macOS and Linux —
 * and then the installer runs silently from the folder it was downloaded to. Quoting is per shell so
 * any secret and URL survive: PowerShell single quotes double an embedded quote; POSIX single quotes
 * close, escape and reopen.
 */
export type InstallOs = 'windows' | 'macos' | 'linux';
export const INSTALL_OSES: InstallOs[] = ['windows', 'macos', 'linux'];

/** Installer file names produced by electron-builder.yml for this version. */
export const AGENT_VERSION = '0.1.0';
export const INSTALLERS: Record<InstallOs, string> = {
  windows: `Sluimer-Setup-${AGENT_VERSION}.exe`,
  macos: `Sluimer-${AGENT_VERSION}.pkg`,
  linux: `sluimer_${AGENT_VERSION}_amd64.deb`,
};

const ps = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function agentJson(serverUrl: string, secret: string): string {
  return JSON.stringify({ server: serverUrl, enrollSecret: secret });
}

export function installCommand(os: InstallOs, serverUrl: string, secret: string): string {
  switch (os) {
    case 'windows':
      return [
        "$k = 'HKLM:\\SOFTWARE\\Policies\\Sluimer'",
        'New-Item -Path $k -Force | Out-Null',
        `Set-ItemProperty $k -Name Server -Value ${ps(serverUrl)}`,
        `Set-ItemProperty $k -Name EnrollSecret -Value ${ps(secret)}`,
        `Start-Process -Wait .\\${INSTALLERS.windows} -ArgumentList '/S'`,
      ].join('\n');
    case 'macos': {
      const dir = '/Library/Application Support/Sluimer';
      return [
        `sudo mkdir -p ${sh(dir)}`,
        `printf '%s' ${sh(agentJson(serverUrl, secret))} | sudo tee ${sh(`${dir}/agent.json`)} >/dev/null`,
        `sudo chmod 600 ${sh(`${dir}/agent.json`)}`,
        `sudo installer -pkg ./${INSTALLERS.macos} -target /`,
      ].join(' && \\\n');
    }
    case 'linux':
      return [
        'sudo install -d -m 0755 /etc/sluimer',
        `printf '%s' ${sh(agentJson(serverUrl, secret))} | sudo tee /etc/sluimer/agent.json >/dev/null`,
        'sudo chmod 600 /etc/sluimer/agent.json',
        `sudo apt-get install -y ./${INSTALLERS.linux}`,
      ].join(' && \\\n');
  }
}
