import { describe, expect, it } from 'vitest';
import { secretLimitsBody } from './Groups.js';

describe('the limits of a new enroll secret', () => {
  it('sends nothing when no limit and no date are filled in', () => {
    expect(secretLimitsBody({ deviceLimit: '', expiresOn: '' })).toEqual({});
    expect(secretLimitsBody({ deviceLimit: '  ', expiresOn: '' })).toEqual({});
  });

  it('sends a whole device limit as a number', () => {
    expect(secretLimitsBody({ deviceLimit: '30', expiresOn: '' })).toEqual({ deviceLimit: 30 });
    expect(secretLimitsBody({ deviceLimit: '2.5', expiresOn: '' })).toEqual({});
  });

  it('lets the secret work up to the end of the chosen local day', () => {
    const body = secretLimitsBody({ deviceLimit: '', expiresOn: '2026-12-24' });
    expect(body.expiresAt).toBe(new Date(2026, 11, 25).getTime());
  });
});
