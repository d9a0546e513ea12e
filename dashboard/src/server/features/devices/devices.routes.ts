import {
  deviceListQuerySchema,
  deviceSchema,
  idParamsSchema,
  inventoryDeviceSchema,
  inventoryListSchema,
  updateDeviceRequestSchema,
} from '@harbour/shared';
import type { App, ServerContext } from '../../context.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { inventory, withInventory } from './inventory.js';

export function deviceRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/devices',
    {
      config: { access: 'viewDevices' },
      schema: {
        summary: 'List enrolled devices (the inventory), optionally in one room, each with its health',
        tags: ['devices'],
        querystring: deviceListQuerySchema,
        response: { 200: inventoryListSchema },
      },
    },
    async (request) => ({
      devices: await inventory(ctx.db, ctx.hub, ctx.health, { roomId: request.query.roomId }),
    }),
  );

  app.patch(
    '/api/devices/:id',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Rename a device or move it to another room',
        tags: ['devices'],
        params: idParamsSchema,
        body: updateDeviceRequestSchema,
        response: { 200: inventoryDeviceSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const { hostname, roomId } = request.body;
      const before = await ctx.hub.get(request.params.id);
      if (!before) throw notFound('Device');
      if (before.revoked) {
        throw new HarbourError('conflict', 'This device has been revoked; enrol it again to use it.');
      }
      if (roomId !== undefined) {
        const room = await ctx.db
          .selectFrom('rooms')
          .select('id')
          .where('id', '=', roomId)
          .executeTakeFirst();
        if (!room) throw notFound('Room');
      }
      const device = await ctx.hub.update(before.id, {
        ...(hostname !== undefined && { hostname }),
        ...(roomId !== undefined && { roomId }),
      });
      if (!device) throw notFound('Device');
      await audit(ctx.db, {
        actor: actor.id,
        action: 'device.update',
        subject: device.id,
        detail: {
          ...(hostname !== undefined && { hostname: { from: before.hostname, to: hostname } }),
          ...(roomId !== undefined && { roomId: { from: before.roomId, to: roomId } }),
        },
      });
      const [row] = await withInventory(ctx.db, [device], ctx.health);
      if (!row) throw notFound('Device');
      return row;
    },
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
