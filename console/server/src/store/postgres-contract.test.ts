import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from './postgres.js';
import { describeWithPostgres, type PostgresServer, startPostgres } from './testing/postgres-server.js';
import { describeStoreContract } from './testing/store-contract.js';

// the PostgreSQL store against the same behaviour as SQLite (store/testing/store-contract.ts): a
// private server for this file, a fresh database per test
describeWithPostgres('PostgreSQL store contract', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  describeStoreContract('PostgreSQL', async () => PostgresStore.open({ url: await server.createDatabase() }));
});
