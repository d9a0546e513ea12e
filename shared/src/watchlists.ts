/**
 * Watch lists and flags. The DSL keeps lists of domains, URL patterns and keywords,
 * each in a category with a severity. The agent receives them, matches what is in
 * front of the pupil (title, URL, search terms) and raises a flag with screenshots.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, osUserSchema } from './common.js';
import { activitySettingsSchema, activityWindowSchema } from './activity.js';
import { evidenceRefSchema } from './evidence.js';
import { personSchema } from './roster.js';
import { safeText } from './text.js';
import { parseUrl, queryParam } from './url.js';

export const watchCategories = [
  'extremism',
  'self_harm',
  'adult',
  'violence',
  'gambling',
  'social',
  'games',
] as const;
export const watchCategorySchema = z.enum(watchCategories, {
  error: `category must be one of ${watchCategories.join(', ')}`,
});
export type WatchCategory = z.infer<typeof watchCategorySchema>;
export const watchCategoryLabels: Record<WatchCategory, string> = {
  extremism: 'Extremism and radicalisation',
  self_harm: 'Self-harm',
  adult: 'Adult content',
  violence: 'Violence and weapons',
  gambling: 'Gambling',
  social: 'Social networking',
  games: 'Online games',
};

export const watchKinds = ['domain', 'url', 'keyword'] as const;
export const watchKindSchema = z.enum(watchKinds, { error: `kind must be one of ${watchKinds.join(', ')}` });
export type WatchKind = z.infer<typeof watchKindSchema>;
export const watchKindLabels: Record<WatchKind, string> = {
  domain: 'Website (domain)',
  url: 'Web address pattern',
  keyword: 'Keyword or search term',
};

export const severities = ['low', 'medium', 'high'] as const;
export const severitySchema = z.enum(severities, {
  error: `severity must be one of ${severities.join(', ')}`,
});
export type Severity = z.infer<typeof severitySchema>;
const severityRank: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

export const watchLimits = { pattern: 500, note: 500, entries: 5000, csvBytes: 1024 * 1024 } as const;

/** Puts a pattern in its canonical form, so "Example.ORG " and "example.org" are the same entry. */
export function normalisePattern(kind: WatchKind, pattern: string): string {
  const p = pattern.normalize('NFC').trim();
  switch (kind) {
    case 'domain':
      return p
        .toLowerCase()
        .replace(/^[a-z]+:\/\//, '')
        .replace(/^\*\./, '')
        .replace(/^www\./, '')
        .replace(/[/:].*$/, '')
        .replace(/\.$/, '');
    case 'url':
      return p
        .toLowerCase()
        .replace(/^[a-z]+:\/\//, '')
        .replace(/^www\./, '');
    case 'keyword':
      return normaliseWords(p);
  }
}

/** Why a (normalised) pattern is not acceptable for its kind, or null. */
export function patternProblem(kind: WatchKind, pattern: string): string | null {
  if (pattern === '') return 'pattern must not be empty';
  if (pattern.length > watchLimits.pattern)
    return `pattern must be at most ${watchLimits.pattern} characters`;
  switch (kind) {
    case 'domain':
      return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(pattern)
        ? null
        : 'a domain is a host name such as example.org (no spaces, no path)';
    case 'url':
      if (/\s/.test(pattern)) return 'a web address pattern has no spaces';
      if (pattern.replace(/\*/g, '').length < 4)
        return 'a web address pattern needs at least 4 characters besides *';
      return null;
    case 'keyword':
      return pattern.length < 2 ? 'a keyword needs at least 2 letters or digits' : null;
  }
}

/** Lower case, accents removed, anything but letters and digits turned into single spaces. */
export function normaliseWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const noteSchema = safeText(watchLimits.note, 'note').nullable().optional();

/** A new or replaced entry, as staff type it (or as a CSV row holds it). */
export const watchEntryInputSchema = z
  .strictObject({
    kind: watchKindSchema,
    pattern: z.string({ error: 'pattern must be text' }).max(watchLimits.pattern * 2),
    category: watchCategorySchema,
    severity: severitySchema,
    note: noteSchema,
  })
  .transform((e) => ({ ...e, pattern: normalisePattern(e.kind, e.pattern), note: e.note ?? null }))
  .superRefine((e, ctx) => {
    const problem = patternProblem(e.kind, e.pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['pattern'] });
  });
export type WatchEntryInput = z.output<typeof watchEntryInputSchema>;

export const watchEntrySchema = z.object({
  id: idSchema,
  kind: watchKindSchema,
  pattern: z.string(),
  category: watchCategorySchema,
  severity: severitySchema,
  note: z.string().nullable(),
  createdAt: isoTimeSchema,
  updatedAt: isoTimeSchema,
});
export type WatchEntry = z.infer<typeof watchEntrySchema>;

export const watchlistSchema = z.object({
  /** Changes whenever any entry changes; agents use it to know their copy is current. */
  version: z.string(),
  entries: z.array(watchEntrySchema),
});
export type Watchlist = z.infer<typeof watchlistSchema>;

/** What the agent needs of an entry to match it. */
export const agentWatchEntrySchema = watchEntrySchema.pick({
  id: true,
  kind: true,
  pattern: true,
  category: true,
  severity: true,
});
export type AgentWatchEntry = z.infer<typeof agentWatchEntrySchema>;

export const watchlistImportRequestSchema = z.strictObject({
  csv: z.string().max(watchLimits.csvBytes, { error: 'the CSV file must be at most 1 MiB' }),
  /** true: the file replaces every entry; false: its rows are added (existing ones updated). */
  replace: z.boolean().default(false),
});
export const watchlistImportResultSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
});

/** CSV columns, in order. */
export const watchlistCsvColumns = ['kind', 'pattern', 'category', 'severity', 'note'] as const;

// ---- search terms -----------------------------------------------------------
const searchEngines: { host: RegExp; params: string[] }[] = [
  { host: /(^|\.)google\.[a-z.]+$/, params: ['q', 'as_q'] },
  { host: /(^|\.)bing\.com$/, params: ['q'] },
  { host: /(^|\.)duckduckgo\.com$/, params: ['q'] },
  { host: /(^|\.)search\.yahoo\.com$/, params: ['p'] },
  { host: /(^|\.)youtube\.com$/, params: ['search_query'] },
  { host: /(^|\.)ecosia\.org$/, params: ['q'] },
  { host: /(^|\.)startpage\.com$/, params: ['query', 'q'] },
  { host: /(^|\.)search\.brave\.com$/, params: ['q'] },
  { host: /(^|\.)yandex\.[a-z.]+$/, params: ['text'] },
  { host: /(^|\.)baidu\.com$/, params: ['wd', 'word'] },
  { host: /(^|\.)kiddle\.co$/, params: ['q'] },
  { host: /(^|\.)wikipedia\.org$/, params: ['search'] },
];

/** The search terms in a search engine's results URL, or [] for any other URL. */
export function searchTermsFromUrl(url: string | null): string[] {
  const u = url ? parseUrl(url) : null;
  if (!u) return [];
  const host = u.hostname.toLowerCase();
  const engine = searchEngines.find((e) => e.host.test(host));
  if (!engine) return [];
  const terms: string[] = [];
  for (const name of engine.params) {
    // Some engines keep the query in the fragment (#q=…) after in-page searches.
    for (const value of [queryParam(u.search, name), queryParam(u.hash, name)]) {
      const term = value?.trim();
      if (term && !terms.includes(term)) terms.push(term.slice(0, 500));
    }
  }
  return terms;
}

// ---- matching ---------------------------------------------------------------
export interface WatchTarget {
  url: string | null;
  domain: string | null;
  title: string | null;
}
export type MatchPlace = 'domain' | 'url' | 'title' | 'search';
export interface WatchMatch {
  entry: AgentWatchEntry;
  where: MatchPlace;
  /** The text that matched: the domain, the URL, the title or the search term. */
  matched: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}`, 'i');
}

/** Compiles entries once; `match` then finds the most severe entry that matches a window. */
export function compileWatchlist(
  entries: readonly AgentWatchEntry[],
): (target: WatchTarget) => WatchMatch | null {
  const sorted = entries.slice().sort((a, b) => severityRank[b.severity] - severityRank[a.severity]);
  const compiled = sorted.map((entry) => ({
    entry,
    regex: entry.kind === 'url' ? globToRegExp(entry.pattern) : null,
    words: entry.kind === 'keyword' ? ` ${normaliseWords(entry.pattern)} ` : '',
  }));
  return (target) => {
    const domain = target.domain?.replace(/^www\./, '') ?? null;
    const bareUrl = target.url?.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^www\./i, '') ?? null;
    const title = target.title ? ` ${normaliseWords(target.title)} ` : null;
    const searches = searchTermsFromUrl(target.url).map((term) => ({
      term,
      words: ` ${normaliseWords(term)} `,
    }));
    for (const { entry, regex, words } of compiled) {
      switch (entry.kind) {
        case 'domain':
          if (domain && (domain === entry.pattern || domain.endsWith(`.${entry.pattern}`)))
            return { entry, where: 'domain', matched: domain };
          break;
        case 'url':
          if (bareUrl && regex?.test(bareUrl)) return { entry, where: 'url', matched: target.url ?? bareUrl };
          break;
        case 'keyword': {
          if (words.trim() === '') break;
          const search = searches.find((s) => s.words.includes(words));
          if (search) return { entry, where: 'search', matched: search.term };
          if (title?.includes(words)) return { entry, where: 'title', matched: target.title ?? '' };
          break;
        }
      }
    }
    return null;
  };
}

// ---- flags --------------------------------------------------------------------
export const matchPlaceSchema = z.enum(['domain', 'url', 'title', 'search']);

/** Outbox event: the agent matched a watch-list entry and captured the screens. */
export const activityFlagSchema = z.strictObject({
  type: z.literal('activity.flag'),
  user: osUserSchema.nullable(),
  window: activityWindowSchema,
  match: z.strictObject({
    entryId: idSchema,
    kind: watchKindSchema,
    pattern: z.string().min(1).max(watchLimits.pattern),
    category: watchCategorySchema,
    severity: severitySchema,
    where: matchPlaceSchema,
    matched: safeText(2048, 'matched text'),
  }),
  evidence: z.array(evidenceRefSchema).max(16),
});
export type ActivityFlag = z.infer<typeof activityFlagSchema>;

/**
 * A flag's triage: open until the DSL looks at it; dismissed as a false positive (who, why);
 * escalated (its incident taken up); linked to an existing incident (the concern is recorded
 * there).
 */
export const flagStatuses = ['open', 'dismissed', 'escalated', 'linked'] as const;
export const flagStatusSchema = z.enum(flagStatuses);
export type FlagStatus = z.infer<typeof flagStatusSchema>;

/** A later hit of the same concern by the same pupil, joined to the first flag. */
export const flagOccurrenceSchema = z.object({
  id: idSchema,
  occurredAt: isoTimeSchema,
  where: matchPlaceSchema,
  matched: z.string(),
  app: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  domain: z.string().nullable(),
  private: z.boolean(),
  evidence: z.array(evidenceRefSchema),
});
export type FlagOccurrence = z.infer<typeof flagOccurrenceSchema>;

export const flagSchema = z.object({
  id: idSchema,
  deviceId: idSchema,
  hostname: z.string(),
  roomId: idSchema,
  user: z.string().nullable(),
  occurredAt: isoTimeSchema,
  receivedAt: isoTimeSchema,
  category: watchCategorySchema,
  severity: severitySchema,
  kind: watchKindSchema,
  pattern: z.string(),
  where: matchPlaceSchema,
  matched: z.string(),
  app: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  domain: z.string().nullable(),
  private: z.boolean(),
  evidence: z.array(evidenceRefSchema),
  /** Hits of this concern, the first included (repeats join the first flag). */
  occurrences: z.number().int().min(1),
  lastOccurredAt: isoTimeSchema,
  /** The later hits, oldest first (in lists: only on request). */
  repeats: z.array(flagOccurrenceSchema).optional(),
  status: flagStatusSchema,
  triage: z
    .object({
      by: z.string(),
      byName: z.string().nullable(),
      at: isoTimeSchema,
      reason: z.string().nullable(),
    })
    .nullable(),
  /** The incident recording this concern (its own, or the one it was linked to). */
  incidentId: idSchema.nullable(),
  /** The roster's pupil behind `user` (lists only; null: no user). */
  person: personSchema.nullable().optional(),
});
export type Flag = z.infer<typeof flagSchema>;
export const flagListSchema = z.object({ flags: z.array(flagSchema) });
export const flagListQuerySchema = z.strictObject({
  roomId: idSchema.optional(),
  deviceId: idSchema.optional(),
  status: flagStatusSchema.optional(),
  from: isoTimeSchema.optional(),
  to: isoTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** How many flags wait for triage (the navigation's count). */
export const flagCountsSchema = z.object({ open: z.number().int().min(0) });

export const flagDismissSchema = z.strictObject({
  /** Why it is a false positive (recorded with who said so). */
  reason: safeText(500, 'reason').refine((s) => s.trim().length >= 3, {
    error: 'say in a few words why this is a false positive',
  }),
});
export const flagLinkSchema = z.strictObject({
  /** The incident this flag's concern belongs to (its id or its reference, e.g. INC-2025-0007). */
  incident: safeText(80, 'incident').refine((s) => s.trim().length > 0, { error: 'name the incident' }),
  note: safeText(500, 'note').optional(),
});
export const flagEscalateSchema = z.strictObject({ note: safeText(500, 'note').optional() });
export const flagTriageResultSchema = z.object({ flag: flagSchema });

export const flagEvidenceParamsSchema = z.strictObject({
  id: idSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'sha256 must be 64 hex digits' }),
});

/** What the agent asks for at start and whenever the server says its copy is stale. */
export const agentActivityConfigSchema = z.object({
  settings: activitySettingsSchema,
  watchlist: z.object({ version: z.string(), entries: z.array(agentWatchEntrySchema) }),
});
export type AgentActivityConfig = z.infer<typeof agentActivityConfigSchema>;
