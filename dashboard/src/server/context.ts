import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from './db/database.js';
import type { DeviceHub } from './services/devices.js';
import type { IncidentNotifier } from './services/incident-notify.js';

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
  /** Alerts the DSL, room teachers and pupils' computers about incidents (issues 6, 7). */
  incidentEvents: IncidentNotifier;
  /** Closes every live connection of a user (after they are disabled or change role). */
  disconnectUser(userId: string): void;
  version: string;
  /** The server's data directory (database file, evidence files). */
  dataDir: string;
  /** Per-address limits, per minute, on the routes anonymous callers can hammer. */
  rateLimits: { login: number; enrol: number };
}
