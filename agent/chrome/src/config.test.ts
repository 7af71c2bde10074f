import { describe, expect, it } from 'vitest';
import { agentSocketUrl, idleDetectionSec, parseManagedConfig } from './config.js';

describe('the managed configuration from Google Admin', () => {
  it('accepts a console URL and enroll secret and drops a trailing slash', () => {
    const r = parseManagedConfig({ consoleUrl: 'https://sluimer.school.nl/', enrollSecret: 'ses_abc' });
    expect(r).toEqual({
      ok: true,
      config: { consoleUrl: 'https://sluimer.school.nl', enrollSecret: 'ses_abc' },
    });
  });

  it('tells a missing policy apart from a wrong one', () => {
    expect(parseManagedConfig({})).toMatchObject({ ok: false, missing: true });
    const bad = parseManagedConfig({ consoleUrl: 'ftp://x', enrollSecret: '' });
    expect(bad).toMatchObject({ ok: false, missing: false });
    expect(bad.ok ? '' : bad.message).toMatch(/consoleUrl/);
    expect(bad.ok ? '' : bad.message).toMatch(/enrollSecret/);
  });

  it('refuses an idle detection interval below what chrome.idle allows', () => {
    expect(
      parseManagedConfig({ consoleUrl: 'https://a.nl', enrollSecret: 's', idleDetectionSec: 5 }).ok,
    ).toBe(false);
  });

  it('turns the console address into the agent socket address', () => {
    expect(agentSocketUrl('https://sluimer.school.nl', '/api/v1/agent')).toBe(
      'wss://sluimer.school.nl/api/v1/agent',
    );
    expect(agentSocketUrl('http://127.0.0.1:8080', '/api/v1/agent')).toBe('ws://127.0.0.1:8080/api/v1/agent');
  });

  it('takes the idle detection interval from the managed override, else from the console policy', () => {
    const config = { consoleUrl: 'https://a.nl', enrollSecret: 's' };
    expect(idleDetectionSec({ ...config, idleDetectionSec: 20 }, 300)).toBe(20);
    expect(idleDetectionSec(config, 600)).toBe(600);
    expect(idleDetectionSec(config, undefined)).toBe(300);
  });
});
