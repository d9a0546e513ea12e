#!/usr/bin/env node
import { startHarbour } from './app.js';
import { configFromEnv } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const harbour = await startHarbour(config);
  const port = new URL(harbour.url).port;
  console.log(`\nHarbour is running. Open the dashboard at http://localhost:${port}/`);
  console.log(`Database: ${harbour.dbFile}\n`);
  const stop = (signal: string) => {
    harbour.logger.info({ signal }, 'shutting down');
    harbour.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Harbour failed to start:', error);
  process.exit(1);
});
