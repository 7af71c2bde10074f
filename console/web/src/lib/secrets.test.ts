import { describe, expect, it } from 'vitest';
import { secretStatus } from './secrets.js';

const base = { status: 'active', deviceLimit: null, devicesEnrolled: 0 } as const;

describe('the state of an enroll secret', () => {
  it('follows the status the server sends', () => {
    expect(secretStatus(base)).toBe('active');
    expect(secretStatus({ ...base, status: 'revoked' })).toBe('revoked');
    expect(secretStatus({ ...base, status: 'expired' })).toBe('expired');
  });

  it('is full when an active secret has enrolled its device limit', () => {
    expect(secretStatus({ ...base, deviceLimit: 30, devicesEnrolled: 30 })).toBe('full');
    expect(secretStatus({ ...base, deviceLimit: 30, devicesEnrolled: 12 })).toBe('active');
    expect(secretStatus({ ...base, deviceLimit: null, devicesEnrolled: 500 })).toBe('active');
    // revoked wins over a reached limit
    expect(secretStatus({ status: 'revoked', deviceLimit: 1, devicesEnrolled: 1 })).toBe('revoked');
  });
});
