import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from './db/database.js';
import type { ActivityHub } from './services/activity-hub.js';
import type { DeviceHub } from './services/devices.js';

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
  /** Activity and flags: live pushes, flag hooks (see services/flags.ts), retention. */
  activity: ActivityHub;
  /** Closes every live connection of a user (after they are disabled or change role). */
  disconnectUser(userId: string): void;
  version: string;
  /** The server's data directory (database file, evidence files). */
  dataDir: string;
  /** Per-address limits, per minute, on the routes anonymous callers can hammer. */
  rateLimits: { login: number; enrol: number };
}
