/**
 * A server feature (devices, the AUP, activity, supervision, tell, incidents...) is one
 * folder under features/ whose index.ts builds one object of this shape. The composition
 * root (app.ts) lists the features; the transports register what they declare: REST
 * routes, socket requests from agents and dashboards, and the agent events they store.
 * Like the agent's `AgentFeature`, a feature gets what it needs as parameters (ports and
 * the other features it uses) and reaches nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  AgentEvent,
  AgentEventBody,
  AgentEventType,
  agentRequests,
  dashboardRequests,
  RequestOf,
  RequestSpecs,
  ResponseOf,
} from '@harbour/shared';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/database.js';
import type { Access } from './access.js';
import type { AgentConnection, StaffConnection } from './ports.js';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** One handler per request of `S`, each given the validated payload and who sent it. */
export type Handlers<S extends RequestSpecs, C> = {
  [K in keyof S & string]: (payload: RequestOf<S, K>, caller: C) => Promise<ResponseOf<S, K>>;
};

export type AgentRequestHandlers = Partial<Handlers<typeof agentRequests, AgentConnection>>;

/** A dashboard request's handler and who may send it (the role-matrix test walks these). */
export type DashboardRequestHandlers = {
  [K in keyof typeof dashboardRequests]?: {
    access: Access;
    handle: Handlers<typeof dashboardRequests, StaffConnection>[K];
  };
};

export type AgentEventOf<T extends AgentEventType> = AgentEvent & {
  body: Extract<AgentEventBody, { type: T }>;
};

/**
 * How one type of agent event is stored. `store` runs inside the group-commit
 * transaction that records the event once (a redelivered event never reaches it); a throw
 * rolls back this event alone and the agent is told why. `afterCommit` runs once the
 * transaction has committed, with what `store` returned: live pushes, notifications.
 */
export interface AgentEventStore<T extends AgentEventType, R> {
  readonly type: T;
  /**
   * `store` changes nothing but the database (no timer, cache or count in memory), so the
   * group commit may run it a second time after rolling a batch back; such events are
   * stored without a savepoint each (db/group-commit.ts).
   */
  readonly rerunnable?: boolean;
  store(trx: Db, deviceId: string, event: AgentEventOf<T>): Promise<R>;
  /**
   * Stores many of these events, of different devices, in a few statements, giving back
   * each one's result in order; for anything but the common case it throws and each event
   * is stored alone by `store` (db/group-commit.ts's `Bulk`). Only for `rerunnable` events.
   */
  storeMany?(trx: Db, events: readonly { deviceId: string; event: AgentEventOf<T> }[]): Promise<R[]>;
  afterCommit?(result: R, deviceId: string): Promise<void> | void;
}

/** A declaration as the registry holds it: the registry gives `store` only events of `type`. */
export interface AgentEventRegistration {
  readonly type: AgentEventType;
  readonly rerunnable?: boolean;
  store(trx: Db, deviceId: string, event: AgentEvent): Promise<unknown>;
  storeMany?(trx: Db, events: readonly { deviceId: string; event: AgentEvent }[]): Promise<unknown[]>;
  afterCommit?(result: unknown, deviceId: string): Promise<void> | void;
}

/** Declares how a feature stores one event type, keeping `store`'s result and `afterCommit`'s argument in step. */
export function agentEvent<T extends AgentEventType, R>(
  declaration: AgentEventStore<T, R>,
): AgentEventRegistration {
  return declaration;
}

export interface ServerFeature {
  readonly name: string;
  /** Registers the feature's REST routes. */
  routes?(app: App): void;
  /** The agent events this feature stores; each type has exactly one owner. */
  readonly agentEvents?: readonly AgentEventRegistration[];
  /** The agent requests this feature answers. */
  readonly agentRequests?: AgentRequestHandlers;
  /** The dashboard requests this feature answers. */
  readonly dashboardRequests?: DashboardRequestHandlers;
  /** A device's agent connected (after its credential was checked) or went away. */
  agentConnected?(connection: AgentConnection, agentVersion: string): Promise<void> | void;
  agentDisconnected?(connection: AgentConnection): Promise<void> | void;
  /** Once the server listens: seed data, start timers. */
  start?(): Promise<void> | void;
  /** On shutdown, before the database closes: stop timers, wait for work in flight. */
  stop?(): Promise<void> | void;
}
