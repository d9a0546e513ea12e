/** A technician's changes to devices (rename, move, revoke), each audited. */
import type { Device } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import type { DeviceHub } from './hub.js';
import { roomVisibleTo } from './rooms.repository.js';

export async function changeDevice(
  db: Db,
  hub: DeviceHub,
  actor: SessionUser,
  id: string,
  change: { hostname?: string | undefined; roomId?: string | undefined },
): Promise<Device> {
  const { hostname, roomId } = change;
  const before = await hub.get(id);
  // Another school's device answers as one that does not exist (core/tenancy.ts).
  if (!before || !(await roomVisibleTo(db, actor, before.roomId))) throw notFound('Device');
  if (before.revoked) {
    throw new HarbourError('conflict', 'This device has been revoked; enrol it again to use it.');
  }
  if (roomId !== undefined && !(await roomVisibleTo(db, actor, roomId))) throw notFound('Room');
  const device = await hub.update(before.id, {
    ...(hostname !== undefined && { hostname }),
    ...(roomId !== undefined && { roomId }),
  });
  if (!device) throw notFound('Device');
  await audit(db, {
    actor: actor.id,
    action: 'device.update',
    subject: device.id,
    detail: {
      ...(hostname !== undefined && { hostname: { from: before.hostname, to: hostname } }),
      ...(roomId !== undefined && { roomId: { from: before.roomId, to: roomId } }),
    },
  });
  return device;
}

export async function revokeDevice(db: Db, hub: DeviceHub, actor: SessionUser, id: string): Promise<Device> {
  const before = await hub.get(id);
  if (!before || !(await roomVisibleTo(db, actor, before.roomId))) throw notFound('Device');
  const device = await hub.revoke(id);
  if (!device) throw notFound('Device');
  await audit(db, { actor: actor.id, action: 'device.revoke', subject: device.id });
  return device;
}
