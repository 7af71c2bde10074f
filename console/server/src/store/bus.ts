import type pg from 'pg';

/**
 * Messages between the console processes that share one database: "policy 3 changed", "device 12
 * is now online at process B". Every process receives every message, its own included, so a
 * publisher handles its own change the same way as the others do. Payloads are small JSON (ids, not
 * records): receivers read the records from the store.
 *
 * Delivery is at most once: a process that is briefly cut off from the database misses what was sent
 * meanwhile, and is told so through `onResync` once it listens again, so it can re-read what it
 * keeps in memory.
 */
export interface Bus {
  /** whether other processes can be on this bus (false: LocalBus, this process alone) */
  readonly shared: boolean;
  publish(topic: string, payload: unknown): Promise<void>;
  /** returns a function that unsubscribes */
  subscribe(topic: string, handler: (payload: unknown) => void): () => void;
  /** called after messages may have been missed (the listening connection was lost and is back) */
  onResync(handler: () => void): () => void;
  close(): Promise<void>;
}

/** NOTIFY takes at most 8000 bytes; the topic and envelope take a few */
export const MAX_BUS_PAYLOAD_BYTES = 7000;

class Handlers {
  private readonly byTopic = new Map<string, Set<(payload: unknown) => void>>();
  private readonly resync = new Set<() => void>();

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    const set = this.byTopic.get(topic) ?? new Set<(payload: unknown) => void>();
    this.byTopic.set(topic, set);
    set.add(handler);
    return () => set.delete(handler);
  }
  onResync(handler: () => void): () => void {
    this.resync.add(handler);
    return () => this.resync.delete(handler);
  }
  deliver(topic: string, payload: unknown): void {
    for (const h of this.byTopic.get(topic) ?? []) {
      try {
        h(payload);
      } catch {
        // one subscriber's mistake must not keep the message from the others
      }
    }
  }
  resynced(): void {
    for (const h of this.resync) h();
  }
}

function encode(topic: string, payload: unknown): string {
  const text = JSON.stringify({ t: topic, p: payload });
  if (Buffer.byteLength(text) > MAX_BUS_PAYLOAD_BYTES) {
    throw new Error(
      `bus message on ${topic} is ${Buffer.byteLength(text)} bytes; at most ${MAX_BUS_PAYLOAD_BYTES} (send ids, not records)`,
    );
  }
  return text;
}

/** One console process (SQLite): messages go straight to this process's subscribers. */
export class LocalBus implements Bus {
  readonly shared = false;
  private readonly h = new Handlers();
  async publish(topic: string, payload: unknown): Promise<void> {
    // the same envelope and limit as PostgreSQL, so code that works here works there
    const { t, p } = JSON.parse(encode(topic, payload)) as { t: string; p: unknown };
    queueMicrotask(() => this.h.deliver(t, p));
  }
  subscribe(topic: string, handler: (payload: unknown) => void) {
    return this.h.subscribe(topic, handler);
  }
  onResync(handler: () => void) {
    return this.h.onResync(handler);
  }
  async close(): Promise<void> {}
}

/** the one PostgreSQL channel all topics travel on */
const CHANNEL = 'sluimer_bus';

/**
 * Console processes on one PostgreSQL database: NOTIFY through the store's pool, LISTEN on one
 * connection of its own (a pooled connection could not keep listening). When that connection is
 * lost it reconnects with back-off and then calls the resync handlers.
 */
export class PostgresBus implements Bus {
  readonly shared = true;
  private readonly h = new Handlers();
  private listener: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly connect: () => pg.Client,
    private readonly retryMs: number,
  ) {}

  /**
   * Starts listening; resolves once it does. `newClient` makes the listening connection (with the
   * same settings as the pool's).
   */
  static async start(pool: pg.Pool, newClient: () => pg.Client, options: { retryMs?: number } = {}) {
    const bus = new PostgresBus(pool, newClient, options.retryMs ?? 1000);
    await bus.listen();
    return bus;
  }

  private async listen(): Promise<void> {
    const client = this.connect();
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const { t, p } = JSON.parse(msg.payload) as { t: string; p: unknown };
        this.h.deliver(t, p);
      } catch {
        // not ours (someone else NOTIFYing on the channel): ignored
      }
    });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners('end');
      client.end().catch(() => {});
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.listener = client;
  }

  private retry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined;
      try {
        await this.listen();
        this.h.resynced();
      } catch {
        this.retry();
      }
    }, this.retryMs);
    this.retryTimer.unref();
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, encode(topic, payload)]);
  }
  subscribe(topic: string, handler: (payload: unknown) => void) {
    return this.h.subscribe(topic, handler);
  }
  onResync(handler: () => void) {
    return this.h.onResync(handler);
  }
  /** whether the listening connection is up (for health checks) */
  get listening(): boolean {
    return this.listener !== undefined;
  }
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => {});
  }
}
