import { flagListQuerySchema, flagListSchema } from '@harbour/shared';
import type { App, ServerContext } from '../context.js';
import { currentUser } from '../http/plumbing.js';
import { audit } from '../services/audit.js';
import { listFlags } from '../services/flags.js';

/** Flags raised by watch-list matches. Reading them is audited. */
export function flagRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/flags',
    {
      config: { access: 'viewFlags' },
      schema: {
        summary: 'Flags, newest first, optionally for one room or device and time range',
        tags: ['flags'],
        querystring: flagListQuerySchema,
        response: { 200: flagListSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const flags = await listFlags(ctx.db, request.query);
      await audit(ctx.db, {
        actor: actor.id,
        action: 'flags.read',
        detail: { ...request.query, rows: flags.length },
      });
      return { flags };
    },
  );
}
