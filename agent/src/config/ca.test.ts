import { describe, expect, it } from 'vitest';
import { caRelaunch } from './ca.js';

const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const proc = {
  env: { PATH: '/usr/bin' },
  execPath: '/usr/bin/node',
  execArgv: ['--enable-source-maps'],
  argv: ['/usr/bin/node', '/opt/sluimer/bin/sluimer-agent.js', 'run', '--server', 'https://x.nl'],
};

describe('trusting the school CA', () => {
  it('does nothing without a CA', () => {
    expect(caRelaunch({ dataDir: '/var/lib/sluimer' }, proc)).toBeNull();
  });

  it('starts the service again with NODE_EXTRA_CA_CERTS pointing at the CA file', () => {
    const spec = caRelaunch({ ca: PEM, caFile: '/etc/sluimer/ca.pem', dataDir: '/var/lib/sluimer' }, proc);
    expect(spec).toEqual({
      cmd: '/usr/bin/node',
      args: ['--enable-source-maps', '/opt/sluimer/bin/sluimer-agent.js', 'run', '--server', 'https://x.nl'],
      env: { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/sluimer/ca.pem', SLUIMER_CA_LOADED: '1' },
      caPath: '/etc/sluimer/ca.pem',
    });
    // the relaunched process does not loop
    expect(
      caRelaunch({ ca: PEM, caFile: '/etc/sluimer/ca.pem', dataDir: '/d' }, { ...proc, env: spec!.env }),
    ).toBeNull();
  });

  it('writes an inline PEM (registry, config file) next to the data first', () => {
    const written: [string, string][] = [];
    const spec = caRelaunch({ ca: PEM, dataDir: '/var/lib/sluimer' }, proc, (f, p) => written.push([f, p]));
    expect(written).toEqual([['/var/lib/sluimer/console-ca.pem', PEM]]);
    expect(spec?.env.NODE_EXTRA_CA_CERTS).toBe('/var/lib/sluimer/console-ca.pem');
  });
});
