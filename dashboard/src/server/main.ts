#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { startHarbour } from './app.js';
import { configFromEnv } from './config.js';
import { DatabaseUnavailableError } from './db/database.js';
import { ClusterUnavailableError } from './realtime/cluster.js';

/** How long a graceful stop may take before the process ends regardless. */
const shutdownGraceMs = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  // The built web app sits beside the built server: dashboard/dist/web.
  const harbour = await startHarbour(config, { webRoot: fileURLToPath(new URL('../web/', import.meta.url)) });
  const port = new URL(harbour.url).port;
  console.log(`\nHarbour is running. Open the dashboard at http://localhost:${port}/`);
  console.log(`Database: ${harbour.dbFile}\n`);
  const stop = (signal: string) => {
    harbour.logger.info({ signal }, 'shutting down');
    // A connection that never ends must not keep a stopping server up (a service manager, or
    // a restart, waits on it): after the grace period it goes anyway. Every write it
    // acknowledged is already committed, so nothing stored is lost.
    const grace = setTimeout(() => {
      harbour.logger.error({ graceMs: shutdownGraceMs }, 'shutdown took too long; exiting now');
      process.exit(1);
    }, shutdownGraceMs);
    grace.unref();
    harbour.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // A database that cannot be reached is the operator's to fix: say what and where, no stack.
  if (error instanceof DatabaseUnavailableError || error instanceof ClusterUnavailableError)
    console.error(error.message);
  else console.error('Harbour failed to start:', error);
  process.exit(1);
});
