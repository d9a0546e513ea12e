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

// ---- schools (issue 18 item 4: a trust's schools as tenants of one server) ----
export const schoolIdSchema = z
  .number({ error: 'schoolId must be a school’s number' })
  .int({ error: 'schoolId must be a school’s number' })
  .positive({ error: 'schoolId must be a school’s number' });
export const schoolSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  code: z.string(),
  createdAt: isoTimeSchema,
});
export type School = z.infer<typeof schoolSchema>;
export const schoolListSchema = z.object({ schools: z.array(schoolSchema) });
export const schoolParamsSchema = z.strictObject({ id: z.coerce.number().int().positive() });
const schoolCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, {
    error: 'code must be 1 to 32 letters, digits, - or _, starting with a letter or digit',
  });
export const createSchoolRequestSchema = z.strictObject({ name: nameSchema, code: schoolCodeSchema });
export const updateSchoolRequestSchema = z
  .strictObject({ name: nameSchema.optional(), code: schoolCodeSchema.optional() })
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });

// ---- accounts -----------------------------------------------------------
export const userSchema = z.object({
  id: idSchema,
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  /** The school they belong to; null: trust-level (every school). */
  schoolId: z.number().int().nullable().optional(),
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
  /**
   * The settings that are one for the whole trust are read-only to this member of staff: a
   * school's staff while the trust has several schools (docs/trust.md). Absent: not.
   */
  trustSettingsReadOnly: z.boolean().optional(),
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
  /**
   * The school they belong to; null: trust-level. Omitted: the creating admin's own school
   * (trust-level for a trust-level admin). Only a trust-level admin may name another school.
   */
  schoolId: schoolIdSchema.nullable().optional(),
});
export const updateUserRequestSchema = z
  .strictObject({
    displayName: nameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    /** Move them to a school (null: trust-level); trust-level admins only. */
    schoolId: schoolIdSchema.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });
export const userListSchema = z.object({ users: z.array(userSchema) });

// ---- rooms --------------------------------------------------------------
export const roomSchema = z.object({
  id: idSchema,
  name: z.string(),
  createdAt: isoTimeSchema,
  /** The school the room is in. */
  schoolId: z.number().int().optional(),
});
export type Room = z.infer<typeof roomSchema>;
/** `schoolId`: a trust-level admin's choice; a school's own staff create rooms in their school only. */
export const createRoomRequestSchema = z.strictObject({
  name: nameSchema,
  schoolId: schoolIdSchema.optional(),
});
export const roomListSchema = z.object({ rooms: z.array(roomSchema) });

// ---- enrolment ----------------------------------------------------------
/** A room of computers: what a token enrols unless the technician says otherwise. */
export const defaultEnrolmentUses = 40;
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
  /** The computers that enrolled with it, oldest first (a token used more than its limit shows who did). */
  usedBy: z
    .array(
      z.object({ deviceId: idSchema, hostname: z.string(), enrolledAt: isoTimeSchema, revoked: z.boolean() }),
    )
    .optional(),
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
  /**
   * How many devices may enrol with it: 40 by default, a room of computers. A token is a
   * password for joining the school's fleet, so a limit keeps a leaked or replayed one
   * from enrolling strangers' machines for a week.
   */
  maxUses: z.number().int().min(1).max(10_000).default(defaultEnrolmentUses),
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

/**
 * The upgrade from per-user agents (issue 12 item 7): the machine service presents the
 * credentials of the other device records this computer made, one per pupil's first logon,
 * and the server retires them into the caller's record.
 */
export const mergeDevicesRequestSchema = z.strictObject({
  devices: z
    .array(z.strictObject({ deviceId: idSchema, credential: z.string().min(16).max(128) }))
    .min(1)
    .max(64),
});
export const mergeDevicesResponseSchema = z.object({
  /** Retired into the caller (now or before): the service may forget these credentials. */
  merged: z.array(idSchema),
  /** Never mergeable (unknown, wrong credential, revoked, the caller itself): forget them too. */
  refused: z.array(idSchema),
  /** In another room: kept by the service and tried again once a technician moves one of them. */
  waiting: z.array(idSchema),
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
  /**
   * The signed-in user's standing with the policy that applies on this computer; null when
   * nobody is signed in, or when this computer does not show the policy (aupGate false).
   */
  aup: deviceAupSchema.nullable().optional(),
  /** Whether this computer shows the acceptable use policy at logon; null: not known (an older agent). */
  aupGate: z.boolean().nullable().optional(),
  /** Offline because its Harbour service was stopped while this user was signed in (not just offline). */
  stoppedInUse: z.object({ user: z.string(), at: isoTimeSchema }).nullable().optional(),
  /** The pupil behind `user` from the roster (`known: false`: a login no pupil has); null when nobody is signed in. */
  person: personSchema.nullable().optional(),
  /**
   * Tamper evidence shown on the device and the room tile: a session helper that stopped
   * while its user was signed in (killed, most likely), since `since`; `message` is the
   * machine service's own words ("helper stopped in pupil1's session at …").
   */
  tamper: z
    .array(
      z.object({
        kind: z.literal('helperStopped'),
        user: z.string(),
        since: isoTimeSchema,
        message: z.string(),
      }),
    )
    .optional(),
});
export type Device = z.infer<typeof deviceSchema>;
export const deviceListQuerySchema = z.strictObject({ roomId: idSchema.optional() });
export const deviceListSchema = z.object({ devices: z.array(deviceSchema) });

export const idParamsSchema = z.strictObject({ id: idSchema });
export const okSchema = z.object({ ok: z.literal(true) });
