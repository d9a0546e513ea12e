import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from './db/database.js';
import type { AgentServerToClient, DashboardServerToClient } from '@harbour/shared';
import type { ActivityHub } from './features/activity/hub.js';
import type { DeviceHub } from './features/devices/hub.js';
import type { IncidentNotifier } from './features/incidents/notify.js';
import type { HealthSettings } from './features/devices/health.js';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface Push {
  /** To every connection of one device. */
  device<K extends keyof AgentServerToClient>(
    deviceId: string,
    event: K,
    ...args: Parameters<AgentServerToClient[K]>
  ): void;
  /** To every staff member watching a room live. */
  room<K extends keyof DashboardServerToClient>(
    roomId: string,
    event: K,
    ...args: Parameters<DashboardServerToClient[K]>
  ): void;
}

/** What route and socket handlers need; passed in, never imported as globals. */
export interface ServerContext {
  db: Db;
  hub: DeviceHub;
  /** Alerts the DSL, room teachers and pupils' computers about incidents (issues 6, 7). */
  incidentEvents: IncidentNotifier;
  /** Activity and flags: live pushes, flag hooks (see services/flags.ts), retention. */
  activity: ActivityHub;
  /** Closes every live connection of a user (after they are disabled or change role). */
  disconnectUser(userId: string): void;
  version: string;
  /** Typed pushes to connected agents and to staff watching a room. */
  push: Push;
  /** The server's data directory (database file, evidence files). */
  dataDir: string;
  /** Per-address limits, per minute, on the routes anonymous callers can hammer. */
  rateLimits: { login: number; enrol: number };
  /** When the device inventory warns (not seen for days, outdated agent...). */
  health: HealthSettings;
}
