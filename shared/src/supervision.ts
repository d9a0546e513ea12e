/**
 * Live supervision (issue 5): supervised sessions, the teacher's controls, thumbnails.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';
import { personSchema } from './roster.js';
import { uiLanguageSchema } from './language.js';
import { safeMultilineText } from './text.js';

// ---- supervised sessions ---------------------------------------------------
export const supervisionSessionSchema = z.object({
  id: idSchema,
  roomId: idSchema,
  roomName: z.string(),
  teacherId: idSchema,
  teacherName: z.string(),
  startedAt: isoTimeSchema,
  /** When the session ends by itself. */
  endsAt: isoTimeSchema,
  endedAt: isoTimeSchema.nullable(),
});
export type SupervisionSession = z.infer<typeof supervisionSessionSchema>;

/** Longest a lesson's supervision may run before it ends by itself. */
export const maxSupervisionMinutes = 8 * 60;

export const startSupervisionRequestSchema = z
  .strictObject({
    roomId: idSchema.optional(),
    /** Or a class on the roster (the teacher's timetable): the room it is taught in. */
    classId: idSchema.optional(),
    /** How long until the session ends by itself (a lesson: 60 minutes by default). */
    durationMinutes: z.number().int().min(5).max(maxSupervisionMinutes).default(60),
  })
  .refine((b) => (b.roomId === undefined) !== (b.classId === undefined), {
    error: 'give a roomId or a classId (one of them)',
    path: ['roomId'],
  });
export const supervisionListSchema = z.object({ sessions: z.array(supervisionSessionSchema) });

/** A pupil's session on a device that fell inside a supervised session: who was supervised, when. */
export const supervisedPupilSchema = z.object({
  deviceId: idSchema,
  hostname: z.string(),
  username: z.string(),
  from: isoTimeSchema,
  to: isoTimeSchema.nullable(),
  /** The pupil on the roster behind the login (the class's pupils by name, not by login). */
  person: personSchema.nullable().optional(),
});
export const supervisionDetailSchema = supervisionSessionSchema.extend({
  pupils: z.array(supervisedPupilSchema),
});

// ---- room staff (who may supervise a room) ----------------------------------
export const roomStaffSchema = z.object({ userIds: z.array(idSchema) });
export const setRoomStaffRequestSchema = z.strictObject({ userIds: z.array(idSchema).max(200) });

export const staffOptionSchema = z.object({ id: idSchema, displayName: z.string(), role: z.string() });
export const staffOptionListSchema = z.object({ staff: z.array(staffOptionSchema) });

// ---- the teacher's controls -------------------------------------------------
export const controlKinds = ['cover', 'release', 'message'] as const;
export const controlKindSchema = z.enum(controlKinds);
export type ControlKind = z.infer<typeof controlKindSchema>;

export const maxControlMessage = 280;
export const controlRequestSchema = z
  .strictObject({
    kind: controlKindSchema,
    /** The devices to act on; omitted means every device in the room. */
    deviceIds: z.array(idSchema).min(1).max(200).optional(),
    message: safeMultilineText(maxControlMessage, 'message').optional(),
    /** The language the message is written in: its voice when read aloud. Default: the school's. */
    language: uiLanguageSchema.optional(),
  })
  .refine((c) => c.kind !== 'message' || (c.message !== undefined && c.message.length > 0), {
    error: 'a message needs some text',
    path: ['message'],
  })
  .refine((c) => c.language === undefined || c.message !== undefined, {
    error: 'a language is given only with a message',
    path: ['language'],
  });

export const controlTargetStates = ['sent', 'acknowledged', 'not_reached'] as const;
export const controlTargetSchema = z.object({
  deviceId: idSchema,
  hostname: z.string(),
  state: z.enum(controlTargetStates),
  at: isoTimeSchema,
});
export const controlActionSchema = z.object({
  id: idSchema,
  sessionId: idSchema,
  roomId: idSchema,
  kind: controlKindSchema,
  message: z.string().nullable(),
  /** The message's language; null: the school's. */
  language: uiLanguageSchema.nullable(),
  actorId: idSchema,
  actorName: z.string(),
  createdAt: isoTimeSchema,
  targets: z.array(controlTargetSchema),
});
export type ControlAction = z.infer<typeof controlActionSchema>;
export const controlActionListSchema = z.object({ actions: z.array(controlActionSchema) });

// ---- agent side -------------------------------------------------------------
/** Server -> agent: what supervision wants from this device now. Sent on change and on every connect. */
export const supervisionStateSchema = z.object({
  supervised: z.boolean(),
  /** Null: send no thumbnails (not supervised, or the school has thumbnails off). */
  thumbnails: z
    .object({ intervalSeconds: z.number().int().min(2).max(60), maxWidth: z.number().int() })
    .nullable(),
});
export type SupervisionState = z.infer<typeof supervisionStateSchema>;

/** Server -> agent: carry out a teacher's control. */
export const controlApplySchema = z.object({
  actionId: idSchema,
  kind: controlKindSchema,
  message: z.string().nullable(),
  /** The message's language, for the page's `lang`; absent or null: the school's. */
  language: uiLanguageSchema.nullable().optional(),
  teacherName: z.string(),
});
export type ControlApply = z.infer<typeof controlApplySchema>;

/** Agent -> server: the control was carried out on this device. */
export const controlAckRequestSchema = z.strictObject({ actionId: idSchema });

/** A small JPEG of the screen; never stored by the server, only relayed to live views. */
export const maxThumbnailBytes = 48 * 1024;
export const thumbnailRequestSchema = z.strictObject({
  capturedAt: isoTimeSchema,
  width: z.number().int().min(16).max(640),
  height: z.number().int().min(16).max(640),
  jpegBase64: z
    .string()
    .max(Math.ceil(maxThumbnailBytes / 3) * 4, {
      error: `thumbnail must be at most ${maxThumbnailBytes} bytes`,
    })
    .regex(/^\/9j\//, { error: 'thumbnail must be a base64 JPEG' }),
});
export type ThumbnailRequest = z.infer<typeof thumbnailRequestSchema>;

/** Dashboard push: a live thumbnail of a device in a watched room. */
export const deviceThumbnailSchema = thumbnailRequestSchema.extend({ deviceId: idSchema, roomId: idSchema });

// ---- settings -----------------------------------------------------------------
export const supervisionSettingsSchema = z.object({
  thumbnailsEnabled: z.boolean(),
  thumbnailIntervalSeconds: z.number().int().min(2).max(60),
});
export type SupervisionSettings = z.infer<typeof supervisionSettingsSchema>;
export const updateSupervisionSettingsSchema = z.strictObject({
  thumbnailsEnabled: z.boolean().optional(),
  thumbnailIntervalSeconds: z.number().int().min(2).max(60).optional(),
});

/** One card of the rooms list: how many computers are online, and who is supervising now. */
export const roomOverviewSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The school the room is in. */
  schoolId: z.number().int().optional(),
  computers: z.number().int(),
  online: z.number().int(),
  /** The lesson running now; null when none (and always for roles that may not see supervision). */
  supervising: z.object({ teacherName: z.string(), endsAt: isoTimeSchema }).nullable(),
  /** The signed-in member of staff is assigned to this room. */
  mine: z.boolean(),
});
export type RoomOverview = z.infer<typeof roomOverviewSchema>;
export const roomOverviewListSchema = z.object({ rooms: z.array(roomOverviewSchema) });
