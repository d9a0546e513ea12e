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
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { contentHash, importRoster, recordRefusal, refusedResult } from './import.js';
import { rosterLimits } from './oneroster.js';
import { classesTaughtBy, listClasses, listPupils, listSessions } from './roster.repository.js';
import { isZip, readZip } from './zip.js';

const tags = ['roster'];

/** The classes whose pupils `user` may see: a teacher their own; the DSL and admins all (undefined). */
export async function visibleClasses(db: Db, user: SessionUser): Promise<string[] | undefined> {
  return user.role === 'teacher' ? classesTaughtBy(db, user.email) : undefined;
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
          consumes: ['multipart/form-data'],
          response: { 200: rosterImportResultSchema, 400: rosterImportRefusedSchema },
        },
      },
      async (request, reply) => {
        const actor = currentUser(request);
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
            await recordRefusal(db, { source: 'upload', actor: actor.id, hash: contentHash(files), result });
            return reply.status(400).send(refusal(result));
          }
          throw error;
        }
        const { ok, result } = await importRoster(db, files, 'upload', actor.id);
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
    async () => {
      const rows = await db
        .selectFrom('roster_imports')
        .selectAll()
        .orderBy('at', 'desc')
        .limit(20)
        .execute();
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
      const classIds = await visibleClasses(db, currentUser(request));
      return { pupils: await listPupils(db, { q: request.query.q, classIds }) };
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
    async (request) => ({
      classes: await listClasses(db, await visibleClasses(db, currentUser(request))),
    }),
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
    async () => ({ sessions: await listSessions(db) }),
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
        .select('id')
        .where('id', '=', id)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      if (!found) throw notFound('Class');
      if (roomId && !(await db.selectFrom('rooms').select('id').where('id', '=', roomId).executeTakeFirst()))
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
