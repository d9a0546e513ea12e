import {
  auditVerifySchema,
  chronologySchema,
  governorsQuerySchema,
  governorsReportSchema,
  pupilQuerySchema,
  purgeListSchema,
} from '@harbour/shared';
import { z } from 'zod';
import type { App, ServerContext } from '../../context.js';
import { currentUser } from '../../http/plumbing.js';
import { audit, verifyAuditChain } from '../../core/audit.js';
import { chronology, governorsReport, incidentLogCsv, subjectAccessExport } from './reports.js';
import { runRetention } from './retention.js';

export function incidentReportRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/incidents/export.csv',
    {
      config: { access: 'manageIncidents' },
      schema: { summary: 'The incident log as CSV (recorded)', tags: ['reports'] },
    },
    async (request, reply) => {
      const csv = await incidentLogCsv(ctx.db, currentUser(request));
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
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'One pupil’s chronology across all incidents, in date order',
        tags: ['reports'],
        querystring: pupilQuerySchema,
        response: { 200: chronologySchema },
      },
    },
    async (request) => chronology(ctx.db, request.query.pupil, currentUser(request)),
  );

  app.get(
    '/api/reports/governors',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'Termly governors’ report: anonymised counts, no names',
        tags: ['reports'],
        querystring: governorsQuerySchema,
        response: { 200: governorsReportSchema },
      },
    },
    async (request) => governorsReport(ctx.db, request.query, currentUser(request)),
  );

  app.get(
    '/api/subject-access',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'Subject-access export: everything Harbour holds about one pupil (JSON, evidence as hashes)',
        tags: ['reports'],
        querystring: pupilQuerySchema,
      },
    },
    async (request, reply) => {
      const data = await subjectAccessExport(ctx.db, request.query.pupil, currentUser(request));
      return reply
        .header('content-disposition', 'attachment; filename="subject-access.json"')
        .header('cache-control', 'no-store')
        .send(data);
    },
  );

  app.get(
    '/api/retention/purges',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'What retention purged, and when',
        tags: ['reports'],
        response: { 200: purgeListSchema },
      },
    },
    async () => {
      const rows = await ctx.db
        .selectFrom('retention_purges')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(500)
        .execute();
      return {
        purges: rows.map((r) => ({
          id: r.id,
          at: r.at,
          recordType: r.record_type,
          count: r.count,
          detail: r.detail,
        })),
      };
    },
  );

  app.post(
    '/api/retention/run',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'Run the retention purge now (it also runs daily)',
        tags: ['reports'],
        response: { 200: z.object({ evidence: z.number(), incidents: z.number() }) },
      },
    },
    async (request) => {
      const result = await runRetention(ctx.db, ctx.dataDir);
      await audit(ctx.db, { actor: currentUser(request).id, action: 'retention.run', detail: result });
      return result;
    },
  );
}

export function auditRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/audit/verify',
    {
      config: { access: 'verifyAudit' },
      schema: {
        summary: 'Check the audit trail’s hash chain; names the first broken entry',
        tags: ['audit'],
        response: { 200: auditVerifySchema },
      },
    },
    async () => verifyAuditChain(ctx.db),
  );
}
