import { describe, expect, it } from 'vitest';
import {
  beginLogin,
  checkLogin,
  endLogin,
  type LockoutState,
  lockDuration,
  newLockoutState,
  DEFAULT_LOCKOUT_POLICY as P,
  recordFailure,
  recordSuccess,
} from './login-lockout.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** a fake clock and the lockout state, with one-line helpers for an attempt */
function setup() {
  const s: LockoutState = newLockoutState();
  let now = Date.UTC(2026, 8, 1, 8, 0);
  const at = (account: string, address: string) => ({ account, address, now });
  return {
    s,
    advance: (ms: number) => {
      now += ms;
    },
    check: (account: string, address: string) => checkLogin(s, P, at(account, address)),
    fail: (account: string, address: string) => recordFailure(s, P, at(account, address)),
    succeed: (account: string, address: string) => recordSuccess(s, P, at(account, address)),
  };
}

describe('smart lockout', () => {
  it('locks a burst of wrong passwords from one address out of that account only; a correct password from another address still works', () => {
    const t = setup();
    for (let i = 0; i < 5; i++) {
      expect(t.check('admin', '203.0.113.9').allowed).toBe(true);
      t.fail('admin', '203.0.113.9');
    }
    const locked = t.check('admin', '203.0.113.9');
    expect(locked).toEqual({ allowed: false, scope: 'account_address', retryAfterMs: MIN });
    // the real admin, elsewhere, without failures of their own
    expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    t.succeed('admin', '10.0.0.5');
    // and the attacker's address can still try other accounts (until the spraying limit)
    expect(t.check('juf.anna', '203.0.113.9').allowed).toBe(true);
  });

  it('grows the delay with each failure after a lockout (1, 2, 4 … minutes, at most an hour)', () => {
    expect([4, 5, 6, 7, 8, 10, 11, 20].map((n) => lockDuration(P.perPair, n))).toEqual([
      0,
      MIN,
      2 * MIN,
      4 * MIN,
      8 * MIN,
      32 * MIN,
      HOUR,
      HOUR,
    ]);
    const t = setup();
    for (let i = 0; i < 5; i++) t.fail('admin', '198.51.100.7');
    let expected = MIN;
    for (let round = 0; round < 8; round++) {
      const d = t.check('admin', '198.51.100.7');
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.retryAfterMs).toBe(expected);
      t.advance(expected - 1);
      expect(t.check('admin', '198.51.100.7').allowed, `still locked in round ${round}`).toBe(false);
      t.advance(1);
      expect(t.check('admin', '198.51.100.7').allowed).toBe(true);
      t.fail('admin', '198.51.100.7');
      expected = Math.min(HOUR, expected * 2);
    }
  });

  it('does not count or lengthen a lockout for attempts it refused', () => {
    const t = setup();
    for (let i = 0; i < 5; i++) t.fail('admin', '198.51.100.7');
    t.advance(30_000);
    for (let i = 0; i < 50; i++) expect(t.check('admin', '198.51.100.7').allowed).toBe(false);
    t.advance(30_000);
    expect(t.check('admin', '198.51.100.7').allowed).toBe(true);
  });

  it('never holds the account back for other addresses when one address guesses every 90 s for a day', () => {
    const t = setup();
    for (let i = 0; i < 960; i++) {
      if (t.check('admin', '203.0.113.9').allowed) t.fail('admin', '203.0.113.9');
      t.advance(90_000);
      if (i % 40 === 0) expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    }
    expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    expect(t.check('admin', '192.0.2.44').allowed).toBe(true);
  });

  it('limits password spraying: 20 failures from one address over many accounts lock that address for every account', () => {
    const t = setup();
    for (let i = 0; i < 20; i++) {
      expect(t.check(`user${i}`, '203.0.113.50').allowed).toBe(true);
      t.fail(`user${i}`, '203.0.113.50');
    }
    const d = t.check('someone-new', '203.0.113.50');
    expect(d).toEqual({ allowed: false, scope: 'address', retryAfterMs: MIN });
    expect(t.check('user3', '10.0.0.5').allowed).toBe(true);
    // a success on an account of their own does not clear the spraying record
    t.advance(MIN);
    t.succeed('own-account', '203.0.113.50');
    t.fail('user21', '203.0.113.50');
    expect(t.check('user22', '203.0.113.50')).toMatchObject({ allowed: false, retryAfterMs: 2 * MIN });
  });

  it('holds an account back for unfamiliar addresses after 50 failures from many addresses, but not for familiar ones', () => {
    const t = setup();
    t.succeed('admin', '10.0.0.5'); // the admin's usual place
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < 5; i++) t.fail('admin', `198.51.100.${a}`);
    }
    const d = t.check('admin', '192.0.2.1');
    expect(d).toEqual({ allowed: false, scope: 'account_unfamiliar', retryAfterMs: MIN });
    expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    expect(t.check('juf.anna', '192.0.2.1').allowed).toBe(true);
    // familiarity runs out after 30 days without a login from there
    t.advance(30 * 24 * HOUR);
    for (let a = 10; a < 20; a++) {
      for (let i = 0; i < 5; i++) t.fail('admin', `198.51.100.${a}`);
    }
    expect(t.check('admin', '10.0.0.5')).toMatchObject({ allowed: false, scope: 'account_unfamiliar' });
  });

  it('lets one address add at most its free failures to the account-wide count', () => {
    const t = setup();
    for (let i = 0; i < 5; i++) t.fail('admin', '203.0.113.9');
    for (let round = 0; round < 100; round++) {
      t.advance(10 * MIN);
      if (t.check('admin', '203.0.113.9').allowed) t.fail('admin', '203.0.113.9');
    }
    expect(t.s.pairs.get('admin\n203.0.113.9')?.failures).toBeGreaterThan(15);
    expect(t.s.accounts.get('admin')?.failures).toBe(5);
  });

  it('starts the account + address counter over after a correct password, and forgets counters after a quiet day', () => {
    const t = setup();
    for (let i = 0; i < 4; i++) t.fail('admin', '10.0.0.5');
    t.succeed('admin', '10.0.0.5');
    for (let i = 0; i < 4; i++) t.fail('admin', '10.0.0.5');
    expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    t.advance(24 * HOUR);
    for (let i = 0; i < 4; i++) t.fail('admin', '10.0.0.5');
    expect(t.check('admin', '10.0.0.5').allowed).toBe(true);
    t.fail('admin', '10.0.0.5');
    expect(t.check('admin', '10.0.0.5').allowed).toBe(false);
  });

  it('refuses a third parallel password check from one address until one ends', () => {
    const s = newLockoutState();
    const a = { account: 'admin', address: '203.0.113.9', now: 1 };
    expect(beginLogin(s, P, a).allowed).toBe(true);
    expect(beginLogin(s, P, { ...a, account: 'x' }).allowed).toBe(true);
    expect(beginLogin(s, P, a)).toEqual({ allowed: false, scope: 'in_flight', retryAfterMs: 1000 });
    expect(beginLogin(s, P, { ...a, address: '10.0.0.5' }).allowed).toBe(true);
    endLogin(s, P, a, 'failure');
    expect(beginLogin(s, P, a).allowed).toBe(true);
    endLogin(s, P, a, 'error');
    endLogin(s, P, { ...a, account: 'x' }, 'success');
    expect(s.inFlight.get('203.0.113.9')).toBeUndefined();
    expect(s.pairs.get('admin\n203.0.113.9')?.failures).toBe(1);
  });

  it('keeps its memory bounded under a flood of addresses', () => {
    const s = newLockoutState();
    const policy = { ...P, maxEntries: 1000 };
    for (let i = 0; i < 5000; i++) {
      recordFailure(s, policy, { account: `u${i}`, address: `a${i}`, now: 1000 + i });
    }
    expect(s.pairs.size).toBeLessThanOrEqual(1000);
    expect(s.addresses.size).toBeLessThanOrEqual(1000);
    expect(s.accounts.size).toBeLessThanOrEqual(1000);
    // the most recent are kept
    expect(s.addresses.has('a4999')).toBe(true);
  });
});
