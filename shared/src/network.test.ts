import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './network.js';

describe('isLoopbackHost', () => {
  it('knows the names that only reach this machine', () => {
    for (const h of [
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '::1',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(h)).toBe(true);
  });

  it('does not take school addresses or look-alike names for loopback', () => {
    for (const h of [
      'sluimer.school.nl',
      '10.0.0.5',
      '192.168.1.20',
      '[fe80::1]',
      'localhost.school.nl',
      '0.0.0.0',
    ])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
