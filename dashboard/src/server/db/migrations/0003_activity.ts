import type { Kysely } from 'kysely';
import { idColumn } from '../portable.js';

// Activity intervals, activity settings, watch lists, flags and device health (issue 4).
// Portable schema-builder types only, like 0001.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activity_intervals')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('app', 'text')
    .addColumn('title', 'text')
    .addColumn('url', 'text')
    .addColumn('domain', 'text')
    .addColumn('exe_path', 'text')
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('activity_device_time')
    .on('activity_intervals')
    .columns(['device_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('activity_user_time')
    .on('activity_intervals')
    .columns(['username', 'started_at'])
    .execute();
  await db.schema
    .createIndex('activity_room_time')
    .on('activity_intervals')
    .columns(['room_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('activity_domain_time')
    .on('activity_intervals')
    .columns(['domain', 'started_at'])
    .execute();

  await db.schema
    .createTable('activity_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('watchlist_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('watchlist_entries_kind_pattern', ['kind', 'pattern'])
    .execute();

  await db.schema
    .createTable('flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('entry_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('matched', 'text', (c) => c.notNull())
    .addColumn('app', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('url', 'text')
    .addColumn('domain', 'text')
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addUniqueConstraint('flags_event', ['device_id', 'event_id'])
    .execute();
  await db.schema.createIndex('flags_room_time').on('flags').columns(['room_id', 'occurred_at']).execute();
  // device_health (agents' own problem reports) is created by 0005_deployment.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['flags', 'watchlist_entries', 'activity_settings', 'activity_intervals']) {
    await db.schema.dropTable(table).execute();
  }
}
