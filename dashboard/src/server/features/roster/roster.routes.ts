import path from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import {
  academicSessionListSchema,
  classRoomRequestSchema,
  idParamsSchema,
  pupilListQuerySchema,
  pupilListSchema,
  rosterClassListSchema,
  rosterImportRefusedSchema,
  rosterImportResultSchema,
  rosterImportsSchema,
  type RosterImportResult,
} from '@harbour/shared';
import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import type { SessionUser } from '../../core/identity.js';
import { onlySchool, schoolExists } from '../../core/schools.js';
import type { Db } from '../../db/database.js';
import { inSchool } from '../../core/tenancy.js';
import { currentUser } from '../../http/plumbing.js';
import { contentHash, importRoster, recordRefusal, refusedResult } from './import.js';
import { rosterLimits } from './oneroster.js';
import { classesTaughtBy, listClasses, listPupils, listSessions } from './roster.repository.js';
import { isZip, readZip } from './zip.js';

const tags = ['roster'];

/**
 * The classes whose pupils `user` may see: a teacher their own; the DSL and admins all
 * (undefined). Always within the user's school too (the lists filter by it).
 */
export async function visibleClasses(db: Db, user: SessionUser): Promise<string[] | undefined> {
  return user.role === 'teacher' ? classesTaughtBy(db, user.email) : undefined;
}

const importQuerySchema = z.object({
  /** The school whose roster this is: trust-level admins name it when the trust has several. */
  school: z.coerce
    .number({ error: 'school must be a school’s number' })
    .int({ error: 'school must be a school’s number' })
    .positive({ error: 'school must be a school’s number' })
    .optional(),
});

/**
 * The school an upload is for: a school's admin imports their own school's roster only (naming
 * another is refused, 403); a trust-level admin names it (`?school=`), or gets the trust's
 * only school when there is one.
 */
async function importSchool(db: Db, actor: SessionUser, requested: number | undefined): Promise<number> {
  if (actor.schoolId !== null) {
    if (requested !== undefined && requested !== actor.schoolId)
      throw new HarbourError('forbidden', 'You can only import your own school’s roster.');
    return actor.schoolId;
  }
  if (requested !== undefined) {
    if (!(await schoolExists(db, requested)))
      throw new HarbourError('validation_failed', 'There is no such school.');
    return requested;
  }
  const only = await onlySchool(db);
  if (only === null)
    throw new HarbourError('validation_failed', 'Name the school whose roster this is (?school=).');
  return only;
}

const refusal = (result: RosterImportResult) => ({
  ...result,
  error: {
    code: 'validation_failed' as const,
    message: `The roster was not imported: ${result.errors} problem${result.errors === 1 ? '' : 's'}. Nothing has changed.`,
    issues: result.problems.map((p) => ({
      path: `${p.file}:${p.line}${p.field ? `:${p.field}` : ''}`,
      message: p.message,
    })),
  },
});

export function rosterRoutes(app: App, deps: { db: Db; folder: string | null; imported: () => void }): void {
  const { db } = deps;

  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: rosterLimits.fileBytes, files: 12, fields: 4, parts: 16, fieldSize: 1024 },
    });
    scope.post(
      '/api/roster/import',
      {
        config: { access: 'manageRoster', rawBody: true },
        bodyLimit: rosterLimits.totalBytes + 64 * 1024,
        schema: {
          summary:
            'Import the roster: the five OneRoster 1.1 CSV files, or one zip, as multipart/form-data. Refused whole if any row is bad',
          tags,
          querystring: importQuerySchema,
          consumes: ['multipart/form-data'],
          response: { 200: rosterImportResultSchema, 400: rosterImportRefusedSchema },
        },
      },
      async (request, reply) => {
        const actor = currentUser(request);
        // Before the body is read: nothing of a refused school's upload is stored.
        const { school } = request.query as z.output<typeof importQuerySchema>;
        let schoolId: number;
        try {
          schoolId = await importSchool(db, actor, school);
        } catch (error) {
          if (!(error instanceof HarbourError && error.code === 'validation_failed')) throw error;
          // No school to record it against: refused, as a bad file is, and nothing is stored.
          const result = refusedResult([
            { file: 'school', line: 0, field: 'school', message: error.message },
          ]);
          return reply.status(400).send(refusal(result));
        }
        if (!request.isMultipart()) {
          throw new HarbourError('unsupported_media_type', 'Send the roster files as multipart/form-data.');
        }
        const files = new Map<string, Buffer>();
        let total = 0;
        try {
          for await (const part of request.parts()) {
            if (part.type !== 'file') continue;
            const data = await part.toBuffer();
            total += data.length;
            if (total > rosterLimits.totalBytes) {
              throw new HarbourError('payload_too_large', 'The roster files are too large together.');
            }
            const name = path.basename(part.filename || part.fieldname).toLowerCase();
            if (isZip(data)) {
              for (const [inner, content] of await readZip(data)) files.set(inner, content);
            } else files.set(name, data);
          }
        } catch (error) {
          const e = error as { code?: string; message?: string };
          if (e.code === 'FST_REQ_FILE_TOO_LARGE') {
            throw new HarbourError(
              'payload_too_large',
              `A roster file is larger than ${rosterLimits.fileBytes / 1024 / 1024} MiB.`,
            );
          }
          if (e.code?.startsWith('FST_') && e.code.endsWith('_LIMIT')) {
            throw new HarbourError(
              'payload_too_large',
              'Too many parts: send the five CSV files or one zip.',
            );
          }
          if (error instanceof HarbourError && error.code === 'validation_failed') {
            // A zip that cannot be read, or would inflate too far: refused and recorded like bad rows.
            const result = refusedResult([{ file: 'zip', line: 0, field: null, message: error.message }]);
            await recordRefusal(db, {
              source: 'upload',
              actor: actor.id,
              hash: contentHash(files),
              result,
              schoolId,
            });
            return reply.status(400).send(refusal(result));
          }
          throw error;
        }
        const { ok, result } = await importRoster(db, files, 'upload', actor.id, schoolId);
        if (!ok) return reply.status(400).send(refusal(result));
        deps.imported();
        return result;
      },
    );
  });

  app.get(
    '/api/roster/imports',
    {
      config: { access: 'manageRoster' },
      schema: {
        summary: 'The last roster imports, with their reports',
        tags,
        response: { 200: rosterImportsSchema },
      },
    },
    async (request) => {
      // A school's admin reads their school's reports only: they name its pupils.
      const schoolId = currentUser(request).schoolId;
      let q = db.selectFrom('roster_imports').selectAll();
      if (schoolId !== null) q = q.where('school_id', '=', schoolId);
      const rows = await q.orderBy('at', 'desc').limit(20).execute();
      return {
        folder: deps.folder,
        imports: rows.map((r) => ({
          id: r.id,
          at: r.at,
          source: r.source,
          ok: r.ok === 1,
          result: JSON.parse(r.result) as RosterImportResult,
        })),
      };
    },
  );

  app.get(
    '/api/pupils',
    {
      config: { access: 'viewPupils' },
      schema: {
        summary: 'Pupils on the roster (a teacher: their classes only), by name or login',
        tags,
        querystring: pupilListQuerySchema,
        response: { 200: pupilListSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const classIds = await visibleClasses(db, user);
      return { pupils: await listPupils(db, { q: request.query.q, classIds, schoolId: user.schoolId }) };
    },
  );

  app.get(
    '/api/classes',
    {
      config: { access: 'viewPupils' },
      schema: {
        summary: 'Classes on the roster (a teacher: their own), with their teachers and room',
        tags,
        response: { 200: rosterClassListSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return { classes: await listClasses(db, await visibleClasses(db, user), user.schoolId) };
    },
  );

  app.get(
    '/api/terms',
    {
      // The school's calendar is no one's personal data: every member of staff may read it.
      config: { access: 'signedIn' },
      schema: {
        summary: 'The school’s terms and years from the roster (academicSessions.csv), oldest first',
        tags,
        response: { 200: academicSessionListSchema },
      },
    },
    async (request) => ({ sessions: await listSessions(db, currentUser(request).schoolId) }),
  );

  app.put(
    '/api/classes/:id/room',
    {
      config: { access: 'manageSupervision' },
      schema: {
        summary: 'The room a class is taught in: its teachers may supervise it',
        tags,
        params: idParamsSchema,
        body: classRoomRequestSchema,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { roomId } = request.body;
      const found = await db
        .selectFrom('roster_classes')
        .select(['id', 'school_id'])
        .where('id', '=', id)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      // Another school's class, and a room of another school than the class's, answer as
      // ones that do not exist (core/tenancy.ts).
      if (!found || !inSchool(currentUser(request), found.school_id)) throw notFound('Class');
      if (
        roomId &&
        (await db.selectFrom('rooms').select('school_id').where('id', '=', roomId).executeTakeFirst())
          ?.school_id !== found.school_id
      )
        throw notFound('Room');
      // One transaction, the audit entry first: its lock orders two admins' writes, so the
      // room the class ends up with is the one the trail names last.
      await db.transaction().execute(async (trx) => {
        await audit(trx, {
          actor: currentUser(request).id,
          action: 'roster.class_room',
          subject: id,
          detail: { roomId },
        });
        await trx.updateTable('roster_classes').set({ room_id: roomId }).where('id', '=', id).execute();
      });
      return { ok: true as const };
    },
  );
}
