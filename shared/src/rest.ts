/**
 * REST request and response bodies. The server validates requests with these and
 * publishes them in its OpenAPI document; the web app and scripts use the types.
 */
import { z } from 'zod';
import { uiLanguageSchema } from './language.js';
import {
  emailSchema,
  hostnameSchema,
  idSchema,
  isoTimeSchema,
  nameSchema,
  passwordSchema,
} from './common.js';
import { limits } from './limits.js';
import { roleSchema } from './roles.js';
import { safeText } from './text.js';
import { deviceAupSchema } from './aup.js';
import { personSchema } from './roster.js';

// ---- health -------------------------------------------------------------
export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  database: z.literal('ok'),
  uptimeSeconds: z.number(),
});

// ---- accounts -----------------------------------------------------------
export const userSchema = z.object({
  id: idSchema,
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: isoTimeSchema,
  /** The password is a temporary one, to be changed at the next sign-in. */
  mustChangePassword: z.boolean().optional(),
  /** A second factor (TOTP) is set up. */
  secondFactor: z.boolean().optional(),
  /** Has signed in with the school's single sign-on. */
  sso: z.boolean().optional(),
  /** Sign-in is refused until this time after too many wrong attempts. */
  lockedUntil: isoTimeSchema.nullable().optional(),
});
export type User = z.infer<typeof userSchema>;

/** `language`: the school's default language (staff can each choose another in the dashboard). */
export const setupStatusSchema = z.object({ needsSetup: z.boolean(), language: uiLanguageSchema.optional() });
export const setupRequestSchema = z.strictObject({
  email: emailSchema,
  displayName: nameSchema,
  password: passwordSchema,
});
export const loginRequestSchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1, { error: 'password is required' }).max(limits.passwordMax),
});
/** What this session may do now (see identity.ts). */
export const sessionStateSchema = z.object({
  secondFactor: z.boolean(),
  restriction: z.enum(['password_change', 'second_factor_enrolment']).nullable(),
  /** Opening safeguarding records needs a second factor; this session has none yet. */
  recordsNeedSecondFactor: z.boolean(),
});
export type SessionState = z.infer<typeof sessionStateSchema>;
export const meSchema = z.object({ user: userSchema, session: sessionStateSchema.optional() });
export type Me = z.infer<typeof meSchema>;

export const createUserRequestSchema = z.strictObject({
  email: emailSchema,
  displayName: nameSchema,
  role: roleSchema,
  /** Omitted: no local password (the person signs in with SSO, or an admin sends a reset link). */
  password: passwordSchema.optional(),
  /**
   * The password is temporary (changed at first sign-in) unless this is false, for scripted
   * set-ups that hand out their own passwords; the audit trail records which.
   */
  temporaryPassword: z.boolean().default(true),
});
export const updateUserRequestSchema = z
  .strictObject({
    displayName: nameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });
export const userListSchema = z.object({ users: z.array(userSchema) });

// ---- rooms --------------------------------------------------------------
export const roomSchema = z.object({
  id: idSchema,
  name: z.string(),
  createdAt: isoTimeSchema,
});
export type Room = z.infer<typeof roomSchema>;
export const createRoomRequestSchema = z.strictObject({ name: nameSchema });
export const roomListSchema = z.object({ rooms: z.array(roomSchema) });

// ---- enrolment ----------------------------------------------------------
export const enrolmentTokenSchema = z.object({
  id: idSchema,
  roomId: idSchema,
  label: z.string().nullable(),
  createdAt: isoTimeSchema,
  expiresAt: isoTimeSchema,
  revokedAt: isoTimeSchema.nullable(),
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
  createdBy: z.string(),
});
export type EnrolmentToken = z.infer<typeof enrolmentTokenSchema>;
export const createEnrolmentTokenRequestSchema = z.strictObject({
  roomId: idSchema,
  label: safeText(limits.name, 'label').optional(),
  /** How long the token stays valid. A week by default: long enough to image a suite of PCs. */
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  /** How many devices may enrol with it; omitted means no limit until it expires. */
  maxUses: z.number().int().min(1).max(10_000).optional(),
});
/** The secret is shown once, when it is created; the server keeps only its hash. */
export const createdEnrolmentTokenSchema = enrolmentTokenSchema.extend({ token: z.string() });
export const enrolmentTokenListSchema = z.object({ tokens: z.array(enrolmentTokenSchema) });

export const enrolRequestSchema = z.strictObject({
  token: z.string().min(1).max(limits.token),
  hostname: hostnameSchema,
  os: safeText(limits.shortText, 'os'),
  serial: safeText(limits.name, 'serial').nullable(),
  agentVersion: safeText(40, 'agent version'),
});
export const enrolResponseSchema = z.object({
  deviceId: idSchema,
  credential: z.string(),
  roomId: idSchema,
});

// ---- devices ------------------------------------------------------------
export const deviceSchema = z.object({
  id: idSchema,
  roomId: idSchema,
  hostname: z.string(),
  os: z.string(),
  serial: z.string().nullable(),
  agentVersion: z.string(),
  enrolledAt: isoTimeSchema,
  lastSeen: isoTimeSchema.nullable(),
  online: z.boolean(),
  /** The OS account signed in now, as `DOMAIN\user` or `user`; null when nobody is. */
  user: z.string().nullable(),
  revoked: z.boolean(),
  /** The signed-in user's standing with the acceptable use policy; null when nobody is signed in. */
  aup: deviceAupSchema.nullable().optional(),
  /** Offline because its Harbour service was stopped while this user was signed in (not just offline). */
  stoppedInUse: z.object({ user: z.string(), at: isoTimeSchema }).nullable().optional(),
  /** The pupil behind `user` from the roster (`known: false`: a login no pupil has); null when nobody is signed in. */
  person: personSchema.nullable().optional(),
  /** Tamper evidence shown on the room tile: e.g. "helper stopped in pupil1's session at …". */
  tamper: z.array(z.string()).optional(),
});
export type Device = z.infer<typeof deviceSchema>;
export const deviceListQuerySchema = z.strictObject({ roomId: idSchema.optional() });
export const deviceListSchema = z.object({ devices: z.array(deviceSchema) });

export const idParamsSchema = z.strictObject({ id: idSchema });
export const okSchema = z.object({ ok: z.literal(true) });
