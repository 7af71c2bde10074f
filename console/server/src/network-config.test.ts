import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { networkConfigFromEnv } from './network-config.js';

describe('network settings from the environment', () => {
  it('defaults to no public URL, no extra names and no trusted proxy', () => {
    expect(networkConfigFromEnv({})).toEqual({ publicUrl: null, allowedHosts: [], trustProxy: false });
    expect(networkConfigFromEnv({ SLUIMER_PUBLIC_URL: ' ', SLUIMER_TRUST_PROXY: '' }).publicUrl).toBeNull();
  });

  it('keeps the origin of SLUIMER_PUBLIC_URL', () => {
    expect(networkConfigFromEnv({ SLUIMER_PUBLIC_URL: 'https://Sluimer.School.nl/' }).publicUrl).toBe(
      'https://sluimer.school.nl',
    );
    expect(networkConfigFromEnv({ SLUIMER_PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).toBe(
      'http://10.0.0.5:8080',
    );
  });

  it.each([
    ['sluimer.school.nl', /not a URL/],
    ['ftp://sluimer.school.nl', /https/],
    ['https://sluimer.school.nl/console', /root/],
    ['https://admin:pw@sluimer.school.nl', /only scheme, host and port/],
  ])('refuses SLUIMER_PUBLIC_URL=%s', (value, why) => {
    expect(() => networkConfigFromEnv({ SLUIMER_PUBLIC_URL: value })).toThrow(/SLUIMER_PUBLIC_URL/);
    expect(() => networkConfigFromEnv({ SLUIMER_PUBLIC_URL: value })).toThrow(why);
  });

  it('reads SLUIMER_ALLOWED_HOSTS as a list of host names', () => {
    expect(
      networkConfigFromEnv({ SLUIMER_ALLOWED_HOSTS: 'Sluimer, sluimer.intern.school.nl ,' }).allowedHosts,
    ).toEqual(['sluimer', 'sluimer.intern.school.nl']);
    expect(() => networkConfigFromEnv({ SLUIMER_ALLOWED_HOSTS: 'https://sluimer' })).toThrow(
      /SLUIMER_ALLOWED_HOSTS/,
    );
    expect(() => networkConfigFromEnv({ SLUIMER_ALLOWED_HOSTS: 'sluimer:8080' })).toThrow(
      /without scheme or port/,
    );
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['127.0.0.1', ['127.0.0.1']],
    ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
  ])('reads SLUIMER_TRUST_PROXY=%s', (value, expected) => {
    expect(networkConfigFromEnv({ SLUIMER_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    ['1', /hop count/],
    ['yes', /not an address/],
    ['10.0.0.0/33', /not an address/],
    ['10.0.0.0/8, proxy.school.nl', /proxy\.school\.nl/],
  ])('refuses SLUIMER_TRUST_PROXY=%s', (value, why) => {
    expect(() => networkConfigFromEnv({ SLUIMER_TRUST_PROXY: value })).toThrow(/SLUIMER_TRUST_PROXY/);
    expect(() => networkConfigFromEnv({ SLUIMER_TRUST_PROXY: value })).toThrow(why);
  });

  it('makes sluimer-console exit with a clear message on a bad value', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluimer-network-cli-'));
    try {
      let err = '';
      const code = await main([], {
        env: {
          SLUIMER_LOG_LEVEL: 'silent',
          SLUIMER_HOST: '127.0.0.1',
          SLUIMER_PORT: '0',
          SLUIMER_DATA: dataDir,
          SLUIMER_TRUST_PROXY: '2',
        },
        stdout: { write: () => true },
        stderr: { write: (s: string) => (err += s) },
      });
      expect(code).toBe(2);
      expect(err).toContain('SLUIMER_TRUST_PROXY');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
