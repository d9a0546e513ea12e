import { randomUUID } from 'node:crypto';
import {
  actionParamsSchema,
  addActionRequestSchema,
  addEscalationRequestSchema,
  addLinkRequestSchema,
  addNoteRequestSchema,
  addPersonRequestSchema,
  assignRequestSchema,
  changeStateRequestSchema,
  createIncidentRequestSchema,
  evidenceParamsSchema,
  idParamsSchema,
  incidentListQuerySchema,
  incidentListSchema,
  incidentSchema,
  markIllegalRequestSchema,
  maxAttachmentBytes,
  reopenRequestSchema,
  shareEvidenceRequestSchema,
  updateIncidentRequestSchema,
} from '@harbour/shared';
import { z } from 'zod';
import type { SessionUser } from '../../core/identity.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import type { EvidenceRules } from '../evidence/index.js';
import type { IncidentNotifier } from './notify.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { schoolLabel } from '../../core/schools.js';
import {
  addAttachment,
  markSuspectedIllegal,
  readEvidenceForDisplay,
  recordReveal,
  sealedExport,
} from './evidence.js';
import * as workflow from './workflow.js';
import { createIncident, listIncidents, loadIncident, visibleIncidentRow } from './incidents.js';

const tags = ['incidents'];

export function incidentRoutes(
  app: App,
  deps: { db: Db; evidenceDir: string; notifier: IncidentNotifier; rules: EvidenceRules },
): void {
  const { db, evidenceDir, notifier, rules } = deps;
  /** Loads the incident for this viewer (row-level check) and records the read. */
  async function read(id: string, viewer: SessionUser) {
    const row = await visibleIncidentRow(db, id, viewer);
    // The school is named so that a trust-level reader's reads of each school can be found.
    await audit(db, {
      actor: viewer.id,
      action: 'incident.view',
      subject: id,
      detail: { school: await schoolLabel(db, row.school_id), trustLevel: viewer.schoolId === null },
    });
    return loadIncident(db, row, viewer);
  }

  app.get(
    '/api/incidents',
    {
      config: { access: 'viewIncidents', secondFactor: true },
      schema: {
        summary: 'Incidents this user may see, newest first',
        tags,
        querystring: incidentListQuerySchema,
        response: { 200: incidentListSchema },
      },
    },
    async (request) => {
      const viewer = currentUser(request);
      const list = await listIncidents(db, viewer, request.query);
      await audit(db, {
        actor: viewer.id,
        action: 'incident.list',
        detail: {
          filter: request.query,
          // Which schools' records this list read: the viewer's own, or (trust-level) the filter's or all.
          school:
            viewer.schoolId !== null
              ? await schoolLabel(db, viewer.schoolId)
              : request.query.school !== undefined
                ? await schoolLabel(db, request.query.school)
                : 'every school',
          ids: list.incidents.map((i) => i.id),
        },
      });
      return list;
    },
  );

  app.post(
    '/api/incidents',
    {
      // Recording a concern needs no second factor (as in CPOMS); opening records does.
      config: { access: 'viewIncidents' },
      schema: {
        summary: 'Record an incident by hand (for example a pupil’s disclosure)',
        tags,
        body: createIncidentRequestSchema,
        response: { 201: incidentSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const body = request.body;
      await workflow.checkCategory(db, body.category);
      const row = await db.transaction().execute((trx) =>
        createIncident(trx, {
          source: 'manual',
          category: body.category,
          summary: body.summary,
          occurredAt: body.occurredAt ?? new Date().toISOString(),
          createdBy: actor.id,
          actor: actor.id,
          deviceId: body.deviceId ?? null,
          recorderSchoolId: actor.schoolId,
          subject: body.subject,
          details: body.details,
          sourceRef: randomUUID(),
        }),
      );
      await notifier.created(row);
      return reply.status(201).send(await read(row.id, actor));
    },
  );

  app.get(
    '/api/incidents/:id',
    {
      config: { access: 'viewIncidents', secondFactor: true },
      schema: {
        summary: 'One incident with its history (the read is recorded)',
        tags,
        params: idParamsSchema,
        response: { 200: incidentSchema },
      },
    },
    async (request) => read(request.params.id, currentUser(request)),
  );

  // ---- the DSL works the incident --------------------------------------------------
  const manage = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    run: (id: string, actor: SessionUser, body: z.output<B>) => Promise<unknown>,
    method: 'POST' | 'PATCH' = 'POST',
  ) =>
    app.route({
      method,
      url: `/api/incidents/:id${path}`,
      config: { access: 'manageIncidents', secondFactor: true },
      schema: { summary, tags, params: idParamsSchema, body, response: { 200: incidentSchema } },
      handler: async (request) => {
        const actor = currentUser(request);
        const { id } = request.params;
        // Another school's incident answers 404 before anything is changed (core/tenancy.ts).
        await visibleIncidentRow(db, id, actor);
        await run(id, actor, request.body as z.output<B>);
        return read(id, actor);
      },
    });

  manage(
    '',
    'Change the record’s fields (every change is kept)',
    updateIncidentRequestSchema,
    (id, a, b) => workflow.updateIncident(db, id, a, b),
    'PATCH',
  );
  manage(
    '/state',
    'Move the incident on (closing needs an outcome; closed incidents must be reopened)',
    changeStateRequestSchema,
    async (id, a, b) => {
      const before = await workflow.stateOf(db, id);
      await workflow.changeState(db, id, a, b.state, b.outcome, b.note);
      if (before === 'new' && b.state !== 'new') await notifier.receiptChanged(await workflow.rowOf(db, id));
    },
  );
  manage('/reopen', 'Reopen a closed incident, with a reason (recorded)', reopenRequestSchema, (id, a, b) =>
    workflow.reopenIncident(db, id, a, b.reason),
  );
  manage('/assign', 'Assign the incident to the DSL or a deputy', assignRequestSchema, (id, a, b) =>
    workflow.assignIncident(db, id, a, b.userId),
  );
  manage('/actions', 'Add an action (what, who, due date)', addActionRequestSchema, (id, a, b) =>
    workflow.addAction(db, id, a, b),
  );
  manage('/escalations', 'Record the escalation route taken', addEscalationRequestSchema, (id, a, b) =>
    workflow.addEscalation(db, id, a, b.route, b.note),
  );
  manage('/links', 'Link this incident to another', addLinkRequestSchema, (id, a, b) =>
    workflow.addLink(db, id, a, b.incidentId),
  );
  manage('/people', 'Record another pupil or person involved', addPersonRequestSchema, (id, a, b) =>
    workflow.addPerson(db, id, a, b),
  );
  manage(
    '/share-evidence',
    'Share (or stop sharing) the evidence with teachers who can see the incident',
    shareEvidenceRequestSchema,
    (id, a, b) => workflow.shareEvidence(db, id, a, b.shared),
  );

  app.patch(
    '/api/incidents/:id/actions/:actionId',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Mark an action done (or not) with its outcome',
        tags,
        params: actionParamsSchema,
        body: z.strictObject({ done: z.boolean(), outcome: z.string().max(2000).optional() }),
        response: { 200: incidentSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await visibleIncidentRow(db, request.params.id, actor);
      await workflow.updateAction(db, request.params.id, request.params.actionId, actor, request.body);
      return read(request.params.id, actor);
    },
  );

  app.post(
    '/api/incidents/:id/notes',
    {
      config: { access: 'viewIncidents', secondFactor: true },
      schema: {
        summary: 'Add a note (what was heard and told, a follow-up)',
        tags,
        params: idParamsSchema,
        body: addNoteRequestSchema,
        response: { 200: incidentSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await visibleIncidentRow(db, request.params.id, actor);
      await workflow.addNote(db, request.params.id, actor, request.body.text);
      return read(request.params.id, actor);
    },
  );

  // ---- evidence -------------------------------------------------------------------
  app.get(
    '/api/incidents/:id/evidence/:sha256',
    {
      config: { access: 'viewIncidents', secondFactor: true },
      schema: {
        summary:
          'The evidence file, hash-checked; refused once marked suspected illegal (every read recorded)',
        tags,
        params: evidenceParamsSchema,
      },
    },
    async (request, reply) => {
      const viewer = currentUser(request);
      const { data, mime } = await readEvidenceForDisplay(
        db,
        rules,
        request.params.id,
        request.params.sha256,
        viewer,
      );
      return reply
        .header('content-type', mime)
        .header('cache-control', 'no-store')
        .header('x-harbour-sha256', request.params.sha256)
        .send(data);
    },
  );

  app.post(
    '/api/incidents/:id/evidence/:sha256/reveal',
    {
      config: { access: 'viewIncidents', secondFactor: true },
      schema: {
        summary: 'Record that a screenshot was deliberately un-blurred',
        tags,
        params: evidenceParamsSchema,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      await recordReveal(db, rules, request.params.id, request.params.sha256, currentUser(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/api/incidents/:id/evidence/:sha256/suspected-illegal',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Mark as a suspected illegal image: nobody can display it from now on',
        tags,
        params: evidenceParamsSchema,
        body: markIllegalRequestSchema,
        response: { 200: incidentSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await visibleIncidentRow(db, request.params.id, actor);
      await markSuspectedIllegal(db, request.params.id, request.params.sha256, actor, request.body.note);
      return read(request.params.id, actor);
    },
  );

  app.get(
    '/api/incidents/:id/sealed-export',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'The sealed evidence package for the police (tar.gz with hashes and a manifest); recorded',
        tags,
        params: idParamsSchema,
      },
    },
    async (request, reply) => {
      await visibleIncidentRow(db, request.params.id, currentUser(request));
      const pkg = await sealedExport(db, evidenceDir, request.params.id, currentUser(request));
      return reply
        .header('content-type', 'application/gzip')
        .header('content-disposition', `attachment; filename="${pkg.fileName}"`)
        .header('cache-control', 'no-store')
        .header('x-harbour-manifest-sha256', pkg.manifestSha256)
        .header('x-harbour-package-sha256', pkg.packageSha256)
        .send(pkg.data);
    },
  );

  // Attachments arrive as raw bytes; this scope accepts any content type so a wrong one
  // gets a clear message from addAttachment rather than a generic "send JSON".
  void app.register((scoped: App, _opts, done) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: maxAttachmentBytes + 1024 },
      (_req, body, next) => next(null, body),
    );
    scoped.post(
      '/api/incidents/:id/attachments',
      {
        config: { access: 'manageIncidents', rawBody: true, secondFactor: true },
        bodyLimit: maxAttachmentBytes + 1024,
        schema: {
          summary: 'Attach a PNG or JPEG image (raw body, at most 8 MiB)',
          tags,
          params: idParamsSchema,
          querystring: z.strictObject({ label: z.string().max(200).optional() }),
          response: { 201: incidentSchema },
        },
      },
      async (request, reply) => {
        const actor = currentUser(request);
        await visibleIncidentRow(db, request.params.id, actor);
        const data = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        await addAttachment(db, evidenceDir, request.params.id, actor, {
          data,
          contentType: request.headers['content-type'],
          label: request.query.label ?? null,
        });
        return reply.status(201).send(await read(request.params.id, actor));
      },
    );
    done();
  });
}
