/**
 * vitest globalSetup of the `*-pg` projects: one PostgreSQL cluster for the whole run (each
 * test server then makes its own database on it: test/support/database.ts).
 */
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = startPostgresCluster(await freePort());
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return () => cluster.destroy();
}
