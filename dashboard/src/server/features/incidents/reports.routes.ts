import {
  chronologySchema,
  governorsQuerySchema,
  governorsReportSchema,
  pupilQuerySchema,
  purgeListSchema,
} from '@harbour/shared';
import { z } from 'zod';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { chronology, governorsReport, incidentLogCsv, subjectAccessExport } from './reports.js';
import { listPurges, runRetention } from './retention.js';

export function incidentReportRoutes(app: App, db: Db, evidenceDir: string): void {
  app.get(
    '/api/incidents/export.csv',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: { summary: 'The incident log as CSV (recorded)', tags: ['reports'] },
    },
    async (request, reply) => {
      const csv = await incidentLogCsv(db, currentUser(request));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="incident-log-${new Date().toISOString().slice(0, 10)}.csv"`,
        )
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    '/api/chronology',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'One pupil’s chronology across all incidents, in date order',
        tags: ['reports'],
        querystring: pupilQuerySchema,
        response: { 200: chronologySchema },
      },
    },
    async (request) => chronology(db, request.query.pupil, currentUser(request), request.query.school),
  );

  app.get(
    '/api/reports/governors',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Termly governors’ report: anonymised counts, no names',
        tags: ['reports'],
        querystring: governorsQuerySchema,
        response: { 200: governorsReportSchema },
      },
    },
    async (request) => governorsReport(db, request.query, currentUser(request)),
  );

  app.get(
    '/api/subject-access',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Subject-access export: everything Harbour holds about one pupil (JSON, evidence as hashes)',
        tags: ['reports'],
        querystring: pupilQuerySchema,
      },
    },
    async (request, reply) => {
      const data = await subjectAccessExport(
        db,
        request.query.pupil,
        currentUser(request),
        request.query.school,
      );
      return reply
        .header('content-disposition', 'attachment; filename="subject-access.json"')
        .header('cache-control', 'no-store')
        .send(data);
    },
  );

  app.get(
    '/api/retention/purges',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'What retention purged, and when (a school’s staff: their school’s)',
        tags: ['reports'],
        response: { 200: purgeListSchema },
      },
    },
    async (request) => ({ purges: await listPurges(db, currentUser(request).schoolId) }),
  );

  app.post(
    '/api/retention/run',
    {
      config: { access: 'manageIncidents', secondFactor: true },
      schema: {
        summary: 'Run the retention purge now (a school’s staff: their school’s; it also runs daily)',
        tags: ['reports'],
        response: { 200: z.object({ evidence: z.number(), incidents: z.number() }) },
      },
    },
    async (request) => {
      // A school's DSL runs it for their school; trust-level staff for every school.
      const { id, schoolId } = currentUser(request);
      const result = await runRetention(db, evidenceDir, new Date(), schoolId ?? undefined);
      await audit(db, { actor: id, action: 'retention.run', detail: { ...result, school: schoolId } });
      return result;
    },
  );
}
