import { describe, expect, it } from 'vitest';
import { enrollSecretStatus } from './enroll-secrets.js';

describe('enrollSecretStatus', () => {
  it('is active until its expiry, expired from that moment, and revoked whatever the expiry', () => {
    expect(enrollSecretStatus({ revokedAt: null, expiresAt: null }, 5)).toBe('active');
    expect(enrollSecretStatus({ revokedAt: null, expiresAt: 10 }, 9)).toBe('active');
    expect(enrollSecretStatus({ revokedAt: null, expiresAt: 10 }, 10)).toBe('expired');
    expect(enrollSecretStatus({ revokedAt: 3, expiresAt: 10 }, 20)).toBe('revoked');
  });
});
