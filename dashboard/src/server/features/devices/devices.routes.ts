import {
  deviceHealthListSchema,
  deviceHealthQuerySchema,
  deviceListQuerySchema,
  deviceSchema,
  idParamsSchema,
  inventoryDeviceSchema,
  inventoryListSchema,
  type InventoryDevice,
  updateDeviceRequestSchema,
} from '@harbour/shared';
import { notFound } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { changeDevice, revokeDevice } from './devices.js';
import type { HealthSettings } from './health.js';
import { helperStoppedPrefix } from './health.js';
import { listHealth } from './health-history.js';
import { roomIdsOfSchool, roomsOfStaff } from './rooms.repository.js';
import type { DeviceHub } from './hub.js';
import { inventory, withInventory, type InventorySources } from './inventory.js';

/** A device as staff who are not the room's see it: nothing that names whose session it was. */
function withoutSessionNotes(device: InventoryDevice): InventoryDevice {
  return {
    ...device,
    stoppedInUse: null,
    tamper: [],
    health: device.health.filter((h) => !h.code.startsWith(helperStoppedPrefix)),
  };
}

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
    async (request) => {
      const user = currentUser(request);
      const schoolRooms = await roomIdsOfSchool(db, user.schoolId);
      const all = await inventory(db, hub, sources, health, { roomId: request.query.roomId });
      // A school's staff see their school's devices only (core/tenancy.ts).
      const devices = schoolRooms === null ? all : all.filter((d) => schoolRooms.includes(d.roomId));
      if (user.role !== 'teacher') return { devices };
      // Which pupil's session was left or stopped names a child: a teacher learns it only for
      // the rooms they are assigned to, as the live room view (the same rule) tells them.
      const mine = new Set(await roomsOfStaff(db, user.id));
      return { devices: devices.map((d) => (mine.has(d.roomId) ? d : withoutSessionNotes(d))) };
    },
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
      // A school's staff see their school's devices' problems only (core/tenancy.ts).
      problems: await listHealth(db, {
        deviceId: request.query.deviceId,
        includeCleared: request.query.includeCleared === 'true',
        roomIds: await roomIdsOfSchool(db, currentUser(request).schoolId),
      }),
    }),
  );
}
