/**
 * "Turn the screen off and tell" (issue 6): what the agent reports and what the
 * server pushes back while a pupil's screen is covered.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, osUserSchema } from './common.js';
import { evidenceRefSchema } from './evidence.js';
import { safeMultilineText, safeText } from './text.js';

/** The pictures a pupil can tap on the cover page (never required). */
export const tellChoices = ['scary_or_rude', 'unkind', 'stranger', 'something_else'] as const;
export const tellChoiceSchema = z.enum(tellChoices);
export type TellChoice = z.infer<typeof tellChoiceSchema>;
export const tellChoiceLabels: Record<TellChoice, string> = {
  scary_or_rude: 'Something scary or rude',
  unkind: 'Someone being unkind',
  stranger: 'Someone I don’t know',
  something_else: 'Something else',
};
/** The few words an older pupil may type. */
export const maxTellWords = 280;

export const activeWindowSchema = z.strictObject({
  title: safeText(1000, 'window title').nullable(),
  app: safeText(256, 'application').nullable(),
  url: safeText(2048, 'url').nullable(),
});
export type ActiveWindow = z.infer<typeof activeWindowSchema>;

export const tellDisplaySchema = z.strictObject({
  id: z.union([z.number(), z.string().max(64)]),
  name: z.string().max(200),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
});

/** Outbox event: a pupil asked for help. Sent at once, before the pupil says anything more. */
export const tellReportedSchema = z.strictObject({
  type: z.literal('tell.reported'),
  tellId: idSchema,
  user: osUserSchema.nullable(),
  evidence: z.array(evidenceRefSchema).max(16),
  displays: z.array(tellDisplaySchema).max(16),
  window: activeWindowSchema.nullable(),
  /** Set when capture failed (the report still goes: a pupil's call for help is never dropped). */
  captureError: safeText(500, 'capture error').nullable(),
});
/** Outbox event: what the pupil added on the cover page, if anything. */
export const tellDetailsSchema = z.strictObject({
  type: z.literal('tell.details'),
  tellId: idSchema,
  choice: tellChoiceSchema.nullable(),
  words: safeMultilineText(maxTellWords, 'words').nullable(),
});
export type TellReported = z.infer<typeof tellReportedSchema>;
export type TellDetails = z.infer<typeof tellDetailsSchema>;

export const tellReleaseRequestSchema = z.strictObject({
  tellId: idSchema,
  /** A staff PIN typed at the computer; absent when the pupil releases it (if the school allows). */
  pin: z.string().max(16).optional(),
});
export const tellReleaseResponseSchema = z.object({ released: z.boolean(), message: z.string() });
export const tellAgentSettingsSchema = z.object({ pupilsMayRelease: z.boolean(), staffPinSet: z.boolean() });
/** Asked after a reconnection, so a release made while the agent was offline is not missed. */
export const tellStatusRequestSchema = z.strictObject({ tellId: idSchema });
export const tellStatusResponseSchema = z.object({
  status: z.enum(['pending', 'covered', 'acknowledged', 'released']),
  by: z.string().nullable(),
});

/** Server -> agent: the teacher acknowledged (show "on the way") or released the screen. */
export const tellUpdatePushSchema = z.object({
  tellId: idSchema,
  status: z.enum(['acknowledged', 'released']),
  by: z.string().nullable(),
});
export type TellUpdatePush = z.infer<typeof tellUpdatePushSchema>;

/** Server -> dashboard: a pupil asked for help. Stays on screen until acknowledged. */
export const tellAlertSchema = z.object({
  incidentId: idSchema,
  ref: z.string(),
  tellId: idSchema,
  pupil: z.string().nullable(),
  deviceId: idSchema,
  deviceName: z.string(),
  roomId: idSchema,
  roomName: z.string(),
  at: isoTimeSchema,
  status: z.enum(['covered', 'acknowledged', 'released']),
  acknowledgedBy: z.string().nullable(),
});
export type TellAlert = z.infer<typeof tellAlertSchema>;
export const tellAlertListSchema = z.object({ alerts: z.array(tellAlertSchema) });
