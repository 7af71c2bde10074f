import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBus, PostgresBus } from './bus.js';
import { PostgresStore } from './postgres.js';
import { describeWithPostgres, type PostgresServer, startPostgres } from './testing/postgres-server.js';

/** resolves with the next `n` payloads a handler gets on `topic` */
function collect(bus: { subscribe(t: string, h: (p: unknown) => void): () => void }, topic: string) {
  const got: unknown[] = [];
  bus.subscribe(topic, (p) => got.push(p));
  return {
    got,
    async until(n: number, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return got;
    },
  };
}

describe('the bus of one console process', () => {
  it('delivers a message to every subscriber of its topic, and only theirs', async () => {
    const bus = new LocalBus();
    const a = collect(bus, 'policy');
    const b = collect(bus, 'policy');
    const other = collect(bus, 'presence');
    await bus.publish('policy', { policyId: 3 });
    expect(await a.until(1)).toEqual([{ policyId: 3 }]);
    expect(await b.until(1)).toEqual([{ policyId: 3 }]);
    expect(other.got).toEqual([]);
  });

  it('refuses a message too large to travel between processes, as PostgreSQL would', async () => {
    await expect(new LocalBus().publish('policy', { ids: 'x'.repeat(8000) })).rejects.toThrow(
      /send ids, not records/,
    );
  });
});

describeWithPostgres('the bus between console processes on one PostgreSQL', () => {
  let server: PostgresServer;
  let url: string;
  const closing: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  }, 120_000);
  afterAll(async () => {
    for (const c of closing.reverse()) await c.close();
    await server?.stop();
  }, 60_000);
  const consoleProcess = async () => {
    const store = await PostgresStore.open({ url, poolSize: 2 });
    const bus = await PostgresBus.start(store.pool, () => store.newClient(), { retryMs: 50 });
    closing.push(store, bus);
    return { store, bus };
  };

  it('delivers what one process publishes to every process, the publisher included', async () => {
    const a = await consoleProcess();
    const b = await consoleProcess();
    const onA = collect(a.bus, 'policy');
    const onB = collect(b.bus, 'policy');
    await a.bus.publish('policy', { policyId: 7 });
    expect(await onB.until(1)).toEqual([{ policyId: 7 }]);
    expect(await onA.until(1)).toEqual([{ policyId: 7 }]);
  });

  it('listens again after its connection is cut, says messages may have been missed, and receives later ones', async () => {
    const a = await consoleProcess();
    const b = await consoleProcess();
    const onB = collect(b.bus, 'presence');
    let resyncs = 0;
    b.bus.onResync(() => resyncs++);
    // an administrator (or a failover) ends b's listening connection
    await a.store.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN sluimer_bus' AND pid <> pg_backend_pid()",
    );
    const end = Date.now() + 5000;
    while (resyncs === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(resyncs).toBeGreaterThanOrEqual(1);
    expect(b.bus.listening).toBe(true);
    await a.bus.publish('presence', { deviceId: 12, online: true });
    expect(await onB.until(1)).toEqual([{ deviceId: 12, online: true }]);
  });
});
