/**
 * Incident records (issue 7): what the DSL keeps, acts on and reports from. The fields
 * follow the schools' logs, records of concern and records of action (see docs/incidents.md).
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';
import { sha256Schema } from './evidence.js';
import { safeMultilineText, safeText } from './text.js';

export const incidentSources = ['report', 'flag', 'manual'] as const;
export const incidentSourceSchema = z.enum(incidentSources);
export type IncidentSource = z.infer<typeof incidentSourceSchema>;

export const incidentStates = ['new', 'acknowledged', 'under_review', 'escalated', 'closed'] as const;
export const incidentStateSchema = z.enum(incidentStates);
export type IncidentState = z.infer<typeof incidentStateSchema>;
export const incidentStateLabels: Record<IncidentState, string> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  under_review: 'Under review',
  escalated: 'Escalated',
  closed: 'Closed',
};

/** The default category list; the DSL can add, rename and retire categories in settings. */
export const defaultIncidentCategories = [
  { id: 'grooming', label: 'Grooming' },
  { id: 'cyberbullying', label: 'Cyberbullying' },
  { id: 'social_networking', label: 'Misuse of a social networking site' },
  { id: 'sexting', label: 'Sexting' },
  { id: 'gaming', label: 'Gaming' },
  { id: 'underage_films', label: 'Underage films' },
  { id: 'digital_camera', label: 'Misuse of a digital camera' },
  { id: 'extremism', label: 'Extremism or radicalisation' },
  { id: 'inappropriate_content', label: 'Inappropriate or illegal content' },
  { id: 'data_breach', label: 'Data or security breach' },
  { id: 'lost_equipment', label: 'Lost equipment' },
  { id: 'other', label: 'Other' },
  { id: 'unsorted', label: 'Not yet categorised' },
] as const;
export const categoryIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, { error: 'category must be a short lower-case id, e.g. cyberbullying' });
export const incidentCategorySchema = z.strictObject({
  id: categoryIdSchema,
  label: safeText(80, 'category label'),
  retired: z.boolean().default(false),
});
export type IncidentCategory = z.infer<typeof incidentCategorySchema>;

/** Outcomes recorded when an incident is closed (counted, anonymised, in the governors' report). */
export const incidentOutcomes = [
  'resolved_in_school',
  'parents_informed',
  'referred_external',
  'no_further_action',
  'unfounded',
] as const;
export const incidentOutcomeSchema = z.enum(incidentOutcomes);
export type IncidentOutcome = z.infer<typeof incidentOutcomeSchema>;
export const incidentOutcomeLabels: Record<IncidentOutcome, string> = {
  resolved_in_school: 'Resolved in school',
  parents_informed: 'Parents or carers informed',
  referred_external: 'Referred to an outside agency',
  no_further_action: 'No further action',
  unfounded: 'Concern not substantiated',
};

/** Escalation routes from the schools' policies. */
export const escalationRoutes = [
  'dsl_decision',
  'senior_leaders',
  'headteacher',
  'lado',
  'police',
  'iwf',
  'ceop',
  'prevent_channel',
] as const;
export const escalationRouteSchema = z.enum(escalationRoutes);
export type EscalationRoute = z.infer<typeof escalationRouteSchema>;
export const escalationRouteLabels: Record<EscalationRoute, string> = {
  dsl_decision: 'Dealt with by the DSL in school',
  senior_leaders: 'Senior leaders (same day, non child-protection)',
  headteacher: 'Headteacher (allegation against staff)',
  lado: 'Local authority designated officer (LADO)',
  police: 'Police',
  iwf: 'Internet Watch Foundation (IWF)',
  ceop: 'CEOP (child exploitation and online protection)',
  prevent_channel: 'Prevent referral (Channel)',
};

export const yearGroups = ['N', 'R', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'staff', 'unknown'] as const;
export const yearGroupSchema = z.enum(yearGroups);
export type YearGroup = z.infer<typeof yearGroupSchema>;

const line = (what: string, max = 200) => safeText(max, what);
const text = (what: string, max = 4000) => safeMultilineText(max, what);

/** The pupil (or member of staff) the concern is about. */
const subjectFields = {
  /** The OS account, e.g. `SCHOOL\ab12`; the key of the per-pupil chronology. */
  username: line('username', 256).nullable(),
  name: line('name', 120).nullable(),
  yearGroup: yearGroupSchema,
  /** Date of birth as YYYY-MM-DD; optional, as in the record of concern. */
  dateOfBirth: z.iso.date({ error: 'date of birth must be YYYY-MM-DD' }).nullable(),
  sex: z.enum(['female', 'male', 'not_recorded']),
};
export const incidentSubjectSchema = z.strictObject({
  username: subjectFields.username.default(null),
  name: subjectFields.name.default(null),
  yearGroup: subjectFields.yearGroup.default('unknown'),
  dateOfBirth: subjectFields.dateOfBirth.default(null),
  sex: subjectFields.sex.default('not_recorded'),
});
/** A change to the subject: only the fields given (no defaults, so nothing is blanked by omission). */
export const incidentSubjectChangeSchema = z.strictObject(subjectFields).partial();
export type IncidentSubject = z.infer<typeof incidentSubjectSchema>;

/** The free-text fields of the record of concern, all optional, all editable (every change kept). */
const detailFields = {
  /** Room or place, when it was not a Harbour device (e.g. a disclosure in the playground). */
  location: line('location').nullable(),
  /** The disclosure in the child's own words (who, what, where, when). */
  pupilWords: text('pupil words').nullable(),
  /** Why the adult is concerned. */
  concern: text('concern').nullable(),
  /** What was observed, and when. */
  observed: text('observed').nullable(),
  /** Websites, games, films, avatar names and online friends' names. */
  websites: text('websites', 2000).nullable(),
  onlineNames: text('online names', 2000).nullable(),
  /** What was heard and told, by whom, when. */
  heardAndTold: text('heard and told').nullable(),
  /** Other staff or children present. */
  othersPresent: text('others present', 1000).nullable(),
  recorderName: line('recorder name', 120).nullable(),
  recorderPosition: line('recorder position', 120).nullable(),
};
type DetailKey = keyof typeof detailFields;
export const incidentDetailsSchema = z.strictObject(
  Object.fromEntries(Object.entries(detailFields).map(([k, v]) => [k, v.default(null)])) as {
    [K in DetailKey]: z.ZodDefault<(typeof detailFields)[K]>;
  },
);
/** A change to the record's free text: only the fields given (null clears one). */
export const incidentDetailsChangeSchema = z.strictObject(detailFields).partial();
export type IncidentDetails = z.infer<typeof incidentDetailsSchema>;
export const incidentDetailFields = Object.keys(incidentDetailsSchema.shape) as (keyof IncidentDetails)[];
// Response shapes: plain (no input transforms), so the server can serialise them.
export const incidentSubjectViewSchema = z.object({
  username: z.string().nullable(),
  name: z.string().nullable(),
  yearGroup: yearGroupSchema,
  /** The pupil on the school's roster behind `username`, and their class, when the record was made. */
  pupilId: idSchema.nullable().optional(),
  className: z.string().nullable().optional(),
  dateOfBirth: z.string().nullable(),
  sex: z.enum(['female', 'male', 'not_recorded']),
});
export const incidentDetailsViewSchema = z.object(
  Object.fromEntries(incidentDetailFields.map((f) => [f, z.string().nullable()])) as Record<
    keyof IncidentDetails,
    z.ZodNullable<z.ZodString>
  >,
);

export const incidentEvidenceSchema = z.object({
  sha256: sha256Schema,
  mime: z.string(),
  bytes: z.number().int(),
  kind: z.enum(['screenshot', 'attachment']),
  label: z.string().nullable(),
  addedAt: isoTimeSchema,
  /** Once marked, nobody can display it in Harbour: it leaves only in a sealed package. */
  suspectedIllegal: z.boolean(),
  /** False until the agent's upload has arrived (a report can land before its screenshots). */
  received: z.boolean(),
});
export type IncidentEvidence = z.infer<typeof incidentEvidenceSchema>;

export const incidentActionSchema = z.object({
  id: idSchema,
  what: z.string(),
  who: z.string(),
  due: z.string().nullable(),
  done: z.boolean(),
  doneAt: isoTimeSchema.nullable(),
  outcome: z.string().nullable(),
  createdAt: isoTimeSchema,
  createdBy: z.string(),
});
export type IncidentAction = z.infer<typeof incidentActionSchema>;

export const incidentEscalationSchema = z.object({
  id: idSchema,
  route: escalationRouteSchema,
  note: z.string().nullable(),
  at: isoTimeSchema,
  by: z.string(),
});

export const incidentPersonSchema = z.object({
  id: idSchema,
  name: z.string(),
  username: z.string().nullable(),
  yearGroup: yearGroupSchema,
  role: z.string(),
});

/** One entry of an incident's history: every change is appended, never overwritten. */
export const incidentHistoryEntrySchema = z.object({
  id: z.number().int(),
  at: isoTimeSchema,
  actor: z.string(),
  action: z.string(),
  detail: z.unknown(),
});
export type IncidentHistoryEntry = z.infer<typeof incidentHistoryEntrySchema>;

/** The tell alert's progress, for incidents from a pupil's report. */
export const tellStatusSchema = z.enum(['covered', 'acknowledged', 'released']);
export type TellStatus = z.infer<typeof tellStatusSchema>;

export const incidentSummarySchema = z.object({
  id: idSchema,
  /** Human reference, e.g. INC-0042. */
  ref: z.string(),
  source: incidentSourceSchema,
  category: z.string(),
  state: incidentStateSchema,
  outcome: incidentOutcomeSchema.nullable(),
  createdAt: isoTimeSchema,
  occurredAt: isoTimeSchema,
  deviceId: idSchema.nullable(),
  deviceName: z.string().nullable(),
  deviceSerial: z.string().nullable(),
  roomId: idSchema.nullable(),
  roomName: z.string().nullable(),
  /** The school the incident is about (shown to trust-level staff). */
  schoolId: z.number().int().nullable().optional(),
  subject: incidentSubjectViewSchema,
  summary: z.string(),
  assignedTo: z.object({ id: idSchema, name: z.string() }).nullable(),
  createdBy: z.object({ id: idSchema, name: z.string() }).nullable(),
  tellStatus: tellStatusSchema.nullable(),
  /** The screenshots and attachments; empty for a teacher until the DSL shares them. */
  evidence: z.array(incidentEvidenceSchema),
  evidenceWithheld: z.number().int(),
});
export type IncidentSummary = z.infer<typeof incidentSummarySchema>;

/**
 * Categories that ring the DSL's alert (child protection and Prevent): the others still
 * show a banner and a count, silently.
 */
export const urgentCategories: readonly string[] = [
  'grooming',
  'sexting',
  'extremism',
  'inappropriate_content',
];

/**
 * A new concern as the DSL's banner shows it: what, where and who recorded it, never the
 * pupil's words or name (a banner is read over a shoulder; the record opens with a second factor).
 */
export const concernAlertSchema = z.object({
  incidentId: idSchema,
  ref: z.string(),
  source: incidentSourceSchema,
  category: z.string(),
  roomId: idSchema.nullable(),
  roomName: z.string().nullable(),
  deviceName: z.string().nullable(),
  recordedBy: z.string().nullable(),
  createdAt: isoTimeSchema,
  /** Rings (and is offered as a desktop notification): see `urgentCategories`. */
  urgent: z.boolean(),
});
export type ConcernAlert = z.infer<typeof concernAlertSchema>;
export const concernAlertListSchema = z.object({ concerns: z.array(concernAlertSchema) });

/**
 * What the person who recorded a concern is told: when it was sent, when a DSL's dashboard
 * showed it and whose, and when a DSL acknowledged it.
 */
export const concernReceiptSchema = z.object({
  incidentId: idSchema,
  ref: z.string(),
  sentAt: isoTimeSchema,
  received: z.object({ at: isoTimeSchema, by: z.string() }).nullable(),
  acknowledged: z.object({ at: isoTimeSchema, by: z.string() }).nullable(),
});
export type ConcernReceipt = z.infer<typeof concernReceiptSchema>;

/** An action not yet done whose due date is today or earlier, or within the next week (the DSL's day). */
export const dueActionSchema = z.object({
  incidentId: idSchema,
  ref: z.string(),
  actionId: idSchema,
  what: z.string(),
  who: z.string(),
  due: z.string(),
  overdue: z.boolean(),
});
export type DueAction = z.infer<typeof dueActionSchema>;
export const dueActionListSchema = z.object({ actions: z.array(dueActionSchema) });

/** Every incident's actions, for the printable log (the record of action beside each concern). */
export const logActionListSchema = z.object({
  actions: z.array(
    z.object({
      incidentId: idSchema,
      what: z.string(),
      who: z.string(),
      due: z.string().nullable(),
      doneAt: isoTimeSchema.nullable(),
      outcome: z.string().nullable(),
    }),
  ),
});
export type LogActionList = z.infer<typeof logActionListSchema>;

/** The categories a member of staff can file a concern under now (retired ones left out). */
export const activeCategoriesSchema = z.object({
  categories: z.array(z.object({ id: z.string(), label: z.string() })),
});

export const incidentSchema = incidentSummarySchema.extend({
  details: incidentDetailsViewSchema,
  window: z
    .object({ title: z.string().nullable(), app: z.string().nullable(), url: z.string().nullable() })
    .nullable(),
  pupilChoice: z.string().nullable(),
  evidenceShared: z.boolean(),
  actions: z.array(incidentActionSchema),
  escalations: z.array(incidentEscalationSchema),
  people: z.array(incidentPersonSchema),
  links: z.array(
    z.object({ id: idSchema, ref: z.string(), category: z.string(), state: incidentStateSchema }),
  ),
  history: z.array(incidentHistoryEntrySchema),
  /** Whether (and by whom) the DSL has had it: for the person who recorded it. */
  receipt: concernReceiptSchema,
  /** What the viewer may do here. */
  canManage: z.boolean(),
});
export type Incident = z.infer<typeof incidentSchema>;

/** Most a list returns at once; "showing N of M" says when there are more. */
export const incidentListMax = 1000;
const listDate = (what: string) => z.iso.date({ error: `${what} must be a date, YYYY-MM-DD` });
/**
 * The incident list's filters, as they appear in the address (so a view can be bookmarked).
 * Every message says what to change in words a member of staff reads.
 */
export const incidentListQuerySchema = z
  .strictObject(
    {
      state: z
        .enum(incidentStates, { error: `status must be one of: ${incidentStates.join(', ')}` })
        .optional(),
      category: categoryIdSchema.optional(),
      /** A pupil's chronology key (as the chronology page uses): `pupil:<id>`, a login or a name. */
      pupil: z.string().max(256, { error: 'pupil must be at most 256 characters' }).optional(),
      /** A pupil on the school's roster. */
      pupilId: z.uuid({ error: 'pupilId must be a pupil’s id' }).optional(),
      /** The pupil's class (as the roster names it). */
      className: safeText(100, 'class').optional(),
      /** Assigned to this member of staff, or to nobody. */
      assignee: z
        .union([
          z.uuid({ error: 'assignee must be a member of staff’s id or “nobody”' }),
          z.literal('nobody'),
        ])
        .optional(),
      /** With an action not yet done that is overdue, or due within a week (overdue included). */
      due: z.enum(['overdue', 'week'], { error: 'due must be “overdue” or “week”' }).optional(),
      /** The school's date today (YYYY-MM-DD), for `due`. */
      today: listDate('today').optional(),
      /** Happened on or after this day / on or before this day (YYYY-MM-DD, the school's dates). */
      from: listDate('from').optional(),
      to: listDate('to').optional(),
      /** Words in the reference, summary, pupil's name or username. */
      q: safeText(100, 'search').optional(),
      /** One school's incidents (trust-level staff; others see only their own school's). */
      school: z.coerce
        .number({ error: 'school must be a school’s number' })
        .int({ error: 'school must be a school’s number' })
        .positive({ error: 'school must be a school’s number' })
        .optional(),
      limit: z.coerce
        .number({ error: 'limit must be a number' })
        .int({ error: 'limit must be a whole number' })
        .min(1, { error: 'limit must be at least 1' })
        .max(incidentListMax, { error: `limit must be at most ${incidentListMax}` })
        .default(200),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `unknown filter: ${issue.keys.join(', ')}` : undefined,
    },
  )
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ['to'],
    error: 'the “to” date is before the “from” date: swap them',
  });
export const incidentListSchema = z.object({
  incidents: z.array(incidentSummarySchema),
  /** How many incidents match, of which `incidents` are the newest (at most `limit`). */
  total: z.number().int(),
  /** The classes of the pupils in the records this viewer may see, for the class filter. */
  classes: z.array(z.string()),
});
export type IncidentList = z.infer<typeof incidentListSchema>;

export const createIncidentRequestSchema = z.strictObject({
  category: categoryIdSchema.default('unsorted'),
  occurredAt: isoTimeSchema.optional(),
  subject: incidentSubjectSchema.default({
    username: null,
    name: null,
    yearGroup: 'unknown',
    dateOfBirth: null,
    sex: 'not_recorded',
  }),
  details: incidentDetailsChangeSchema.default({}),
  deviceId: idSchema.optional(),
  summary: line('summary', 200),
});

export const updateIncidentRequestSchema = z
  .strictObject({
    category: categoryIdSchema.optional(),
    summary: line('summary', 200).optional(),
    subject: incidentSubjectChangeSchema.optional(),
    details: incidentDetailsChangeSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });

export const changeStateRequestSchema = z
  .strictObject({
    state: incidentStateSchema,
    outcome: incidentOutcomeSchema.optional(),
    note: text('note', 2000).optional(),
  })
  .refine((v) => v.state !== 'closed' || v.outcome !== undefined, {
    error: 'closing an incident needs an outcome',
    path: ['outcome'],
  });
export const reopenRequestSchema = z.strictObject({ reason: line('reason', 500) });
export const assignRequestSchema = z.strictObject({ userId: idSchema });
export const addActionRequestSchema = z.strictObject({
  what: line('action', 500),
  who: line('who', 120),
  due: z.iso.date({ error: 'due date must be YYYY-MM-DD' }).optional(),
});
export const updateActionRequestSchema = z.strictObject({
  done: z.boolean(),
  outcome: text('outcome', 2000).optional(),
});
export const actionParamsSchema = z.strictObject({ id: idSchema, actionId: idSchema });
export const addEscalationRequestSchema = z.strictObject({
  route: escalationRouteSchema,
  note: text('note', 2000).optional(),
});
export const addNoteRequestSchema = z.strictObject({
  text: text('note', 4000).pipe(z.string().min(1, { error: 'note must not be empty' })),
});
export const addLinkRequestSchema = z.strictObject({ incidentId: idSchema });
export const addPersonRequestSchema = z.strictObject({
  name: line('name', 120),
  username: line('username', 256).optional(),
  yearGroup: yearGroupSchema.default('unknown'),
  role: line('role', 80).default('involved'),
});
export const shareEvidenceRequestSchema = z.strictObject({ shared: z.boolean() });
export const markIllegalRequestSchema = z.strictObject({ note: text('note', 2000).optional() });
export const evidenceParamsSchema = z.strictObject({ id: idSchema, sha256: sha256Schema });

/** Attachments staff add by hand: images only, kept in the same hash-checked store as screenshots. */
export const attachmentMimes = ['image/png', 'image/jpeg'] as const;
export const maxAttachmentBytes = 8 * 1024 * 1024;

// ---- settings ---------------------------------------------------------------
/** Record types with their own retention period (the audit trail is kept whole: see docs/incidents.md). */
export const retentionRecordTypes = ['incidents', 'evidence'] as const;
export const retentionSchema = z.strictObject({
  /** Closed incidents, years after closing. Schools often keep safeguarding records much longer. */
  incidents: z.number().int().min(1).max(100).default(25),
  /** Screenshots and attachments of closed incidents, years after closing. */
  evidence: z.number().int().min(1).max(100).default(6),
});
export const smtpSettingsSchema = z.strictObject({
  host: line('SMTP host', 255),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  username: line('SMTP username', 255).optional(),
  password: z.string().max(255).optional(),
  from: line('from address', 254),
  to: z.array(line('recipient', 254)).min(1).max(20),
});
export const safeguardingSettingsSchema = z.object({
  categories: z.array(z.object({ id: z.string(), label: z.string(), retired: z.boolean() })),
  retention: z.object({ incidents: z.number(), evidence: z.number() }),
  /** Email when a new concern is waiting (the message names no pupil). The password is masked. */
  smtp: z
    .object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      username: z.string().optional(),
      password: z.string().optional(),
      from: z.string(),
      to: z.array(z.string()),
    })
    .nullable(),
  /** A school can let older pupils release their own covered screen. */
  pupilsMayRelease: z.boolean(),
  /** Whether a staff PIN is set (its argon2 hash is never sent). */
  staffPinSet: z.boolean(),
  /**
   * The school whose effective values these are (a school's staff: theirs; absent or null:
   * the trust's own defaults). The staff PIN, SMTP and pupilsMayRelease may be a school's own.
   */
  school: z.number().nullable().optional(),
  /** With `school`: which of the school's values come from the trust (it has none of its own). */
  inherited: z.object({ staffPin: z.boolean(), smtp: z.boolean(), pupilsMayRelease: z.boolean() }).optional(),
});
export type SafeguardingSettings = z.infer<typeof safeguardingSettingsSchema>;
export const updateSafeguardingSettingsSchema = z.strictObject({
  categories: z.array(incidentCategorySchema).min(1).max(100).optional(),
  retention: retentionSchema.partial().optional(),
  smtp: smtpSettingsSchema.nullable().optional(),
  pupilsMayRelease: z.boolean().optional(),
});
/**
 * A school's own values (`PATCH /api/safeguarding/schools/:id/settings`): null clears the
 * school's value, so the trust's applies again. Categories and retention are the trust's only.
 */
export const updateSchoolSafeguardingSettingsSchema = z.strictObject({
  smtp: smtpSettingsSchema.nullable().optional(),
  pupilsMayRelease: z.boolean().nullable().optional(),
});
export const setStaffPinRequestSchema = z.strictObject({
  pin: z.string().regex(/^[0-9]{4,8}$/, { error: 'the PIN must be 4 to 8 digits' }),
});

// ---- reports ---------------------------------------------------------------
export const pupilQuerySchema = z.strictObject({
  pupil: z.string().min(1).max(256),
  /**
   * The school whose pupil `pupil` (a login) is: a login is one pupil's within a school, so
   * trust-level staff name the school when two schools' pupils have it (else 400). A school's
   * staff always read their own school's.
   */
  school: z.coerce
    .number({ error: 'school must be a school’s number' })
    .int({ error: 'school must be a school’s number' })
    .positive({ error: 'school must be a school’s number' })
    .optional(),
});
export const chronologySchema = z.object({
  pupil: z.string(),
  entries: z.array(
    z.object({
      incidentId: idSchema,
      ref: z.string(),
      at: isoTimeSchema,
      kind: z.string(),
      text: z.string(),
      involvement: z.enum(['subject', 'involved']),
    }),
  ),
});
export type Chronology = z.infer<typeof chronologySchema>;

export const governorsQuerySchema = z
  .strictObject({
    from: z.iso.date({ error: 'from must be a date, YYYY-MM-DD' }).optional(),
    to: z.iso.date({ error: 'to must be a date, YYYY-MM-DD' }).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ['to'],
    error: 'the “to” date is before the “from” date: swap them',
  });
const countRow = z.object({ key: z.string(), label: z.string(), count: z.number().int() });
export const governorsReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  previousTotal: z.number().int(),
  byCategory: z.array(countRow),
  byYearGroup: z.array(countRow),
  byOutcome: z.array(countRow),
  bySource: z.array(countRow),
  byMonth: z.array(z.object({ month: z.string(), count: z.number().int() })),
});
export type GovernorsReport = z.infer<typeof governorsReportSchema>;

/** A signed checkpoint of the audit trail (kept outside the database): how long it was and its last hash. */
export const auditCheckpointSchema = z.object({
  entries: z.number().int(),
  head: z.string(),
  at: z.string(),
});
export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

export const auditVerifySchema = z.union([
  z.object({
    ok: z.literal(true),
    entries: z.number().int(),
    /** The newest checkpoint, for the DSL to note down: a later, shorter trail is then plain to see. */
    checkpoint: auditCheckpointSchema.nullable(),
  }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int(),
    /** The first entry found wrong; null when entries are missing from the end. */
    brokenAt: z.object({ id: z.number().int(), at: z.string(), action: z.string() }).nullable(),
    reason: z.string(),
    checkpoint: auditCheckpointSchema.nullable(),
  }),
]);
export type AuditVerify = z.infer<typeof auditVerifySchema>;

export const purgeRecordSchema = z.object({
  id: z.number().int(),
  at: isoTimeSchema,
  recordType: z.string(),
  count: z.number().int(),
  detail: z.string(),
});
export const purgeListSchema = z.object({ purges: z.array(purgeRecordSchema) });
