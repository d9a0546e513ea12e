import {
  activeCategoriesSchema,
  concernAlertListSchema,
  concernReceiptSchema,
  dueActionListSchema,
  logActionListSchema,
  idParamsSchema,
} from '@harbour/shared';
import { z } from 'zod';
import { audit } from '../../core/audit.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { visibleIncidentRow } from './incidents.js';
import { dueActions, markReceived, receiptFor, receiptOf, waitingConcerns } from './concerns.js';
import type { IncidentNotifier } from './notify.js';
import { categories } from './settings.js';
import * as workflow from './workflow.js';

const tags = ['incidents'];

export function concernRoutes(app: App, db: Db, notifier: IncidentNotifier): void {
  // The alert itself needs no second factor: it names no pupil, and a DSL must never miss
  // one because their authenticator is at home. Opening the record still needs it.
  app.get(
    '/api/concerns',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'Concerns no DSL has acknowledged yet, newest first (for the banner and the count)',
        tags,
        response: { 200: concernAlertListSchema },
      },
    },
    async (request) => ({ concerns: await waitingConcerns(db, currentUser(request).schoolId) }),
  );

  app.post(
    '/api/concerns/:id/received',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'This DSL’s dashboard has shown the concern (recorded once, for the person who recorded it)',
        tags,
        params: idParamsSchema,
        response: { 200: concernReceiptSchema },
      },
    },
    async (request) => {
      const { row, first } = await markReceived(db, request.params.id, currentUser(request));
      if (first) await notifier.receiptChanged(row);
      return receiptOf(db, row);
    },
  );

  app.post(
    '/api/concerns/:id/acknowledge',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Acknowledge a new concern (moves it to “acknowledged”; a second time changes nothing)',
        tags,
        params: idParamsSchema,
        response: { 200: concernReceiptSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const { id } = request.params;
      await visibleIncidentRow(db, id, actor);
      const did = await workflow.acknowledgeConcern(db, id, actor);
      const row = await workflow.rowOf(db, id);
      if (did) await notifier.receiptChanged(row);
      return receiptOf(db, row);
    },
  );

  app.get(
    '/api/concerns/:id/receipt',
    {
      config: { access: 'viewIncidents' },
      schema: {
        summary: 'Whether the DSL has had a concern you recorded, and who',
        tags,
        params: idParamsSchema,
        response: { 200: concernReceiptSchema },
      },
    },
    async (request) => receiptFor(db, request.params.id, currentUser(request)),
  );

  app.get(
    '/api/actions/due',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Actions not yet done that are overdue or due within a week, overdue first',
        tags,
        // The school's date today, from the browser (the server may run in another time zone).
        querystring: z.strictObject({ today: z.iso.date({ error: 'today must be a date, YYYY-MM-DD' }) }),
        response: { 200: dueActionListSchema },
      },
    },
    async (request) => ({
      actions: await dueActions(db, request.query.today, currentUser(request).schoolId),
    }),
  );

  app.get(
    '/api/actions',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Every incident’s actions, oldest first (for the printable incident log)',
        tags,
        response: { 200: logActionListSchema },
      },
    },
    async (request) => {
      const schoolId = currentUser(request).schoolId;
      const rows = await db
        .selectFrom('incident_actions')
        .select(['incident_id', 'what', 'who', 'due', 'done_at', 'outcome'])
        // A school's staff list their school's incidents' actions only (core/tenancy.ts).
        .$if(schoolId !== null, (q) =>
          q.where('incident_id', 'in', (eb) =>
            eb
              .selectFrom('incidents')
              .select('id')
              .where('school_id', '=', schoolId ?? -1),
          ),
        )
        .orderBy('created_at')
        .limit(10_000)
        .execute();
      await audit(db, {
        actor: currentUser(request).id,
        action: 'incident.actions_list',
        detail: { rows: rows.length },
      });
      return {
        actions: rows.map((r) => ({
          incidentId: r.incident_id,
          what: r.what,
          who: r.who,
          due: r.due,
          doneAt: r.done_at,
          outcome: r.outcome,
        })),
      };
    },
  );

  app.get(
    '/api/incidents/categories',
    {
      config: { access: 'viewIncidents' },
      schema: {
        summary:
          'The categories a concern can be recorded under (the school’s own list, retired ones left out)',
        tags,
        response: { 200: activeCategoriesSchema },
      },
    },
    async () => ({
      categories: (await categories(db)).filter((c) => !c.retired).map((c) => ({ id: c.id, label: c.label })),
    }),
  );
}
