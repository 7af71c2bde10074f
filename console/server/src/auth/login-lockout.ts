/**
 * Smart lockout for console logins, modelled on Microsoft Entra ID's smart lockout: failures are
 * counted per account *and* address, so a burst of wrong passwords from one address locks that
 * address out of that account and nobody else (docs/security.md, "Login throttling and lockout").
 *
 * Three counters, each locking with a growing delay once its threshold is reached:
 * - account + address: an attacker guessing one account from one place;
 * - address over all accounts: password spraying (a few guesses on many accounts);
 * - account over unfamiliar addresses: one account guessed from many places. Each address adds at
 *   most `perPair.threshold` failures to it, so one address alone can never trip it. Addresses
 *   that logged in to the account successfully ("familiar") are not held back by it.
 *
 * Plain functions over a plain state object and a time passed in: no clock, no I/O. The state lives
 * in the memory of one console process (a restart forgets it).
 */

export interface LockoutScope {
  /** failures that pass freely; the one that reaches this number starts the first lockout */
  threshold: number;
  /** the first lockout; each further failure after a lockout doubles it */
  firstLockMs: number;
  /** the longest lockout */
  maxLockMs: number;
  /** a counter is forgotten after this long without a failure */
  forgetAfterMs: number;
}

export interface LockoutPolicy {
  perPair: LockoutScope;
  perAddress: LockoutScope;
  perAccountUnfamiliar: LockoutScope;
  /** how long a successful login keeps an address familiar for that account */
  familiarForMs: number;
  /** most addresses remembered as familiar per account (the oldest goes first) */
  familiarPerAccount: number;
  /** most counters kept per kind; the least recently failed are dropped beyond it */
  maxEntries: number;
  /**
   * password checks one address may have running at once: a check takes a tenth of a second, and
   * without this limit a burst of parallel guesses would all pass before the first failure counts
   */
  maxInFlightPerAddress: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  perPair: { threshold: 5, firstLockMs: MINUTE, maxLockMs: HOUR, forgetAfterMs: DAY },
  perAddress: { threshold: 20, firstLockMs: MINUTE, maxLockMs: HOUR, forgetAfterMs: DAY },
  perAccountUnfamiliar: { threshold: 50, firstLockMs: MINUTE, maxLockMs: HOUR, forgetAfterMs: DAY },
  familiarForMs: 30 * DAY,
  familiarPerAccount: 20,
  maxEntries: 100_000,
  maxInFlightPerAddress: 2,
};

interface Counter {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export interface LockoutState {
  pairs: Map<string, Counter>;
  addresses: Map<string, Counter>;
  accounts: Map<string, Counter>;
  /** account → address → time of the last successful login from there */
  familiar: Map<string, Map<string, number>>;
  /** address → password checks running now */
  inFlight: Map<string, number>;
  lastSweep: number;
}

export function newLockoutState(): LockoutState {
  return {
    pairs: new Map(),
    addresses: new Map(),
    accounts: new Map(),
    familiar: new Map(),
    inFlight: new Map(),
    lastSweep: 0,
  };
}

export interface LoginAttempt {
  /** the user name as tried, case-folded; unknown names are counted like known ones */
  account: string;
  /** the client address the framework determined */
  address: string;
  now: number;
}

export type LockoutScopeName = 'account_address' | 'address' | 'account_unfamiliar' | 'in_flight';

export type LockoutDecision =
  | { allowed: true }
  | { allowed: false; scope: LockoutScopeName; retryAfterMs: number };

const pairKey = (a: LoginAttempt) => `${a.account}\n${a.address}`;

/** the lockout of `failures` failures under `scope`: 0 below the threshold, then doubling */
export function lockDuration(scope: LockoutScope, failures: number): number {
  if (failures < scope.threshold) return 0;
  const doublings = Math.min(failures - scope.threshold, 30);
  return Math.min(scope.maxLockMs, scope.firstLockMs * 2 ** doublings);
}

function live(map: Map<string, Counter>, key: string, scope: LockoutScope, now: number) {
  const c = map.get(key);
  if (c && now - c.lastFailureAt >= scope.forgetAfterMs) {
    map.delete(key);
    return undefined;
  }
  return c;
}

export function isFamiliar(state: LockoutState, policy: LockoutPolicy, a: LoginAttempt): boolean {
  const at = state.familiar.get(a.account)?.get(a.address);
  return at !== undefined && a.now - at < policy.familiarForMs;
}

/**
 * Whether this attempt may check a password at all. A refused attempt is not counted: waiting is
 * the only way forward, and guessing during a lockout does not lengthen it.
 */
export function checkLogin(state: LockoutState, policy: LockoutPolicy, a: LoginAttempt): LockoutDecision {
  const blocked: { scope: LockoutScopeName; until: number }[] = [];
  const pair = live(state.pairs, pairKey(a), policy.perPair, a.now);
  if (pair && pair.lockedUntil > a.now) blocked.push({ scope: 'account_address', until: pair.lockedUntil });
  const address = live(state.addresses, a.address, policy.perAddress, a.now);
  if (address && address.lockedUntil > a.now) blocked.push({ scope: 'address', until: address.lockedUntil });
  if (!isFamiliar(state, policy, a)) {
    const account = live(state.accounts, a.account, policy.perAccountUnfamiliar, a.now);
    if (account && account.lockedUntil > a.now) {
      blocked.push({ scope: 'account_unfamiliar', until: account.lockedUntil });
    }
  }
  if (blocked.length === 0) return { allowed: true };
  const longest = blocked.reduce((x, y) => (y.until > x.until ? y : x));
  return { allowed: false, scope: longest.scope, retryAfterMs: longest.until - a.now };
}

function fail(
  map: Map<string, Counter>,
  key: string,
  scope: LockoutScope,
  now: number,
  maxEntries: number,
): Counter {
  const c = live(map, key, scope, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
  c.failures++;
  c.lastFailureAt = now;
  const lock = lockDuration(scope, c.failures);
  if (lock > 0) c.lockedUntil = Math.max(c.lockedUntil, now + lock);
  // re-insert so the map stays ordered by last failure (the oldest is dropped first when full)
  map.delete(key);
  map.set(key, c);
  while (map.size > maxEntries) map.delete(map.keys().next().value!);
  return c;
}

/** Counts a wrong password (or an unknown user name) for an attempt `checkLogin` allowed. */
export function recordFailure(state: LockoutState, policy: LockoutPolicy, a: LoginAttempt): void {
  sweep(state, policy, a.now);
  const max = policy.maxEntries;
  const pair = fail(state.pairs, pairKey(a), policy.perPair, a.now, max);
  fail(state.addresses, a.address, policy.perAddress, a.now, max);
  // one address adds at most its free failures to the account-wide count, so one place alone
  // never holds the account back for the others
  if (!isFamiliar(state, policy, a) && pair.failures <= policy.perPair.threshold) {
    fail(state.accounts, a.account, policy.perAccountUnfamiliar, a.now, max);
  }
}

/**
 * A correct password: the account + address counter starts over and the address becomes familiar
 * for the account. The address counter stays (an attacker who owns one account must not wipe
 * their spraying record by logging in to it), and so does the account-wide one.
 */
export function recordSuccess(state: LockoutState, policy: LockoutPolicy, a: LoginAttempt): void {
  sweep(state, policy, a.now);
  state.pairs.delete(pairKey(a));
  let seen = state.familiar.get(a.account);
  if (!seen) {
    seen = new Map();
    state.familiar.set(a.account, seen);
  }
  seen.delete(a.address);
  seen.set(a.address, a.now);
  while (seen.size > policy.familiarPerAccount) seen.delete(seen.keys().next().value!);
  state.familiar.delete(a.account);
  state.familiar.set(a.account, seen);
  while (state.familiar.size > policy.maxEntries) state.familiar.delete(state.familiar.keys().next().value!);
}

/**
 * The login route's entry: `checkLogin` plus the in-flight limit. An allowed attempt must be ended
 * with `endLogin` exactly once, whatever happens.
 */
export function beginLogin(state: LockoutState, policy: LockoutPolicy, a: LoginAttempt): LockoutDecision {
  const d = checkLogin(state, policy, a);
  if (!d.allowed) return d;
  const running = state.inFlight.get(a.address) ?? 0;
  if (running >= policy.maxInFlightPerAddress) {
    return { allowed: false, scope: 'in_flight', retryAfterMs: 1000 };
  }
  state.inFlight.set(a.address, running + 1);
  return d;
}

/** Ends an attempt `beginLogin` allowed: `error` (the check itself failed) counts as neither. */
export function endLogin(
  state: LockoutState,
  policy: LockoutPolicy,
  a: LoginAttempt,
  outcome: 'success' | 'failure' | 'error',
): void {
  const running = (state.inFlight.get(a.address) ?? 1) - 1;
  if (running > 0) state.inFlight.set(a.address, running);
  else state.inFlight.delete(a.address);
  if (outcome === 'success') recordSuccess(state, policy, a);
  else if (outcome === 'failure') recordFailure(state, policy, a);
}

/** Forgets counters and familiar addresses that have run out; at most once a minute. */
export function sweep(state: LockoutState, policy: LockoutPolicy, now: number): void {
  if (now - state.lastSweep < MINUTE) return;
  state.lastSweep = now;
  const drop = (map: Map<string, Counter>, scope: LockoutScope) => {
    for (const [key, c] of map) {
      if (now - c.lastFailureAt >= scope.forgetAfterMs && c.lockedUntil <= now) map.delete(key);
    }
    while (map.size > policy.maxEntries) map.delete(map.keys().next().value!);
  };
  drop(state.pairs, policy.perPair);
  drop(state.addresses, policy.perAddress);
  drop(state.accounts, policy.perAccountUnfamiliar);
  for (const [account, seen] of state.familiar) {
    for (const [address, at] of seen) if (now - at >= policy.familiarForMs) seen.delete(address);
    if (seen.size === 0) state.familiar.delete(account);
  }
}
