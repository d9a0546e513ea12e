import { auditVerifySchema, healthSchema } from '@harbour/shared';
import { sql } from 'kysely';
import type { AuditTrail } from '../../core/audit.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';

const started = Date.now();

export function systemRoutes(app: App, db: Db, trail: AuditTrail, version: string): void {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: { summary: 'Health check', tags: ['system'], response: { 200: healthSchema } },
    },
    async () => {
      await sql`select 1`.execute(db);
      return {
        status: 'ok' as const,
        version,
        database: 'ok' as const,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { access: 'verifyAudit' },
      schema: {
        summary:
          'Check the audit trail’s keyed hash chain against its signed checkpoints; names the first broken entry, or the entries missing from the end',
        tags: ['audit'],
        response: { 200: auditVerifySchema },
      },
    },
    async () => trail.verify(),
  );
}
