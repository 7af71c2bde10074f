/**
 * One what-if replay at a time per console, with a short queue. A replay holds every scoped device's
 * raw intervals in memory (a whole board over 92 days is millions of them), and any role may ask: a
 * few viewers pressing at once must not multiply that. Requests past the queue are refused
 * (`GateFullError`), not parked without bound.
 */
export class GateFullError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} what-if requests are already waiting`);
  }
}

export class ReplayGate {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** @param maxWaiting requests allowed to wait while one runs */
  constructor(private readonly maxWaiting: number) {}

  /** requests running or waiting now */
  get size(): number {
    return this.pending;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.pending > this.maxWaiting) return Promise.reject(new GateFullError(this.pending - 1));
    this.pending++;
    const result = this.tail.then(job);
    // the next job waits for this one to settle, whether it succeeded or not
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.pending--;
    });
  }
}
