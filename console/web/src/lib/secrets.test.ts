import { describe, expect, it } from 'vitest';
import { secretStatus } from './secrets.js';

const base = { id: 1, groupId: 2, createdAt: 1_000 };

describe('the state of an enroll secret', () => {
  it('works from the fields an older console sends', () => {
    expect(secretStatus(base, 5_000)).toBe('active');
    expect(secretStatus({ ...base, revokedAt: 2_000 }, 5_000)).toBe('revoked');
    expect(secretStatus({ ...base, expiresAt: 4_000 }, 5_000)).toBe('expired');
    expect(secretStatus({ ...base, expiresAt: 6_000 }, 5_000)).toBe('active');
  });

  it('is full when its device limit is reached, and follows the server status when sent', () => {
    expect(secretStatus({ ...base, deviceLimit: 30, devicesEnrolled: 30 }, 5_000)).toBe('full');
    expect(secretStatus({ ...base, deviceLimit: 30, devicesEnrolled: 12 }, 5_000)).toBe('active');
    expect(secretStatus({ ...base, deviceLimit: null, devicesEnrolled: 500 }, 5_000)).toBe('active');
    expect(secretStatus({ ...base, status: 'expired' }, 5_000)).toBe('expired');
    // revoked wins over everything else
    expect(secretStatus({ ...base, revokedAt: 2_000, deviceLimit: 1, devicesEnrolled: 1 }, 5_000)).toBe(
      'revoked',
    );
  });
});
