import { sql } from 'kysely';
import { healthSchema } from '@harbour/shared';
import type { App, ServerContext } from '../../context.js';

const started = Date.now();

export function systemRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: { summary: 'Health check', tags: ['system'], response: { 200: healthSchema } },
    },
    async () => {
      await sql`select 1`.execute(ctx.db);
      return {
        status: 'ok' as const,
        version: ctx.version,
        database: 'ok' as const,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  );
}
