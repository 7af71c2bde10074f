import { SqliteStore } from './sqlite.js';
import { describeStoreContract } from './testing/store-contract.js';

// the embedded store against the behaviour every store must show (store/testing/store-contract.ts)
describeStoreContract('SQLite', () => new SqliteStore({ dataDir: ':memory:' }));
