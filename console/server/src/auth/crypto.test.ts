import { afterEach, describe, expect, it } from 'vitest';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  PRODUCTION_SCRYPT,
  passwordCost,
  setTestPasswordCost,
  verifyPassword,
} from './crypto.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

afterEach(() => setTestPasswordCost(PRODUCTION_SCRYPT));

describe('password hashing', () => {
  it('hashes at OWASP cost by default (N=2^17, r=8, p=1) and stores the parameters with the hash', async () => {
    expect(PRODUCTION_SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
    expect(passwordCost()).toEqual(PRODUCTION_SCRYPT);
    const h = await hashPassword('een-lang-wachtwoord');
    expect(h).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('een-lang-wachtwoord', h)).toBe(true);
    expect(await verifyPassword('een-ander-wachtwoord', h)).toBe(false);
    expect(needsRehash(h)).toBe(false);
    // three hashes of 128 MiB each: seconds on a busy machine, which is the point of the cost
  }, 60_000);

  it('still verifies an older, weaker hash and says it needs re-hashing', async () => {
    const old = await hashPassword('oud-wachtwoord-123', { N: 2 ** 14, r: 8, p: 1 });
    expect(old.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('oud-wachtwoord-123', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it('refuses stored parameters that are damaged or absurd instead of spending memory on them', async () => {
    const good = await hashPassword('x-password', FAST);
    const [, , r, p, salt, key] = good.split('$');
    for (const bad of [
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`, // N far too large
      `scrypt$1024$999$${p}$${salt}$${key}`,
      `bcrypt$1024$${r}$${p}$${salt}$${key}`,
      'scrypt$1024$8$1$$',
      '',
    ]) {
      expect(await verifyPassword('x-password', bad), bad).toBe(false);
      expect(needsRehash(bad)).toBe(true);
    }
  });

  it('lets tests lower the cost only inside vitest', () => {
    setTestPasswordCost(FAST);
    expect(passwordCost()).toEqual(FAST);
    const saved = process.env.VITEST;
    delete process.env.VITEST;
    try {
      expect(() => setTestPasswordCost({ N: 2, r: 1, p: 1 })).toThrow(/tests only/);
    } finally {
      process.env.VITEST = saved;
    }
    expect(passwordCost()).toEqual(FAST);
  });

  it('keeps the dummy hash for unknown users at the current cost, and it never matches', async () => {
    expect(dummyPasswordHash().startsWith('scrypt$131072$8$1$')).toBe(true);
    setTestPasswordCost(FAST);
    const d = dummyPasswordHash();
    expect(d.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(needsRehash(d)).toBe(false);
    expect(await verifyPassword('', d)).toBe(false);
    expect(await verifyPassword('admin', d)).toBe(false);
  });
});
