import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from './db/database.js';
import type { DeviceHub } from './services/devices.js';
import type { HealthSettings } from './services/health.js';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What route and socket handlers need; passed in, never imported as globals. */
export interface ServerContext {
  db: Db;
  hub: DeviceHub;
  /** Closes every live connection of a user (after they are disabled or change role). */
  disconnectUser(userId: string): void;
  version: string;
  /** The server's data directory (database file, evidence files). */
  dataDir: string;
  /** Per-address limits, per minute, on the routes anonymous callers can hammer. */
  rateLimits: { login: number; enrol: number };
  /** When the device inventory warns (not seen for days, outdated agent...). */
  health: HealthSettings;
}
