import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Which staff may supervise which rooms (teachers are limited to theirs).
  await db.schema
    .createTable('room_staff')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('room_staff_pk', ['room_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('supervision_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
    .addColumn('teacher_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .execute();
  await db.schema
    .createIndex('supervision_sessions_room')
    .on('supervision_sessions')
    .columns(['room_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('control_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('supervision_sessions.id'))
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('control_targets')
    .addColumn('action_id', 'text', (c) => c.notNull().references('control_actions.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('control_targets_pk', ['action_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('supervision_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'supervision_settings',
    'control_targets',
    'control_actions',
    'supervision_sessions',
    'room_staff',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
