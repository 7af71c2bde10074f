import { ErrorCode } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { errorCodeKey, errorMessage } from './hooks.js';
import { translate } from './i18n.js';
import { catalogs } from './messages.js';

describe('server error codes in the UI', () => {
  it('every error code has a Dutch and an English message of its own', () => {
    for (const code of Object.values(ErrorCode)) {
      const key = errorCodeKey(code);
      expect(key, code).toBeDefined();
      const nl = catalogs.nl[key!];
      const en = catalogs.en[key!];
      expect(nl, code).toMatch(/\S/);
      expect(en, code).toMatch(/\S/);
      expect(nl, `${code} is translated`).not.toBe(en);
    }
  });

  it('shows the Dutch message and the code instead of the English server text', () => {
    const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
      translate('nl', k, v);
    const e = new ApiError(409, 'conflict', 'the console needs at least one admin');
    const msg = errorMessage(e, t);
    expect(msg).not.toContain('the console needs');
    expect(msg).toContain('Dit botst');
    expect(msg).toContain('Foutcode: conflict');
  });

  it('lets a page give a more precise message for a code it expects', () => {
    const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
      translate('nl', k, v);
    const e = new ApiError(409, 'conflict', 'the console needs at least one admin');
    expect(errorMessage(e, t, { conflict: 'error.lastAdmin' })).toBe(
      'De console heeft minstens één beheerder nodig. Maak eerst iemand anders beheerder.',
    );
  });

  it('says the console cannot be reached when the network fails', () => {
    const t = (k: Parameters<typeof translate>[1]) => translate('en', k);
    expect(errorMessage(new ApiError(0, 'network', 'Failed to fetch'), t)).toMatch(/cannot be reached/);
  });
});

describe('a precise message for a known reason', () => {
  it('picks the message for code and details.reason before the one for the code alone', () => {
    const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
      translate('nl', k, v);
    const dup = new ApiError(409, 'conflict', 'a group named Aula already exists there', {
      reason: 'duplicate_name',
    });
    const specific = {
      'conflict:duplicate_name': 'error.groupNameTaken',
      conflict: 'error.groupBelowItself',
    } as const;
    expect(errorMessage(dup, t, specific)).toContain('Er staat al een groep met deze naam');
    expect(errorMessage(new ApiError(409, 'conflict', 'x'), t, specific)).toContain('onder zichzelf');
  });
});
