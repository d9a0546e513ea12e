/**
 * The trust's schools (issue 18 item 4; docs/trust.md). Trust-level admins create and rename
 * schools. Every member of staff reads the list (the dashboard names the schools: a trust-level
 * DSL's incidents by school); a school's own staff read their school only and change none.
 */
import {
  createSchoolRequestSchema,
  schoolListSchema,
  schoolParamsSchema,
  schoolSchema,
  updateSchoolRequestSchema,
} from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import type { SessionUser } from '../../core/identity.js';
import { insertSchool, listSchools, schoolWithCode, updateSchool } from '../../core/schools.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';

const tags = ['schools'];

function trustLevelOnly(user: SessionUser): void {
  if (user.schoolId !== null)
    throw new HarbourError('forbidden', 'Only the trust’s administrators can create or change schools.');
}

export function schoolRoutes(app: App, db: Db): void {
  app.get(
    '/api/schools',
    {
      config: { access: 'signedIn' },
      schema: {
        summary: 'The trust’s schools (a school’s staff: their own)',
        tags,
        response: { 200: schoolListSchema },
      },
    },
    async (request) => ({ schools: await listSchools(db, currentUser(request).schoolId) }),
  );

  app.post(
    '/api/schools',
    {
      config: { access: 'manageUsers', secondFactor: true },
      schema: {
        summary: 'Create a school (trust-level admins)',
        tags,
        body: createSchoolRequestSchema,
        response: { 201: schoolSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      trustLevelOnly(actor);
      if (await schoolWithCode(db, request.body.code))
        throw new HarbourError('conflict', `There is already a school with the code "${request.body.code}".`);
      const school = await db.transaction().execute(async (trx) => {
        const created = await insertSchool(trx, request.body);
        await audit(trx, {
          actor: actor.id,
          action: 'school.create',
          subject: String(created.id),
          detail: request.body,
        });
        return created;
      });
      return reply.status(201).send(school);
    },
  );

  app.patch(
    '/api/schools/:id',
    {
      config: { access: 'manageUsers', secondFactor: true },
      schema: {
        summary: 'Rename a school or change its code (trust-level admins)',
        tags,
        params: schoolParamsSchema,
        body: updateSchoolRequestSchema,
        response: { 200: schoolSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      trustLevelOnly(actor);
      const { code } = request.body;
      const clash = code === undefined ? undefined : await schoolWithCode(db, code);
      if (clash && clash.id !== request.params.id)
        throw new HarbourError('conflict', `There is already a school with the code "${code}".`);
      const school = await updateSchool(db, request.params.id, request.body);
      if (!school) throw notFound('School');
      await audit(db, {
        actor: actor.id,
        action: 'school.update',
        subject: String(school.id),
        detail: request.body,
      });
      return school;
    },
  );
}
