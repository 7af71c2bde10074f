import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { errorMessage } from './hooks.js';

describe('error messages', () => {
  const t = (k: string) => k;

  it('explains a refused cross-origin change and a wrong host name by their codes', () => {
    expect(errorMessage(new ApiError(403, 'csrf_failed', 'request from another origin refused'), t)).toBe(
      'error.csrf',
    );
    expect(errorMessage(new ApiError(421, 'host_not_allowed', 'no'), t)).toBe('error.hostNotAllowed');
  });

  it('gives other 403s the role message of their code', () => {
    expect(errorMessage(new ApiError(403, 'forbidden', 'role viewer may not do this'), t)).toContain(
      'err.forbidden',
    );
  });
});
