import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeploymentConfig } from './config.js';

/**
 * Trusting the school's own CA. Node reads extra CA certificates only at start-up
 * (NODE_EXTRA_CA_CERTS; both fetch and the WebSocket client use them), so when the deployment config
 * names a CA the service starts itself once more with that variable set. `SLUIMER_CA_LOADED` marks
 * the second process so it never loops.
 */
export interface RelaunchSpec {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  caPath: string;
}

export function caRelaunch(
  config: Pick<DeploymentConfig, 'ca' | 'caFile' | 'dataDir'>,
  proc: { env: NodeJS.ProcessEnv; execPath: string; execArgv: string[]; argv: string[] },
  write: (file: string, pem: string) => void = (file, pem) => {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, pem, { mode: 0o644 });
  },
): RelaunchSpec | null {
  if (!config.ca) return null;
  if (proc.env.SLUIMER_CA_LOADED === '1') return null;
  let caPath = config.caFile;
  if (!caPath) {
    caPath = path.join(config.dataDir, 'console-ca.pem');
    write(caPath, config.ca);
  }
  if (proc.env.NODE_EXTRA_CA_CERTS === caPath) return null;
  return {
    cmd: proc.execPath,
    args: [...proc.execArgv, ...proc.argv.slice(1)],
    env: { ...proc.env, NODE_EXTRA_CA_CERTS: caPath, SLUIMER_CA_LOADED: '1' },
    caPath,
  };
}
