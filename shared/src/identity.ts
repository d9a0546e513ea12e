/** Sign-in with a second factor, password changes and resets, the school's sign-in settings (issue 17). */
import { z } from 'zod';
import { isoTimeSchema, passwordSchema } from './common.js';
import { limits } from './limits.js';
import { meSchema } from './rest.js';

/** `POST /api/auth/login`: signed in, or (with a second factor) `{ mfaRequired: true }` and nothing open yet. */
export const loginResponseSchema = z.union([meSchema, z.object({ mfaRequired: z.literal(true) })]);
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** A 6-digit TOTP code, or a recovery code (`xxxx-xxxx-xxxx-xxxx`). */
export const mfaRequestSchema = z.strictObject({
  code: z
    .string({ error: 'code must be text' })
    .trim()
    .min(6, { error: 'code is required' })
    .max(40, { error: 'code is too long' }),
});

export const changePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().max(limits.passwordMax).optional(),
  newPassword: passwordSchema,
});

export const secondFactorSetupSchema = z.object({
  /** Base32, for typing in by hand. */
  secret: z.string(),
  /** `otpauth://totp/…`, for the QR code. */
  otpauthUri: z.string(),
});
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export const secondFactorStatusSchema = z.object({
  enrolled: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});

export const adminPasswordResetRequestSchema = z.strictObject({ mode: z.enum(['link', 'temporary']) });
export const adminPasswordResetSchema = z.object({
  /** mode 'link': the path to give the person (one use, 24 hours). */
  link: z.string().optional(),
  expiresAt: isoTimeSchema.optional(),
  /** mode 'temporary': shown once; changed at next sign-in. */
  temporaryPassword: z.string().optional(),
});
export const passwordResetRequestSchema = z.strictObject({
  token: z.string().min(1).max(limits.token),
  newPassword: passwordSchema,
});

export const identitySettingsSchema = z.object({
  /** Every account needs a second factor (else only opening records does). Off by default. */
  secondFactorForEveryone: z.boolean(),
  /** Staff may sign in with a Harbour password (admins always may, to repair SSO). */
  localPasswords: z.boolean(),
});
export type IdentitySettings = z.infer<typeof identitySettingsSchema>;
export const identitySettingsUpdateSchema = identitySettingsSchema.partial().strict();
