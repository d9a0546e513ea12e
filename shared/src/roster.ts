/**
 * The school's roster (issue 17, item 4): pupils, classes and staff imported from OneRoster 1.1
 * CSV, and the person behind a computer's login name. See docs/roster.md.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';
import { yearGroupSchema } from './incidents.js';
import { apiErrorSchema } from './result.js';

/** Key stages of a primary school, from the year group (Nursery and Reception are the EYFS). */
export const keyStages = ['EYFS', 'KS1', 'KS2'] as const;
export const keyStageSchema = z.enum(keyStages);
export type KeyStage = z.infer<typeof keyStageSchema>;

export function keyStageOf(yearGroup: string | null): KeyStage | null {
  if (yearGroup === 'N' || yearGroup === 'R') return 'EYFS';
  if (yearGroup === 'Y1' || yearGroup === 'Y2') return 'KS1';
  if (yearGroup === 'Y3' || yearGroup === 'Y4' || yearGroup === 'Y5' || yearGroup === 'Y6') return 'KS2';
  return null;
}

/** One bad row (or a whole file) of an import: where, which field, what is wrong. */
export const rosterProblemSchema = z.object({
  file: z.string(),
  /** The line in the file (1 is the header); 0 for the file as a whole. */
  line: z.number().int(),
  field: z.string().nullable(),
  message: z.string(),
});
export type RosterProblem = z.infer<typeof rosterProblemSchema>;

const changeCountsSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  left: z.number().int(),
});
export type RosterChangeCounts = z.infer<typeof changeCountsSchema>;

/**
 * `POST /api/roster/import` (stable): how many pupils, classes and staff the roster now has and
 * how many bad rows it had (then nothing was imported), with what changed and every problem.
 */
export const rosterImportResultSchema = z.object({
  pupils: z.number().int(),
  classes: z.number().int(),
  staff: z.number().int(),
  errors: z.number().int(),
  problems: z.array(rosterProblemSchema),
  changes: z
    .object({ pupils: changeCountsSchema, classes: changeCountsSchema, staff: changeCountsSchema })
    .nullable(),
  /** The names of pupils who were added, or have left, in this import (at most 200 of each). */
  added: z.array(z.string()),
  left: z.array(z.string()),
});
export type RosterImportResult = z.infer<typeof rosterImportResultSchema>;
/** A refused import: the counts (zero, with `errors`) and the uniform error, its issues `file:line:field`. */
export const rosterImportRefusedSchema = rosterImportResultSchema.extend(apiErrorSchema.shape);

export const rosterImportRecordSchema = z.object({
  id: idSchema,
  at: isoTimeSchema,
  source: z.enum(['upload', 'folder']),
  ok: z.boolean(),
  result: rosterImportResultSchema,
});
export const rosterImportsSchema = z.object({
  imports: z.array(rosterImportRecordSchema),
  /** The folder a scheduled import reads (HARBOUR_ROSTER_DIR), if any. */
  folder: z.string().nullable(),
});

export const classRefSchema = z.object({ id: idSchema, name: z.string() });

/** `GET /api/pupils?q=` (stable). */
export const pupilSchema = z.object({
  id: idSchema,
  name: z.string(),
  yearGroup: yearGroupSchema,
  keyStage: keyStageSchema.nullable(),
  classes: z.array(classRefSchema),
  /** The computer login names that are this pupil (lower case). */
  logins: z.array(z.string()),
});
export type Pupil = z.infer<typeof pupilSchema>;
export const pupilListQuerySchema = z.strictObject({
  q: z.string().trim().max(100, { error: 'q is at most 100 characters' }).optional(),
});
export const pupilListSchema = z.object({ pupils: z.array(pupilSchema) });

export const rosterClassSchema = z.object({
  id: idSchema,
  name: z.string(),
  yearGroup: yearGroupSchema,
  keyStage: keyStageSchema.nullable(),
  pupils: z.number().int(),
  /** Harbour accounts of the class's teachers (matched by email). */
  teachers: z.array(z.object({ id: idSchema, name: z.string() })),
  roomId: idSchema.nullable(),
});
export type RosterClass = z.infer<typeof rosterClassSchema>;
export const rosterClassListSchema = z.object({ classes: z.array(rosterClassSchema) });
export const classRoomRequestSchema = z.strictObject({ roomId: idSchema.nullable() });

/**
 * The person behind an OS login, where it is shown (tiles, timelines, the register, flags,
 * incidents). `known: false` is a login no pupil on the roster has.
 */
export const personSchema = z.object({
  known: z.boolean(),
  pupilId: idSchema.nullable(),
  name: z.string().nullable(),
  yearGroup: yearGroupSchema,
  keyStage: keyStageSchema.nullable(),
  className: z.string().nullable(),
});
export type Person = z.infer<typeof personSchema>;

/** The school's terms and years from the roster (academicSessions.csv), oldest first. */
export const academicSessionSchema = z.object({
  id: z.string(),
  title: z.string(),
  type: z.string(),
  /** YYYY-MM-DD, both days included. */
  startDate: z.string(),
  endDate: z.string(),
});
export type AcademicSession = z.infer<typeof academicSessionSchema>;
export const academicSessionListSchema = z.object({ sessions: z.array(academicSessionSchema) });
