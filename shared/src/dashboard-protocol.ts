/**
 * The dashboard's socket.io namespace (`/dashboard`): live views for signed-in staff.
 * Authentication is the same session cookie the REST API uses.
 */
import { z } from 'zod';
import { idSchema } from './common.js';
import { deviceSchema, roomSchema } from './rest.js';
import type { PushEvents, RequestEvents } from './socket.js';
import { concernAlertSchema, concernReceiptSchema, incidentSummarySchema } from './incidents.js';
import { tellAlertSchema } from './tell.js';
import { controlActionSchema, deviceThumbnailSchema, supervisionSessionSchema } from './supervision.js';
import { deviceActivitySchema } from './activity.js';
import { flagSchema } from './watchlists.js';

export const dashboardNamespace = '/dashboard';

export const dashboardRequests = {
  /** Start receiving live updates for a room; answers with its current state. */
  'room:watch': {
    request: z.strictObject({ roomId: idSchema }),
    response: z.object({
      room: roomSchema,
      devices: z.array(deviceSchema),
      /** The supervised session running in the room now, if any. */
      supervision: supervisionSessionSchema.nullable(),
      /** What the signed-in member of staff may do in this room (a teacher: only rooms they are assigned to). */
      access: z.object({ supervise: z.boolean(), readActivity: z.boolean() }),
    }),
  },
  'room:unwatch': {
    request: z.strictObject({ roomId: idSchema }),
    response: z.object({}),
  },
  /** Live activity for a room: what each device shows now and the day's flags; then pushes. */
  'activity:watch': {
    request: z.strictObject({ roomId: idSchema }),
    response: z.object({ current: z.array(deviceActivitySchema), flags: z.array(flagSchema) }),
  },
} as const;

export const dashboardPushes = {
  /** A device in a watched room changed (came online, went offline, user signed in...). */
  'device:changed': deviceSchema,
  /** A device left a watched room (revoked or moved). */
  'device:removed': z.object({ id: idSchema, roomId: idSchema }),
  /** The server refused something the client sent without an acknowledgement. */
  'server:error': z.object({ code: z.string(), message: z.string() }),
  /** A pupil asked for help in a room this user supervises (or any room, for the DSL). */
  'tell:alert': tellAlertSchema,
  /** A new incident was recorded (DSL only). */
  'incident:created': incidentSummarySchema,
  /** A new concern (report, flag or recorded by staff) for the DSL's banner and count (DSL only). */
  'concern:new': concernAlertSchema,
  /** A concern left "new" (acknowledged, or moved on), in this tab or another (DSL only). */
  'concern:settled': z.object({ incidentId: idSchema }),
  /** A DSL's dashboard showed, or a DSL acknowledged, a concern this user recorded. */
  'concern:receipt': concernReceiptSchema,
  /** A live thumbnail of a device in a watched, supervised room (never stored). */
  'device:thumbnail': deviceThumbnailSchema,
  /** A supervised session in a watched room started, changed or ended. */
  'supervision:changed': supervisionSessionSchema,
  /** A teacher's control in a watched room was sent, acknowledged or did not reach a device. */
  'control:updated': controlActionSchema,
  /**
   * What devices in rooms watched with `activity:watch` show now: every change since the
   * last message, oldest first, gathered for about 100 ms (one message instead of one per
   * change; docs/architecture.md, "Batched live pushes"). Only changes of rooms this
   * connection may read.
   */
  'activity:changes': z.object({ changes: z.array(deviceActivitySchema) }),
  /** A watch-list match in a watched room. */
  'flag:raised': flagSchema,
} as const;

export type DashboardClientToServer = RequestEvents<typeof dashboardRequests>;
export type DashboardServerToClient = PushEvents<typeof dashboardPushes>;
