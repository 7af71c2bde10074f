import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandSpec,
  configFilePath,
  loadDeploymentConfig,
  parseRegQuery,
  redactConfig,
  registryQueryCommand,
} from './config.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

/** `reg query` output as Windows prints it (CRLF, four-space columns). */
const REG_OUTPUT = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Sluimer',
  '    Server    REG_SZ    https://sluimer.bestuur.nl/',
  '    EnrollSecret    REG_SZ    lokaal-2.14-abc',
  '    WhyUrl    REG_SZ    https://school.nl/sluimer',
  '    SomethingElse    REG_DWORD    0x1',
  '',
].join('\r\n');

function files(map: Record<string, string>) {
  return async (file: string) => map[file] ?? null;
}

describe('deployment config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slm-cfg-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads /etc/sluimer/agent.json on Linux, with the CA from a file next to it', async () => {
    const cfgFile = path.join(dir, 'agent.json');
    await writeFile(
      cfgFile,
      JSON.stringify({ server: 'https://console.school.nl', enrollSecret: 's3', caFile: 'ca.pem' }),
    );
    await writeFile(path.join(dir, 'ca.pem'), PEM);
    const cfg = await loadDeploymentConfig({}, { platform: 'linux', env: { SLUIMER_CONFIG: cfgFile } });
    expect(cfg).toMatchObject({
      server: 'https://console.school.nl',
      enrollSecret: 's3',
      caFile: path.join(dir, 'ca.pem'),
      ca: PEM,
      dataDir: '/var/lib/sluimer',
      file: cfgFile,
      sources: { server: 'file', enrollSecret: 'file', caFile: 'file', dataDir: 'default' },
    });
    expect(configFilePath('linux')).toBe('/etc/sluimer/agent.json');
    expect(configFilePath('darwin')).toBe('/Library/Application Support/Sluimer/agent.json');
    expect(configFilePath('win32', { ProgramData: 'D:\\PD' })).toBe('D:\\PD\\Sluimer\\agent.json');
  });

  it('lets the environment win over the file, field by field', async () => {
    const cfg = await loadDeploymentConfig(
      {},
      {
        platform: 'linux',
        env: { SLUIMER_SERVER: 'https://env.example', SLUIMER_CA_FILE: '/certs/ca.pem' },
        readText: files({
          '/etc/sluimer/agent.json': JSON.stringify({
            server: 'https://file.example',
            enrollSecret: 'from-file',
            ca: PEM,
          }),
          '/certs/ca.pem': PEM,
        }),
      },
    );
    expect(cfg.server).toBe('https://env.example');
    expect(cfg.enrollSecret).toBe('from-file');
    expect(cfg.sources).toMatchObject({ server: 'env', enrollSecret: 'file', caFile: 'env' });
    expect(cfg.caFile).toBe('/certs/ca.pem');
  });

  it('lets command-line flags win over everything', async () => {
    const cfg = await loadDeploymentConfig(
      { server: 'https://flag.example', dataDir: '/tmp/d' },
      { platform: 'linux', env: { SLUIMER_SERVER: 'https://env.example' }, readText: files({}) },
    );
    expect(cfg).toMatchObject({
      server: 'https://flag.example',
      dataDir: '/tmp/d',
      sources: { server: 'flag' },
    });
  });

  it('reads the Windows registry policy key with reg query, between the environment and the file', async () => {
    const calls: CommandSpec[] = [];
    const cfg = await loadDeploymentConfig(
      {},
      {
        platform: 'win32',
        env: { ProgramData: 'C:\\ProgramData', SLUIMER_ENROLL_SECRET: 'env-secret' },
        run: async (spec) => {
          calls.push(spec);
          return { stdout: REG_OUTPUT, code: 0 };
        },
        readText: files({
          'C:\\ProgramData\\Sluimer\\agent.json': JSON.stringify({ server: 'https://file.example', ca: PEM }),
        }),
      },
    );
    expect(calls).toEqual([
      { cmd: 'reg.exe', args: ['query', 'HKLM\\SOFTWARE\\Policies\\Sluimer', '/reg:64'] },
    ]);
    expect(registryQueryCommand()).toEqual(calls[0]);
    expect(cfg).toMatchObject({
      server: 'https://sluimer.bestuur.nl',
      enrollSecret: 'env-secret',
      whyUrl: 'https://school.nl/sluimer',
      ca: PEM,
      dataDir: 'C:\\ProgramData\\Sluimer',
      sources: { server: 'registry', enrollSecret: 'env', whyUrl: 'registry', ca: 'file' },
    });
  });

  it('treats a missing registry key (reg exits 1) as no settings', async () => {
    const cfg = await loadDeploymentConfig(
      {},
      {
        platform: 'win32',
        env: {},
        run: async () => ({ stdout: '', code: 1 }),
        readText: files({}),
      },
    );
    expect(cfg.server).toBeUndefined();
    expect(cfg.sources).toEqual({ dataDir: 'default' });
  });

  it('parses registry value types, names case-insensitively', () => {
    const out = parseRegQuery(
      [
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Sluimer',
        '    server    REG_EXPAND_SZ    https://x.example',
        '    CA    REG_MULTI_SZ    -----BEGIN CERTIFICATE-----\\0abc\\0-----END CERTIFICATE-----',
        '    DataDir    REG_SZ    D:\\Sluimer Data',
      ].join('\r\n'),
    );
    expect(out).toEqual({
      server: 'https://x.example',
      ca: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----',
      dataDir: 'D:\\Sluimer Data',
    });
  });

  it('gives clear errors that name the source and the field', async () => {
    await expect(
      loadDeploymentConfig(
        {},
        { platform: 'linux', env: { SLUIMER_SERVER: 'sluimer.school.nl' }, readText: files({}) },
      ),
    ).rejects.toThrow(/environment \(SLUIMER_\*\)[\s\S]*server: must be a URL/);
    await expect(
      loadDeploymentConfig(
        {},
        { platform: 'linux', env: {}, readText: files({ '/etc/sluimer/agent.json': '{"server":' }) },
      ),
    ).rejects.toThrow(/\/etc\/sluimer\/agent.json is not valid JSON/);
    await expect(
      loadDeploymentConfig(
        {},
        {
          platform: 'linux',
          env: {},
          readText: files({ '/etc/sluimer/agent.json': '{"servr":"https://x"}' }),
        },
      ),
    ).rejects.toThrow(/\/etc\/sluimer\/agent.json is not valid[\s\S]*Unrecognized key/);
    await expect(
      loadDeploymentConfig(
        {},
        { platform: 'linux', env: { SLUIMER_CA_FILE: '/nope.pem' }, readText: files({}) },
      ),
    ).rejects.toThrow(/CA certificate file \/nope.pem \(from SLUIMER_CA_FILE\) does not exist/);
    await expect(
      loadDeploymentConfig(
        {},
        {
          platform: 'win32',
          env: {},
          run: async () => ({ stdout: '    Server    REG_SZ    ftp://x\r\n', code: 0 }),
          readText: files({}),
        },
      ),
    ).rejects.toThrow(/registry \(HKLM\\SOFTWARE\\Policies\\Sluimer\)[\s\S]*server/);
  });

  it('never prints the enroll secret', async () => {
    const cfg = await loadDeploymentConfig(
      {},
      {
        platform: 'linux',
        env: { SLUIMER_ENROLL_SECRET: 'geheim', SLUIMER_SERVER: 'https://x.nl' },
        readText: files({}),
      },
    );
    expect(JSON.stringify(redactConfig(cfg))).not.toContain('geheim');
  });
});
