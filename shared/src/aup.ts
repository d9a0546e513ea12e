/**
 * Acceptable use policies (AUPs): documents per audience, their versions, who gets
 * which audience, and the acceptance register. See docs/aup.md.
 */
import { z } from 'zod';
import { speechAudioSchema } from './speech.js';
import { idSchema, isoTimeSchema, osUserSchema } from './common.js';
import { uiLanguageSchema } from './language.js';
import { personSchema } from './roster.js';
import { safeMultilineText, safeText } from './text.js';

// ---- audiences ----------------------------------------------------------
/** A short slug: ks1, ks2, staff, visitors... */
export const aupAudienceIdSchema = z
  .string({ error: 'audience must be text' })
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
    error: 'audience must be 1-40 lower-case letters, digits or dashes',
  });
export type AupAudienceId = z.infer<typeof aupAudienceIdSchema>;

export const aupAudienceSchema = z.object({
  id: aupAudienceIdSchema,
  name: z.string(),
  description: z.string(),
});
export type AupAudience = z.infer<typeof aupAudienceSchema>;
export const createAupAudienceRequestSchema = z.strictObject({
  id: aupAudienceIdSchema,
  name: safeText(120, 'name'),
  description: safeText(300, 'description').optional(),
});

// ---- documents ----------------------------------------------------------
/** The pictures a rule can have; the pupil page draws each as an inline SVG. */
export const aupIcons = [
  'ask',
  'click',
  'secret',
  'kind',
  'screen',
  'eyes',
  'time',
  'email',
  'camera',
  'download',
  'lock',
  'star',
] as const;
export const aupIconSchema = z.enum(aupIcons);
export type AupIcon = z.infer<typeof aupIconSchema>;

/** large: a few short rules in large type with pictures (KS1); standard: a longer text. */
export const aupLayoutSchema = z.enum(['large', 'standard']);

export const aupRuleSchema = z.strictObject({
  icon: aupIconSchema.optional(),
  /** What the picture shows, for screen readers. */
  iconLabel: safeText(80, 'picture description').optional(),
  text: safeText(400, 'rule'),
});
export type AupRule = z.infer<typeof aupRuleSchema>;

export const aupContentSchema = z.strictObject({
  title: safeText(120, 'title'),
  layout: aupLayoutSchema,
  intro: safeMultilineText(3000, 'introduction'),
  rules: z
    .array(aupRuleSchema)
    .min(1, { error: 'a policy needs at least one rule' })
    .max(40, { error: 'a policy has at most 40 rules' }),
  closing: safeMultilineText(3000, 'closing text'),
  /** The language the policy is written in; the pupil page's own words follow it. */
  language: uiLanguageSchema.optional(),
});
export type AupContent = z.infer<typeof aupContentSchema>;

/** The same shape without input clean-up: what responses, caches and the agent's page carry. */
export const aupContentViewSchema = z.object({
  title: z.string(),
  layout: aupLayoutSchema,
  intro: z.string(),
  rules: z.array(
    z.object({ icon: aupIconSchema.optional(), iconLabel: z.string().optional(), text: z.string() }),
  ),
  closing: z.string(),
  language: uiLanguageSchema.optional(),
});

/**
 * The exact text of a policy, in one fixed form: what the register's hash is taken of
 * (SHA-256, hex). The server and the agent hash the same string, so a decision names
 * exactly the words the user saw.
 */
export function canonicalAupText(content: AupContent): string {
  return JSON.stringify([
    'harbour-aup-1',
    content.title,
    content.layout,
    content.intro,
    content.rules.map((r) => [r.icon ?? '', r.iconLabel ?? '', r.text]),
    content.closing,
  ]);
}

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hex digest' });

export const aupDocumentStatusSchema = z.enum(['draft', 'published', 'superseded']);
export const aupDocumentSchema = z.object({
  id: idSchema,
  audience: aupAudienceIdSchema,
  version: z.number().int().min(1),
  content: aupContentViewSchema,
  textHash: sha256HexSchema,
  status: aupDocumentStatusSchema,
  createdAt: isoTimeSchema,
  createdBy: z.string(),
  publishedAt: isoTimeSchema.nullable(),
});
export type AupDocument = z.infer<typeof aupDocumentSchema>;

export const createAupVersionRequestSchema = z.strictObject({
  audience: aupAudienceIdSchema,
  content: aupContentSchema,
  /** Publish it at once (it replaces the audience's published version). */
  publish: z.boolean().default(false),
  /** With publish: ask every connected computer to show it now, not at the next logon. */
  showNow: z.boolean().default(false),
});
export const publishAupRequestSchema = z.strictObject({ showNow: z.boolean().default(false) });
export const aupDocumentListQuerySchema = z.strictObject({ audience: aupAudienceIdSchema.optional() });
export const aupOverviewSchema = z.object({
  audiences: z.array(
    aupAudienceSchema.extend({ published: aupDocumentSchema.nullable(), versions: z.number().int() }),
  ),
});
export const aupDocumentListSchema = z.object({ documents: z.array(aupDocumentSchema) });

// ---- who gets which audience ---------------------------------------------
/**
 * group: the OS account is in this group (case-insensitive);
 * username: the account name matches this pattern (`*` any run of characters, `?` one; case-insensitive);
 * room: the computer is in this room (its id).
 * The first matching rule wins; no match gives the default audience.
 */
export const aupMatchKindSchema = z.enum(['group', 'username', 'room']);
export const aupMatchRuleSchema = z.strictObject({
  kind: aupMatchKindSchema,
  pattern: safeText(200, 'pattern'),
  audience: aupAudienceIdSchema,
});
export type AupMatchRule = z.infer<typeof aupMatchRuleSchema>;

export const aupSettingsSchema = z.strictObject({
  defaultAudience: aupAudienceIdSchema,
  rules: z.array(aupMatchRuleSchema).max(200, { error: 'at most 200 rules' }),
  /** Acceptances expire each year on this date (the start of the school year). */
  expiryMonth: z.number().int().min(1).max(12),
  expiryDay: z.number().int().min(1).max(31),
  /**
   * The school's language: pupils' screens use it (a pupil can switch on the AUP gate), and
   * so does the dashboard for anyone who has not chosen their own. Absent means English.
   */
  language: uiLanguageSchema.optional(),
});
export type AupSettings = z.infer<typeof aupSettingsSchema>;
export const aupSettingsViewSchema = z.object({
  defaultAudience: z.string(),
  rules: z.array(z.object({ kind: aupMatchKindSchema, pattern: z.string(), audience: z.string() })),
  expiryMonth: z.number().int(),
  expiryDay: z.number().int(),
  language: uiLanguageSchema.optional(),
});

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'iu').test(value);
}

export interface AupSubject {
  username: string;
  groups: readonly string[];
  roomId: string | null;
}

/** Which audience's policy `who` must accept. */
export function resolveAudience(settings: Pick<AupSettings, 'rules' | 'defaultAudience'>, who: AupSubject) {
  for (const rule of settings.rules) {
    const hit =
      rule.kind === 'group'
        ? who.groups.some((g) => g.toLowerCase() === rule.pattern.toLowerCase())
        : rule.kind === 'username'
          ? globMatches(rule.pattern, who.username)
          : who.roomId === rule.pattern;
    if (hit) return rule.audience;
  }
  return settings.defaultAudience;
}

/**
 * The moment acceptances made before it expired: the most recent expiry date (UTC
 * midnight) at or before `now`. 31 in a 30-day month means the month's last day.
 */
export function aupExpiryCutoff(now: Date, month: number, day: number): Date {
  const at = (year: number) => {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return new Date(Date.UTC(year, month - 1, Math.min(day, last)));
  };
  const year = now.getUTCFullYear();
  const thisYear = at(year);
  return thisYear.getTime() <= now.getTime() ? thisYear : at(year - 1);
}

// ---- decisions and the register ----------------------------------------
export const aupDecisionSchema = z.enum(['accepted', 'declined']);
export type AupDecision = z.infer<typeof aupDecisionSchema>;
/** Where the text the user saw came from: the server, the agent's cache, or the built-in sample. */
export const aupSourceSchema = z.enum(['server', 'cache', 'builtin']);
export type AupSource = z.infer<typeof aupSourceSchema>;

/** Outbox event: a user agreed to, or declined, a policy. */
export const aupDecisionEventSchema = z.strictObject({
  type: z.literal('aup.decision'),
  user: osUserSchema,
  audience: aupAudienceIdSchema,
  /** The version's id; null when the text was the built-in sample (matched by its hash). */
  documentId: idSchema.nullable(),
  version: z.number().int().min(1),
  textHash: sha256HexSchema,
  decision: aupDecisionSchema,
  source: aupSourceSchema,
});
export type AupDecisionEvent = z.infer<typeof aupDecisionEventSchema>;

/** current: accepted the published version since the last expiry date; outdated: accepted an
 * older version or before the expiry date; never: no decision; declined: the latest decision. */
export const aupStatusSchema = z.enum(['current', 'outdated', 'never', 'declined']);
export type AupStatus = z.infer<typeof aupStatusSchema>;

export const aupRegisterEntrySchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string().nullable(),
  /** The pupil on the roster behind `username` now (not in the CSV export). */
  person: personSchema.nullable().optional(),
  audience: z.string(),
  version: z.number().int(),
  textHash: z.string(),
  decision: aupDecisionSchema,
  decidedAt: isoTimeSchema,
  receivedAt: isoTimeSchema,
  deviceId: z.string(),
  deviceName: z.string(),
  roomId: z.string().nullable(),
  roomName: z.string().nullable(),
  source: aupSourceSchema,
  /** The decision's school (its room's, else its computer's): two schools' same login are two children. */
  schoolId: z.number().int().nullable(),
  schoolName: z.string().nullable(),
});
export type AupRegisterEntry = z.infer<typeof aupRegisterEntrySchema>;

export const aupRegisterQuerySchema = z.strictObject({
  roomId: idSchema.optional(),
  username: safeText(256, 'username').optional(),
  audience: aupAudienceIdSchema.optional(),
  decision: aupDecisionSchema.optional(),
  from: isoTimeSchema.optional(),
  to: isoTimeSchema.optional(),
});
export const aupRegisterSchema = z.object({ entries: z.array(aupRegisterEntrySchema) });

export const aupUserStatusSchema = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  person: personSchema.nullable().optional(),
  audience: z.string().nullable(),
  status: aupStatusSchema,
  version: z.number().int().nullable(),
  decidedAt: isoTimeSchema.nullable(),
  lastRoomId: z.string().nullable(),
  lastRoomName: z.string().nullable(),
  /**
   * The school whose user this is: a login is one pupil's within a school, so the same login
   * seen at two schools is two entries (null: seen only on computers in no school's room).
   */
  schoolId: z.number().int().nullable(),
  schoolName: z.string().nullable(),
});
export type AupUserStatus = z.infer<typeof aupUserStatusSchema>;
export const aupStatusQuerySchema = z.strictObject({
  roomId: idSchema.optional(),
  username: safeText(256, 'username').optional(),
  status: aupStatusSchema.optional(),
});
export const aupStatusListSchema = z.object({ users: z.array(aupUserStatusSchema) });

/** On a device in the live room view: the signed-in user's standing with the AUP. */
export const deviceAupSchema = z.object({ status: aupStatusSchema, audience: z.string().nullable() });

// ---- what the agent fetches ---------------------------------------------
export const aupPublishedSchema = z.object({
  id: idSchema,
  audience: aupAudienceIdSchema,
  audienceName: z.string(),
  version: z.number().int().min(1),
  content: aupContentViewSchema,
  textHash: sha256HexSchema,
});
export type AupPublished = z.infer<typeof aupPublishedSchema>;
export const aupBundleSchema = z.object({
  settings: aupSettingsViewSchema,
  documents: z.array(aupPublishedSchema),
});
export type AupBundle = z.infer<typeof aupBundleSchema>;
export const aupUserDecisionsSchema = z.object({
  decisions: z.array(
    z.object({
      audience: z.string(),
      textHash: z.string(),
      decision: aupDecisionSchema,
      decidedAt: isoTimeSchema,
    }),
  ),
});

/** Read-aloud audio for a published policy (made on the server by a speech engine). */
export const aupAudioRequestSchema = z.strictObject({ documentId: idSchema });
/** The same answer as every read-aloud clip (speech.ts). */
export const aupAudioSchema = speechAudioSchema;
export type AupAudio = z.infer<typeof aupAudioSchema>;

export const aupAgentRequests = {
  /** Every published policy, the audience rules and the expiry date. */
  'aup:bundle': { request: z.strictObject({}), response: aupBundleSchema },
  /** A user's latest decision per audience (they may have agreed on another computer). */
  'aup:decisions': { request: z.strictObject({ user: osUserSchema }), response: aupUserDecisionsSchema },
  /** The spoken policy, as WAV audio (base64), or why there is none yet. */
  'aup:audio': { request: aupAudioRequestSchema, response: aupAudioSchema },
} as const;
export const aupAgentPushes = {
  /** Policies or rules changed: fetch them again; showNow asks to re-check signed-in users at once. */
  'aup:changed': z.object({ showNow: z.boolean() }),
} as const;

// ---- the pupil page (agent's local UI server) --------------------------
export const aupPageSchema = z.object({
  user: z.object({ username: z.string(), displayName: z.string().nullable() }),
  audience: z.object({ id: z.string(), name: z.string() }),
  version: z.number().int(),
  textHash: z.string(),
  content: aupContentViewSchema,
  source: aupSourceSchema,
  /** The school's language (null: not known, the page follows the computer's). */
  language: uiLanguageSchema.nullable().optional(),
  /** Read-aloud: the audio is here (GET /api/aup/audio), on its way, or not available on this computer. */
  audio: z.enum(['ready', 'pending', 'unavailable']).optional(),
});
export type AupPage = z.infer<typeof aupPageSchema>;
export const aupPageDecisionSchema = z.strictObject({
  decision: aupDecisionSchema,
  textHash: sha256HexSchema,
});
export type AupPageDecision = z.infer<typeof aupPageDecisionSchema>;
