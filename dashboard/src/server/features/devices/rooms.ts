import type { Room } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { insertRoom, roomNamed, toRoom } from './rooms.repository.js';

export async function createRoom(db: Db, actor: SessionUser, name: string): Promise<Room> {
  if (await roomNamed(db, name))
    throw new HarbourError('conflict', `There is already a room called "${name}".`);
  const row = await insertRoom(db, name);
  await audit(db, { actor: actor.id, action: 'room.create', subject: row.id });
  return toRoom(row);
}
