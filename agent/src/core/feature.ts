import type {
  Ack,
  AgentEvent,
  AgentEventBody,
  agentRequests,
  AgentServerToClient,
  EvidenceMime,
  EvidenceRef,
  OsUser,
  RequestOf,
  ResponseOf,
} from '@harbour/shared';
import type { Logger } from 'pino';

export type AgentRequests = typeof agentRequests;

/** The enrolled device, without its credential. */
export interface DeviceIdentity {
  readonly serverUrl: string;
  readonly deviceId: string;
  readonly roomId: string;
}

/**
 * What the agent core offers a feature (the AUP gate, activity reporting, the tell
 * button...). Features are small services: they get this context when the agent starts
 * and never reach into the core, so each can be tested with the real core on its own.
 */
export interface AgentContext {
  readonly logger: Logger;
  /** Where this feature may keep caches (in a session helper: the user's own folder, never the service's). */
  readonly dataDir: string;
  /** Which device and room this is. Never the device's secret: a session helper does not hold it. */
  readonly device: DeviceIdentity;
  /** The user signed in now, or null at the logon screen. */
  readonly user: OsUser | null;
  /** Whether the server connection is up right now. */
  readonly online: boolean;
  /** Commits an event to the durable outbox and starts delivering it. */
  enqueue(body: AgentEventBody, occurredAt?: Date): AgentEvent;
  /** Asks the server something; rejects if offline or no answer comes in time. */
  request<K extends keyof AgentRequests>(
    event: K,
    payload: RequestOf<AgentRequests, K>,
    timeoutMs?: number,
  ): Promise<Ack<ResponseOf<AgentRequests, K>>>;
  /** Listens for a push from the server. */
  onPush<K extends keyof AgentServerToClient>(event: K, handler: AgentServerToClient[K]): void;
  /** Keeps a screenshot on disk until the event that refers to it is delivered; returns its reference. */
  saveEvidence(bytes: Buffer, mime: EvidenceMime): EvidenceRef;
  /** Small persistent state, kept in the outbox database. */
  getState(key: string): string | undefined;
  setState(key: string, value: string | null): void;
}

/**
 * Where features report their health problems (a missing prerequisite, a failing probe).
 * The agent's HealthReporter implements it and sends the whole list as `agent:health`.
 */
export interface HealthSink {
  set(code: string, message: string): void;
  clear(code: string): void;
}

export interface AgentFeature {
  readonly name: string;
  start(context: AgentContext): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** After every (re)connection: send whatever state the server should know. */
  onConnect?(): Promise<void> | void;
  /** When the signed-in user changes (logon, logoff, user switch). */
  onSessionChange?(user: OsUser | null, previous: OsUser | null): Promise<void> | void;
}
