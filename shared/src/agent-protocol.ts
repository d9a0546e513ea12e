/**
 * The agent's socket.io namespace (`/agent`): what a classroom computer and the
 * server say to each other once the device is enrolled.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, osUserSchema } from './common.js';
import { safeText } from './text.js';
import { agentHealthReportSchema } from './inventory.js';
import type { PushEvents, RequestEvents } from './socket.js';
import { aupAgentPushes, aupAgentRequests, aupDecisionEventSchema } from './aup.js';
import { speechAgentRequests } from './speech.js';
import {
  tellAgentSettingsSchema,
  tellDetailsSchema,
  tellReleaseRequestSchema,
  tellReleaseResponseSchema,
  tellReportedSchema,
  tellStatusRequestSchema,
  tellStatusResponseSchema,
  tellUpdatePushSchema,
} from './tell.js';
import {
  controlAckRequestSchema,
  controlApplySchema,
  supervisionStateSchema,
  thumbnailRequestSchema,
} from './supervision.js';
import { activityChangedSchema } from './activity.js';
import { activityFlagSchema, agentActivityConfigSchema } from './watchlists.js';

export const agentNamespace = '/agent';

/** Sent in the socket.io handshake (`auth`). The credential is the device's own secret. */
export const agentAuthSchema = z.strictObject({
  deviceId: idSchema,
  credential: z.string().min(16).max(128),
  agentVersion: safeText(40, 'agent version'),
});
export type AgentAuth = z.infer<typeof agentAuthSchema>;

// ---- outbox events ------------------------------------------------------
// Everything the agent must not lose travels as an event: it is written to the
// agent's on-disk outbox first and deleted only once the server acknowledges it.
// The server stores each (device, event id) once, so redelivery is harmless.

export const sessionStartedSchema = z.strictObject({
  type: z.literal('session.started'),
  user: osUserSchema,
});
export const sessionEndedSchema = z.strictObject({
  type: z.literal('session.ended'),
  user: osUserSchema,
});
export const agentEventBodySchema = z.discriminatedUnion('type', [
  sessionStartedSchema,
  sessionEndedSchema,
  tellReportedSchema,
  tellDetailsSchema,
  aupDecisionEventSchema,
  activityChangedSchema,
  activityFlagSchema,
]);
export type AgentEventBody = z.infer<typeof agentEventBodySchema>;
export type AgentEventType = AgentEventBody['type'];

/** An outbox event: a unique id, when it happened on the device, and its body. */
export const agentEventSchema = z.strictObject({
  id: idSchema,
  occurredAt: isoTimeSchema,
  body: agentEventBodySchema,
});
export type AgentEvent = z.infer<typeof agentEventSchema>;

// ---- requests (agent -> server, each acknowledged) ----------------------
export const presenceSchema = z.strictObject({
  /** Who is signed in now; null at the logon screen. */
  user: osUserSchema.nullable(),
  locked: z.boolean(),
  /**
   * Whether this computer shows the acceptable use policy at logon. The room view shows a
   * user's standing only where it does; elsewhere it says the rules are not shown here.
   * Omitted by agents older than this field: treated as unknown.
   */
  aupGate: z.boolean().optional(),
});
export type Presence = z.infer<typeof presenceSchema>;

export const agentRequests = {
  'agent:presence': { request: presenceSchema, response: z.object({}) },
  'agent:heartbeat': {
    request: z.strictObject({ sentAt: isoTimeSchema }),
    response: z.object({ serverTime: isoTimeSchema }),
  },
  'agent:event': {
    request: agentEventSchema,
    /** `duplicate` is true when the server had already stored this event id. */
    response: z.object({ duplicate: z.boolean() }),
  },
  /** An adult's PIN (or the pupil, where the school allows it) releases a covered screen. */
  'agent:tell-release': { request: tellReleaseRequestSchema, response: tellReleaseResponseSchema },
  'agent:tell-settings': { request: z.strictObject({}), response: tellAgentSettingsSchema },
  'agent:tell-status': { request: tellStatusRequestSchema, response: tellStatusResponseSchema },
  ...aupAgentRequests,
  ...speechAgentRequests,
  /** Supervision: a teacher's control was carried out here. */
  'agent:control-ack': { request: controlAckRequestSchema, response: z.object({}) },
  /** Supervision: a small live thumbnail, only while the room is supervised. */
  'agent:thumbnail': { request: thumbnailRequestSchema, response: z.object({}) },
  /** The agent's current health problems (state: re-sent on every connection). */
  'agent:health': { request: agentHealthReportSchema, response: z.object({}) },
  /**
   * The machine service is stopping while someone is signed in (an administrator stopped
   * it, or the computer is shutting down): the dashboard says "stopped while in use".
   */
  'agent:goodbye': {
    request: z.strictObject({ reason: z.literal('service-stopped'), user: osUserSchema }),
    response: z.object({}),
  },
  /** Activity settings and watch lists (at start, and after `activity:config-changed`). */
  'agent:activity-config': { request: z.strictObject({}), response: agentActivityConfigSchema },
} as const;

// ---- pushes (server -> agent) -------------------------------------------
export const agentPushes = {
  /** The device's credential was revoked; the agent stops and must be enrolled again. */
  'server:revoked': z.object({ reason: z.string() }),
  /** A message the server could not accept and could not answer through an ack. */
  'server:error': z.object({ code: z.string(), message: z.string() }),
  /** A teacher acknowledged a pupil's report or released the covered screen. */
  'server:tell-update': tellUpdatePushSchema,
  ...aupAgentPushes,
  /** Supervision: whether this device's room is supervised, and whether to send thumbnails. */
  'supervision:state': supervisionStateSchema,
  /** Supervision: a teacher's control to carry out (cover, release, message). */
  'control:apply': controlApplySchema,
  /** Activity settings or watch lists changed: ask again with `agent:activity-config`. */
  'activity:config-changed': z.object({}),
} as const;

export type AgentClientToServer = RequestEvents<typeof agentRequests>;
export type AgentServerToClient = PushEvents<typeof agentPushes>;
