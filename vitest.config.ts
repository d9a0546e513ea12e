import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = { '@harbour/shared': fileURLToPath(new URL('./shared/src/index.ts', import.meta.url)) };

// Three projects, one runner:
//  unit         beside the code, fast, no network
//  integration  the real server on a real database file, real agent processes, on loopback
//  security     the real server attacked over loopback as an outsider, a hostile page, a device, an insider
//  e2e          the built server and real agents driven through the dashboard in real Chromium
//  integration-pg, security-pg
//               the integration and security files again, every server on PostgreSQL (one real
//               cluster from Debian's package for the run, a fresh database per server); the
//               multi-node file (two server processes on one database and one Redis) runs here only
// Integration and e2e expect `npm run build` to have run (the `test` script does it).
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: [
            'shared/src/**/*.test.ts',
            'agent/src/**/*.test.ts',
            'dashboard/src/server/**/*.test.ts',
            'dashboard/src/web/**/*.test.ts',
            '.eslint-plugin-local/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Two nodes need one shared PostgreSQL, and the PostgreSQL cluster needs PostgreSQL:
          // those files run in integration-pg only.
          exclude: ['test/integration/multinode.test.ts', 'test/integration/pg-cluster.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration-pg',
          include: ['test/integration/**/*.test.ts'],
          // The benchmarks' smoke run stays on SQLite: it seeds the file directly, measures the
          // default deployment, and asserts no behaviour.
          exclude: ['test/integration/bench-smoke.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          env: { HARBOUR_TEST_DB: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'security-pg',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          env: { HARBOUR_TEST_DB: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
