/**
 * The narrow ports services are given instead of the whole server: the database (`Db`,
 * from db/), a logger (pino's `Logger`), a clock, and `Push`, the one way to reach live
 * connections. Each is passed as a parameter, never imported as a global, so a test or
 * another deployment can hand in its own.
 */
import type { AgentServerToClient, DashboardServerToClient } from '@harbour/shared';
import type { SessionUser } from './identity.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Where a push to agents goes. */
export type AgentChannel =
  /** every connection of one device */
  | { kind: 'device'; deviceId: string }
  /** every connected agent */
  | { kind: 'everyAgent' };

/**
 * Where a push to staff goes. Incidents name pupils, so they never go to a room's general
 * channel (technicians and admins watch rooms too); activity has its own channel per room.
 */
export type StaffChannel =
  /** staff with a room's live view open */
  | { kind: 'room'; roomId: string }
  /** staff allowed to read a room's activity, with its activity view open */
  | { kind: 'activity'; roomId: string }
  /** every connection of one member of staff */
  | { kind: 'user'; userId: string }
  /** the connections opened with one sign-in (closed when it ends) */
  | { kind: 'session'; sessionId: string }
  /**
   * the DSLs of one school and the trust-level DSLs (core/tenancy.ts); `schoolId` null: a
   * record of no school, for trust-level DSLs only. A DSL's connection joins with their own.
   */
  | { kind: 'dsl'; schoolId: number | null };

export const channel = {
  device: (deviceId: string): AgentChannel => ({ kind: 'device', deviceId }),
  everyAgent: { kind: 'everyAgent' } as AgentChannel,
  room: (roomId: string): StaffChannel => ({ kind: 'room', roomId }),
  activity: (roomId: string): StaffChannel => ({ kind: 'activity', roomId }),
  user: (userId: string): StaffChannel => ({ kind: 'user', userId }),
  session: (sessionId: string): StaffChannel => ({ kind: 'session', sessionId }),
  dsl: (schoolId: number | null): StaffChannel => ({ kind: 'dsl', schoolId }),
};

/** One live socket connection: a device's agent, or a member of staff's dashboard. */
export type Connection =
  { kind: 'agent'; id: string; deviceId: string } | { kind: 'staff'; id: string; user: SessionUser };
export type AgentConnection = Extract<Connection, { kind: 'agent' }>;
export type StaffConnection = Extract<Connection, { kind: 'staff' }>;

export type AgentPush<K extends keyof AgentServerToClient> = Parameters<AgentServerToClient[K]>[0];
export type StaffPush<K extends keyof DashboardServerToClient> = Parameters<DashboardServerToClient[K]>[0];

/** Pushes whose message is a list of changes (`{ changes: [...] }`), sent batched. */
export type BatchedStaffEvent = {
  [K in keyof DashboardServerToClient]: StaffPush<K> extends { changes: readonly unknown[] } ? K : never;
}[keyof DashboardServerToClient];
/** One change of a batched push. */
export type BatchedChange<K extends BatchedStaffEvent> = StaffPush<K>['changes'][number];

/**
 * The only way to reach live connections. Its one implementation
 * (realtime/socket-push.ts) is the only code that emits, joins, leaves or disconnects
 * through socket.io, so making pushes reach other nodes (a socket.io adapter) or checking
 * who may join a live channel happens there, once.
 */
export interface Push {
  toAgents<K extends keyof AgentServerToClient>(to: AgentChannel, event: K, payload: AgentPush<K>): void;
  toStaff<K extends keyof DashboardServerToClient>(
    to: StaffChannel | readonly StaffChannel[],
    event: K,
    payload: StaffPush<K>,
    options?: { except?: StaffChannel },
  ): void;
  /**
   * One change for a batched push: changes are gathered for a short window (about 100 ms)
   * and each recipient gets one message with every change of the channels it may receive,
   * in the order they were pushed. `key` names what the change is about (a device): when
   * too many changes are waiting, only the newest per key is kept for the live view.
   */
  toStaffBatched<K extends BatchedStaffEvent>(
    to: StaffChannel,
    event: K,
    change: BatchedChange<K>,
    key: string,
  ): void;
  /** A push to this one connection only (the answer to what it just asked or did). */
  toConnection<K extends keyof AgentServerToClient>(
    connection: AgentConnection,
    event: K,
    payload: AgentPush<K>,
  ): void;
  /** Who is connected to a staff channel now. */
  staffIn(to: StaffChannel): Promise<SessionUser[]>;
  /**
   * Adds a connection to a channel, so that it receives the channel's pushes. A member of
   * staff the live scope (core/live-scope.ts) does not allow there is refused (403).
   */
  join(connection: AgentConnection, to: AgentChannel): Promise<void>;
  join(connection: StaffConnection, to: StaffChannel): Promise<void>;
  leave(connection: StaffConnection, to: StaffChannel): Promise<void>;
  /** Closes every connection in the channel (a revoked device, a disabled account). */
  disconnect(to: AgentChannel | StaffChannel): void;
}
