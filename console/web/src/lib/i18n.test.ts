import { describe, expect, it } from 'vitest';
import { initialLang, translate } from './i18n.js';
import { catalogs } from './messages.js';

describe('language choice', () => {
  it('keeps a saved choice over the browser language', () => {
    expect(initialLang('en', ['nl-NL'])).toBe('en');
    expect(initialLang('nl', ['en-US'])).toBe('nl');
  });

  it('follows the browser when no choice was made, Dutch when it names neither', () => {
    expect(initialLang(null, ['en-GB', 'nl'])).toBe('en');
    expect(initialLang(null, ['de-DE', 'nl-BE'])).toBe('nl');
    expect(initialLang(null, ['fr-FR'])).toBe('nl');
    expect(initialLang(undefined, undefined)).toBe('nl');
  });

  it('fills in variables', () => {
    expect(translate('nl', 'tile.neverSleepOf', { total: '1.234' })).toBe('van 1.234 apparaten');
    expect(translate('en', 'tile.neverSleepOf', { total: '1,234' })).toBe('of 1,234 devices');
  });

  it('has every text in both languages, without exclamation marks in running text', () => {
    expect(Object.keys(catalogs.en).sort()).toEqual(Object.keys(catalogs.nl).sort());
    for (const lang of ['nl', 'en'] as const)
      for (const [k, v] of Object.entries(catalogs[lang])) {
        expect(v.trim(), `${lang}.${k}`).not.toBe('');
        expect(v, `${lang}.${k}`).not.toContain('!');
      }
  });
});
