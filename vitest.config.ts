import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Unit tests import workspace packages from source; end-to-end tests in test/ spawn the built bins.
export default defineConfig({
  resolve: {
    alias: {
      '@sluimer/shared': src('./shared/src/index.ts'),
      '@sluimer/agent/core': src('./agent/src/core/index.ts'),
      '@sluimer/agent': src('./agent/src/index.ts'),
      '@sluimer/scripts/model': src('./scripts/src/model/index.ts'),
      '@sluimer/scripts/fleet': src('./scripts/src/fleet/index.ts'),
      '@sluimer/scripts/demo': src('./scripts/src/demo.ts'),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{shared,agent,console,scripts}/**/*.test.{ts,tsx}', '*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
