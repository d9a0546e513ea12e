import {
  deviceHealthListSchema,
  deviceHealthQuerySchema,
  deviceListQuerySchema,
  deviceSchema,
  idParamsSchema,
  inventoryDeviceSchema,
  inventoryListSchema,
  updateDeviceRequestSchema,
} from '@harbour/shared';
import { notFound } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { changeDevice, revokeDevice } from './devices.js';
import type { HealthSettings } from './health.js';
import { listHealth } from './health-history.js';
import type { DeviceHub } from './hub.js';
import { inventory, withInventory, type InventorySources } from './inventory.js';

export function deviceRoutes(
  app: App,
  deps: { db: Db; hub: DeviceHub; sources: InventorySources; health: HealthSettings },
): void {
  const { db, hub, sources, health } = deps;
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
      devices: await inventory(db, hub, sources, health, { roomId: request.query.roomId }),
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
      const device = await changeDevice(db, hub, currentUser(request), request.params.id, request.body);
      const [row] = await withInventory(db, sources, [device], health);
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
    async (request) => revokeDevice(db, hub, currentUser(request), request.params.id),
  );
}

/** The history of the problems agents reported. */
export function deviceHealthRoutes(app: App, db: Db): void {
  app.get(
    '/api/device-health',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Problems agents report about themselves (missing prerequisites)',
        tags: ['devices'],
        querystring: deviceHealthQuerySchema,
        response: { 200: deviceHealthListSchema },
      },
    },
    async (request) => ({
      problems: await listHealth(db, {
        deviceId: request.query.deviceId,
        includeCleared: request.query.includeCleared === 'true',
      }),
    }),
  );
}
