import { ErrorCode } from '@sluimer/shared';
import { dummyPasswordHash, verifyPassword } from '../auth/crypto.js';
import { beginLogin, endLogin, type LockoutPolicy, newLockoutState } from '../auth/login-lockout.js';
import { RateLimiter } from '../auth/rate-limit.js';
import type { Store, UserRecord } from '../store/types.js';
import { ApiError, tooManyRequests } from './errors.js';

const FIFTEEN_MIN_S = 15 * 60;

/**
 * The password checks of POST /login and POST /me/password: a cap on attempts per address (good or
 * bad, a cap on hashing work) and the smart lockout of failed logins (auth/login-lockout.ts). Kept in
 * this process's memory: a restart forgets it, and several console processes do not share it.
 */
export class LoginGuard {
  private readonly lockout = newLockoutState();
  private readonly perAddress: RateLimiter;

  constructor(
    private readonly store: Store,
    private readonly policy: LockoutPolicy,
    attemptsPerAddress: number,
    private readonly now: () => number,
  ) {
    this.perAddress = new RateLimiter(attemptsPerAddress, attemptsPerAddress / FIFTEEN_MIN_S);
  }

  /** one login attempt from this address, or 429 when the address has used up its attempts */
  takeAttempt(address: string): void {
    if (!this.perAddress.take(address)) {
      throw tooManyRequests(
        'too many login attempts from this address; wait and try again',
        this.perAddress.waitMs(address),
      );
    }
  }

  /**
   * The user, when the password is right; undefined when the name is unknown or the password wrong
   * (the same answer, after the same scrypt work). Goes through the smart lockout: a locked attempt
   * throws 429 before any password is checked.
   */
  async checkPassword(username: string, password: string, address: string): Promise<UserRecord | undefined> {
    const attempt = { account: username.toLowerCase(), address, now: this.now() };
    const decision = beginLogin(this.lockout, this.policy, attempt);
    if (!decision.allowed) {
      if (decision.scope === 'in_flight') {
        throw tooManyRequests(
          'another login from this address is being checked; try again',
          decision.retryAfterMs,
        );
      }
      const minutes = Math.ceil(decision.retryAfterMs / 60_000);
      throw new ApiError(
        429,
        ErrorCode.LoginLocked,
        `too many failed logins; wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`,
        { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) },
        { 'Retry-After': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) },
      );
    }
    let outcome: 'success' | 'failure' | 'error' = 'error';
    let user: UserRecord | undefined;
    try {
      user = await this.store.getUserByName(username);
      // an unknown name costs the same scrypt work as a known one
      const ok = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash());
      outcome = user && ok ? 'success' : 'failure';
    } finally {
      endLogin(this.lockout, this.policy, { ...attempt, now: this.now() }, outcome);
    }
    return outcome === 'success' ? user : undefined;
  }
}
