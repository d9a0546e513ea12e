import { deviceListQuerySchema, deviceListSchema, deviceSchema, idParamsSchema } from '@harbour/shared';
import type { App, ServerContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { currentUser } from '../http/plumbing.js';
import { audit } from '../services/audit.js';

export function deviceRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/devices',
    {
      config: { access: 'viewDevices' },
      schema: {
        summary: 'List enrolled devices, optionally in one room',
        tags: ['devices'],
        querystring: deviceListQuerySchema,
        response: { 200: deviceListSchema },
      },
    },
    async (request) => ({ devices: await ctx.hub.list({ roomId: request.query.roomId }) }),
  );

  app.post(
    '/api/devices/:id/revoke',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Revoke a device: its credential stops working at once, open connection included',
        tags: ['devices'],
        params: idParamsSchema,
        response: { 200: deviceSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const device = await ctx.hub.revoke(request.params.id);
      if (!device) throw notFound('Device');
      await audit(ctx.db, { actor: actor.id, action: 'device.revoke', subject: device.id });
      return device;
    },
  );
}
