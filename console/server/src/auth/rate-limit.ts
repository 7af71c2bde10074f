/**
 * Token buckets keyed by a string (an address, an account, a device). Memory stays bounded: full
 * buckets are forgotten on a sweep.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    /** how many at once */
    readonly burst: number,
    /** refill per second */
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(key: string, t: number) {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
      b.at = t;
    }
    return b;
  }

  /** takes `n` tokens when available; false (and nothing taken) when not */
  take(key: string, n = 1): boolean {
    const t = this.now();
    this.sweep(t);
    const b = this.bucket(key, t);
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }

  /** whether `n` tokens are available, without taking them */
  check(key: string, n = 1): boolean {
    return this.bucket(key, this.now()).tokens >= n;
  }

  /** milliseconds until `n` tokens are available */
  waitMs(key: string, n = 1): number {
    const b = this.bucket(key, this.now());
    return b.tokens >= n ? 0 : Math.ceil(((n - b.tokens) / this.perSecond) * 1000);
  }

  /**
   * Takes `n` tokens even when fewer are left (the bucket goes into debt) and returns the milliseconds
   * until the debt is paid off: the caller waits that long before doing the work, so work is delayed,
   * never refused.
   */
  reserve(key: string, n: number): number {
    const t = this.now();
    this.sweep(t);
    const b = this.bucket(key, t);
    b.tokens -= n;
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.perSecond) * 1000);
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  private sweep(t: number) {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}
