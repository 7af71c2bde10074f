import { describe, expect, it } from 'vitest';
import { scopeTimeZone } from './scopeTimeZone.js';

const groups = [
  { id: 1, timeZone: 'Europe/Amsterdam' },
  { id: 2, timeZone: 'America/Curacao' },
  { id: 3, timeZone: null },
];

describe('scopeTimeZone', () => {
  it('uses the zone the API resolved for a subgroup that inherits it', () => {
    expect(scopeTimeZone(3, groups, { id: 3, effectiveTimeZone: 'America/Curacao' })).toBe('America/Curacao');
  });
  it('ignores the detail of another group while the chosen one is still loading', () => {
    expect(scopeTimeZone(2, groups, { id: 3, effectiveTimeZone: 'Asia/Tokyo' })).toBe('America/Curacao');
  });
  it('falls back to Amsterdam for an inheriting group before its detail arrives, and for the whole board', () => {
    expect(scopeTimeZone(3, groups, undefined)).toBe('Europe/Amsterdam');
    expect(scopeTimeZone(undefined, groups, { id: 2, effectiveTimeZone: 'America/Curacao' })).toBe(
      'Europe/Amsterdam',
    );
  });
});
