/** Sign-in with a second factor, password changes and resets, the school's sign-in settings (issue 17). */
import { z } from 'zod';
import { isoTimeSchema, passwordSchema } from './common.js';
import { limits } from './limits.js';
import { meSchema } from './rest.js';
import { roleSchema } from './roles.js';

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

// ---- single sign-on (OpenID Connect) ------------------------------------
/** Named presets fill the issuer and where groups come from; `oidc` is any provider by issuer URL. */
export const ssoPresets = ['entra', 'google', 'oidc'] as const;
export const ssoPresetSchema = z.enum(ssoPresets);
export type SsoPreset = z.infer<typeof ssoPresetSchema>;

/** A group (from the token's `groups` claim) or an email domain that gives a new account its role. */
export const ssoRoleRuleSchema = z.strictObject({
  kind: z.enum(['group', 'domain']),
  value: z.string().trim().min(1).max(200),
  role: roleSchema,
});
export type SsoRoleRule = z.infer<typeof ssoRoleRuleSchema>;

export const ssoConfigSchema = z.strictObject({
  enabled: z.boolean(),
  preset: ssoPresetSchema,
  /** `entra`: the directory (tenant) id; the issuer is made from it. */
  tenant: z.string().trim().max(100).optional(),
  /** `oidc` (and `google`, fixed): the issuer URL the provider's discovery document names. */
  issuer: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
  clientId: z.string().trim().min(1).max(500),
  /** Write-only: never sent back. Omit to keep the one stored. */
  clientSecret: z.string().min(1).max(2000).optional(),
  /** The sign-in button's words, e.g. "Sign in with Microsoft". */
  label: z.string().trim().max(100).optional(),
  /** Make an account on first sign-in when a rule gives a role (else only existing accounts sign in). */
  createAccounts: z.boolean(),
  roles: z.array(ssoRoleRuleSchema).max(100),
});
export type SsoConfig = z.infer<typeof ssoConfigSchema>;
export const ssoConfigViewSchema = z.object({
  enabled: z.boolean(),
  preset: ssoPresetSchema,
  tenant: z.string().optional(),
  issuer: z.string().optional(),
  clientId: z.string(),
  hasClientSecret: z.boolean(),
  label: z.string().optional(),
  createAccounts: z.boolean(),
  roles: z.array(z.object({ kind: z.enum(['group', 'domain']), value: z.string(), role: roleSchema })),
  /** Set by the environment (HARBOUR_SSO_*): read-only here. */
  fromEnvironment: z.boolean(),
  /** The redirect URI to register with the provider. */
  redirectUri: z.string(),
});
export type SsoConfigView = z.infer<typeof ssoConfigViewSchema>;
/** `GET /api/auth/sso`: what the sign-in page offers. */
export const ssoStatusSchema = z.object({ enabled: z.boolean(), label: z.string().nullable() });
