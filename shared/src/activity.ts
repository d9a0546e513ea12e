/**
 * Activity reporting: what is in front of each pupil (the foreground application,
 * its title, the browser's URL), the school's activity settings, device health
 * problems, and the timeline the dashboard reads. Watch lists and flags are in
 * watchlists.ts; the browser extension's messages in browser-bridge.ts.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, osUserSchema } from './common.js';
import { personSchema } from './roster.js';
import { safeText } from './text.js';
import { parseUrl } from './url.js';

export const activityLimits = {
  app: 200,
  title: 1000,
  url: 2048,
  exePath: 1024,
  domain: 253,
  /** Most rows one timeline or search answer returns. */
  rows: 5000,
} as const;

/** A URL as browsers show it: parseable, bounded, no spaces or control characters. */
export const activityUrlSchema = z
  .string({ error: 'url must be text' })
  .max(activityLimits.url, { error: `url must be at most ${activityLimits.url} characters` })
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\s\u0000-\u001F\u007F]/.test(s) && parseUrl(s) !== null, {
    error: 'url must be a valid URL',
  });

/** A lower-case host name (or IP address) without port. */
export const domainSchema = z
  .string({ error: 'domain must be text' })
  .max(activityLimits.domain, { error: `domain must be at most ${activityLimits.domain} characters` })
  .regex(/^[a-z0-9.:[\]_-]+$/, { error: 'domain must be a lower-case host name' });

/**
 * What the agent saw in the foreground. Everything about the window's contents is
 * absent unless the state is `active`: while locked or idle the agent sends none.
 */
export const activityStates = ['active', 'idle', 'locked', 'off'] as const;
export const activityStateSchema = z.enum(activityStates);
export type ActivityState = z.infer<typeof activityStateSchema>;

/**
 * Why a computer is not (fully) monitored at a moment, when it is not. Idle and locked are
 * states of their own; these say the rest:
 * - no_display: the agent has no display to read (no X server, Wayland): nothing is seen;
 * - outside_hours: outside the school's monitoring hours;
 * - private_window: a browser window the extension cannot see (a private window where it is
 *   not allowed): the application is known, the page is not;
 * - extension_missing: a browser without Harbour's extension: the window title is known, the
 *   address is not;
 * - harbour_screen: one of Harbour's own screens (a cover, the rules, a message) is in front.
 */
export const notMonitoredReasons = [
  'no_display',
  'outside_hours',
  'private_window',
  'extension_missing',
  'harbour_screen',
] as const;
export const notMonitoredReasonSchema = z.enum(notMonitoredReasons);
export type NotMonitoredReason = z.infer<typeof notMonitoredReasonSchema>;
/** The reasons that go with a window in front (state active); the others go with `off`. */
export const windowReasons: readonly NotMonitoredReason[] = [
  'private_window',
  'extension_missing',
  'harbour_screen',
];

export const activityWindowSchema = z.strictObject({
  app: safeText(activityLimits.app, 'application'),
  title: safeText(activityLimits.title, 'title').nullable(),
  exePath: safeText(activityLimits.exePath, 'executable path').nullable(),
  url: activityUrlSchema.nullable(),
  domain: domainSchema.nullable(),
  /** An incognito / private / guest browser window. */
  private: z.boolean(),
});
export type ActivityWindow = z.infer<typeof activityWindowSchema>;

/**
 * Outbox event: the foreground changed. The agent sends only changes; the server
 * turns consecutive changes into intervals (each one ends where the next begins).
 */
export const activityChangedSchema = z
  .strictObject({
    type: z.literal('activity.changed'),
    state: activityStateSchema,
    user: osUserSchema.nullable(),
    window: activityWindowSchema.nullable(),
    /** What is not monitored now, and why (absent or null: everything in front is). */
    reason: notMonitoredReasonSchema.nullable().optional(),
  })
  .refine((b) => (b.state === 'active') === (b.window !== null), {
    error: 'window is required when active and must be null when idle, locked or off',
    path: ['window'],
  })
  .refine((b) => !b.reason || (windowReasons.includes(b.reason) ? b.state === 'active' : b.state === 'off'), {
    error:
      'reason private_window, extension_missing and harbour_screen go with state active; no_display and outside_hours with off',
    path: ['reason'],
  });
export type ActivityChanged = z.infer<typeof activityChangedSchema>;

// ---- the school's settings ------------------------------------------------
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'time must be HH:MM (24-hour)' });

export const activityScheduleSchema = z
  .strictObject({
    /** 0 = Sunday … 6 = Saturday, in the device's local time. */
    days: z.array(z.number().int().min(0).max(6)).max(7),
    start: hhmm,
    end: hhmm,
  })
  .refine((s) => s.start < s.end, { error: 'the end time must be after the start time', path: ['end'] });
export type ActivitySchedule = z.infer<typeof activityScheduleSchema>;

export const activitySettingsSchema = z.strictObject({
  /** How often the agent looks at the foreground window. */
  sampleSeconds: z.number().int().min(1).max(60),
  /** No keyboard or mouse input for this long counts as idle. */
  idleSeconds: z.number().int().min(30).max(3600),
  /** Private (incognito) and guest windows: report the domain only, or as normal. */
  privateWindows: z.enum(['domainOnly', 'normal']),
  /** Activity intervals older than this are deleted. */
  retentionDays: z.number().int().min(1).max(3650),
  /** When monitoring runs; null means at all times. */
  schedule: activityScheduleSchema.nullable(),
  /**
   * Repeat hits of the same watch-list entry by the same pupil within this many minutes of
   * the first flag join it as occurrences (no new incident, no new alert).
   */
  repeatMinutes: z.number().int().min(1).max(1440).default(30),
  /** ... and, when the first flag came in a supervised lesson, until that lesson ends. */
  repeatUntilLessonEnds: z.boolean().default(true),
});
export type ActivitySettings = z.infer<typeof activitySettingsSchema>;

export const defaultActivitySettings: ActivitySettings = {
  sampleSeconds: 1,
  idleSeconds: 300,
  privateWindows: 'domainOnly',
  retentionDays: 30,
  schedule: { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' },
  repeatMinutes: 30,
  repeatUntilLessonEnds: true,
};

/** Whether monitoring runs at `at` (device local time) under `schedule`. */
export function withinSchedule(schedule: ActivitySchedule | null, at: Date): boolean {
  if (schedule === null) return true;
  if (!schedule.days.includes(at.getDay())) return false;
  const now = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  return now >= schedule.start && now < schedule.end;
}

// ---- device health ----------------------------------------------------------
// Agents report problems with `agent:health` (inventory.ts); this is the history of them.
export const deviceHealthRecordSchema = z.object({
  deviceId: idSchema,
  code: z.string(),
  message: z.string(),
  since: isoTimeSchema,
  clearedAt: isoTimeSchema.nullable(),
});
export const deviceHealthListSchema = z.object({ problems: z.array(deviceHealthRecordSchema) });
export const deviceHealthQuerySchema = z.strictObject({
  deviceId: idSchema.optional(),
  includeCleared: z.enum(['true', 'false']).optional(),
});

// ---- the timeline (REST) ----------------------------------------------------
export const activityIntervalSchema = z.object({
  id: z.number().int(),
  deviceId: idSchema,
  hostname: z.string(),
  roomId: idSchema,
  user: z.string().nullable(),
  state: activityStateSchema,
  app: z.string().nullable(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  domain: z.string().nullable(),
  private: z.boolean(),
  /** What was not monitored in this interval, and why; null when everything was. */
  reason: notMonitoredReasonSchema.nullable(),
  start: isoTimeSchema,
  /** null while the interval is still open (this is what the device shows now). */
  end: isoTimeSchema.nullable(),
  /** The roster's pupil behind `user` (lists only; null: no user). */
  person: personSchema.nullable().optional(),
});
export type ActivityInterval = z.infer<typeof activityIntervalSchema>;
export const activityListSchema = z.object({
  intervals: z.array(activityIntervalSchema),
  /** True when more rows matched than were returned. */
  truncated: z.boolean(),
});

const timeRange = {
  from: isoTimeSchema,
  to: isoTimeSchema,
};
const checkRange = (q: { from: string; to: string }) => Date.parse(q.from) < Date.parse(q.to);
const rangeError = { error: '"from" must be before "to"', path: ['to'] };

/** GET /api/activity: one device's, or one user's, intervals overlapping [from, to). */
export const activityQuerySchema = z
  .strictObject({
    deviceId: idSchema.optional(),
    user: safeText(256, 'user').optional(),
    ...timeRange,
  })
  .refine((q) => q.deviceId !== undefined || q.user !== undefined, {
    error: 'give a deviceId or a user',
    path: ['deviceId'],
  })
  .refine(checkRange, rangeError);

export const activitySearchQuerySchema = z
  .strictObject({
    domain: safeText(activityLimits.domain, 'domain').optional(),
    user: safeText(256, 'user').optional(),
    roomId: idSchema.optional(),
    ...timeRange,
  })
  .refine(checkRange, rangeError);

export const topDomainsQuerySchema = z
  .strictObject({
    roomId: idSchema,
    ...timeRange,
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine(checkRange, rangeError);
export const topDomainsSchema = z.object({
  domains: z.array(z.object({ domain: z.string(), seconds: z.number(), visits: z.number().int() })),
});

// ---- live (dashboard socket) ------------------------------------------------
/** What a device shows now, pushed to staff watching its room. */
export const deviceActivitySchema = z.object({
  deviceId: idSchema,
  roomId: idSchema,
  user: z.string().nullable(),
  state: activityStateSchema,
  app: z.string().nullable(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  domain: z.string().nullable(),
  private: z.boolean(),
  reason: notMonitoredReasonSchema.nullable(),
  since: isoTimeSchema,
});
export type DeviceActivity = z.infer<typeof deviceActivitySchema>;

/** The host part of a URL, lower-case, without "www."; null when there is none. */
export function domainOf(url: string | null | undefined): string | null {
  const u = url ? parseUrl(url) : null;
  if (!u) return null;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  return host.startsWith('www.') ? host.slice(4) : host || null;
}

// Control characters, bidi overrides/isolates, BOMs and lone surrogates: the same set safeText refuses.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]|\p{Cs}/gu;

/**
 * Makes text from the operating system or a web page safe to send: NFC, unsafe characters
 * replaced by spaces, whitespace collapsed, cut to `max` characters. Empty becomes null.
 */
export function cleanText(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const cleaned = text.normalize('NFC').replace(unsafe, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return null;
  let cut = cleaned.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trim() || null;
}
