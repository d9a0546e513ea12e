/**
 * Devices: rooms and who may supervise them, enrolment, the inventory with device health,
 * and the device hub (who is connected now, live room views). Tables: `rooms`,
 * `room_staff`, `enrolment_tokens`, `devices`, `device_sessions`, `device_health`.
 */
import { formatOsUser } from '@harbour/shared';
import type { Logger } from 'pino';
import type { Presence } from '../../core/cluster.js';
import { agentEvent, type ServerFeature } from '../../core/feature.js';
import type { Authenticators } from '../../core/identity.js';
import type { Clock, Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { authenticateDevice } from './device-auth.js';
import { deviceHealthRoutes, deviceRoutes } from './devices.routes.js';
import { enrolmentRoutes } from './enrolment.routes.js';
import { checkClock, reportClockSkew, reportHealth, withTamper, type HealthSettings } from './health.js';
import { mergeRoutes } from './merge.js';
import { DeviceHub, type DeviceDecorator } from './hub.js';
import { noSources, type InventorySources } from './inventory.js';
import { roomRoutes } from './rooms.routes.js';
import { endSession, startSession } from './sessions.repository.js';

export type { DeviceHub } from './hub.js';
export type { HealthSettings } from './health.js';
export type { AupState } from './inventory.js';
export { purgeClearedHealth, reportHealth } from './health.js';
export {
  deviceExists,
  deviceIdsInRoom,
  devicePlace,
  deviceRoomColumn,
  deviceWithRoom,
  fromDevice,
  joinDeviceOf,
  signedInUsers,
} from './devices.repository.js';
export {
  isRoomStaff,
  listRooms,
  roomById,
  roomExists,
  roomsOfStaff,
  roomIdsOfSchool,
  roomVisibleTo,
  schoolOfRoom,
  roomStaff,
  setRoomStaff,
  toRoom,
} from './rooms.repository.js';
export { sessionPlaces, sessionsInRoom, sessionsOf } from './sessions.repository.js';

export interface DevicesFeature extends ServerFeature {
  readonly hub: DeviceHub;
  /** Recognises a device's credential (for the HTTP plumbing and the agent socket). */
  readonly device: Authenticators['device'];
  /** For other features: add what they know about devices to live views. */
  decorate(decorator: DeviceDecorator): void;
  /** For other features: fill the inventory's AUP and browser-extension columns. */
  provide(sources: Partial<InventorySources>): void;
  /** For the agent transport: an event came with an impossible time (a health warning). */
  clockSkewed(deviceId: string, claimed: string, used: string): Promise<void>;
}

export function devicesFeature(deps: {
  db: Db;
  push: Push;
  clock: Clock;
  log: Logger;
  health: HealthSettings;
  enrolRateLimit: number;
  /** Who is connected, shared by every node (default: this process only). */
  presence?: Presence;
}): DevicesFeature {
  const { db, push, clock } = deps;
  const hub = new DeviceHub(db, push, clock, deps.presence);
  hub.decorate((devices) => withTamper(db, devices));
  const sources: InventorySources = { ...noSources };
  return {
    name: 'devices',
    hub,
    device: (deviceId, credential) => authenticateDevice(db, deviceId, credential),
    decorate: (decorator) => hub.decorate(decorator),
    provide: (provided) => Object.assign(sources, provided),
    clockSkewed: (deviceId, claimed, used) => reportClockSkew(db, deviceId, claimed, used),
    routes(app) {
      roomRoutes(app, db);
      enrolmentRoutes(app, db, deps.enrolRateLimit);
      deviceRoutes(app, { db, hub, sources, health: deps.health });
      deviceHealthRoutes(app, db);
      mergeRoutes(app, { db, hub });
    },
    agentConnected: (connection, agentVersion) => hub.connected(connection.deviceId, agentVersion),
    agentDisconnected: (connection) => hub.disconnected(connection.deviceId),
    agentEvents: [
      agentEvent({
        type: 'session.started',
        store: (trx, deviceId, event) =>
          startSession(trx, deviceId, formatOsUser(event.body.user), event.occurredAt),
      }),
      agentEvent({
        type: 'session.ended',
        store: (trx, deviceId, event) =>
          endSession(trx, deviceId, formatOsUser(event.body.user), event.occurredAt),
      }),
    ],
    agentRequests: {
      'agent:presence': async ({ user, aupGate }, { deviceId }) => {
        await hub.setUser(deviceId, user ? formatOsUser(user) : null, aupGate);
        return {};
      },
      'agent:goodbye': async ({ user }, { deviceId }) => {
        await hub.stoppedInUse(deviceId, formatOsUser(user));
        return {};
      },
      'agent:heartbeat': async ({ sentAt }, { deviceId }) => {
        await hub.touch(deviceId);
        await checkClock(db, deviceId, sentAt, clock.now());
        return { serverTime: clock.now().toISOString() };
      },
      'agent:health': async ({ problems }, { deviceId }) => {
        await reportHealth(db, deviceId, problems);
        if (problems.length > 0)
          deps.log.child({ deviceId }).warn({ problems }, 'agent reports health problems');
        // The room tile shows a stopped helper (tamper evidence) as soon as the service says so.
        await hub.refresh(deviceId);
        return {};
      },
    },
  };
}
