import { describe, expect, it } from 'vitest';
import { isLoopbackHost, PublicUrlError, parsePublicUrl } from './public-url.js';

describe('parsePublicUrl', () => {
  it('keeps scheme, host and port', () => {
    expect(parsePublicUrl('https://sluimer.school.nl')).toBe('https://sluimer.school.nl');
    expect(parsePublicUrl('https://sluimer.school.nl/')).toBe('https://sluimer.school.nl');
    expect(parsePublicUrl('http://10.1.2.3:8080')).toBe('http://10.1.2.3:8080');
  });

  it('refuses what agents could not use, with a message that says how it should look', () => {
    expect(() => parsePublicUrl('sluimer.school.nl')).toThrow(PublicUrlError);
    expect(() => parsePublicUrl('ftp://sluimer.school.nl')).toThrow(/http:\/\/ of https:\/\//);
    expect(() => parsePublicUrl('https://sluimer.school.nl/console')).toThrow(/zonder pad/);
    expect(() => parsePublicUrl('https://user:pw@sluimer.school.nl')).toThrow(PublicUrlError);
  });
});

describe('isLoopbackHost', () => {
  it('knows the names that only reach this machine', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['sluimer.school.nl', '10.0.0.5', '192.168.1.20', '[fe80::1]', 'localhost.school.nl'])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
