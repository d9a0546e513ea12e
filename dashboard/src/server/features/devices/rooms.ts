import type { Room } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { onlySchool, schoolExists } from '../../core/schools.js';
import { insertRoom, roomNamed, toRoom } from './rooms.repository.js';

/**
 * Creates a room in a school: a school's own staff create rooms in their school only (naming
 * another is refused and nothing is written); trust-level staff name the school, or get the
 * trust's only school when there is one.
 */
export async function createRoom(
  db: Db,
  actor: SessionUser,
  name: string,
  requestedSchool?: number,
): Promise<Room> {
  let schoolId: number;
  if (actor.schoolId !== null) {
    if (requestedSchool !== undefined && requestedSchool !== actor.schoolId)
      throw new HarbourError('forbidden', 'You can only create rooms in your own school.');
    schoolId = actor.schoolId;
  } else if (requestedSchool !== undefined) {
    if (!(await schoolExists(db, requestedSchool)))
      throw new HarbourError('validation_failed', 'There is no such school.');
    schoolId = requestedSchool;
  } else {
    const only = await onlySchool(db);
    if (only === null)
      throw new HarbourError('validation_failed', 'Choose the school the room is in (schoolId).');
    schoolId = only;
  }
  if (await roomNamed(db, name))
    throw new HarbourError('conflict', `There is already a room called "${name}".`);
  const row = await insertRoom(db, name, schoolId);
  await audit(db, { actor: actor.id, action: 'room.create', subject: row.id, detail: { schoolId } });
  return toRoom(row);
}
