import type { Kysely } from 'kysely';
import { idColumn } from '../portable.js';

// Migrations use only Kysely's schema builder, portable column types and db/portable.ts, so the
// same files run on SQLite (the embedded default) and PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('enrolment_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
    .addColumn('label', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
    .addColumn('credential_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hostname', 'text', (c) => c.notNull())
    .addColumn('os', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('agent_version', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('enrolment_token_id', 'text', (c) => c.references('enrolment_tokens.id'))
    .addColumn('last_seen', 'text')
    .addColumn('current_user', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('devices_room').on('devices').column('room_id').execute();

  await db.schema
    .createTable('agent_events')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_events_pk', ['device_id', 'event_id'])
    .execute();

  await db.schema
    .createTable('device_sessions')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('device_sessions_device')
    .on('device_sessions')
    .columns(['device_id', 'started_at'])
    .execute();

  // Evidence files live content-addressed under DATA_DIR/evidence; this is their register.
  await db.schema
    .createTable('evidence')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.references('devices.id'))
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('detail', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'evidence',
    'device_sessions',
    'agent_events',
    'devices',
    'enrolment_tokens',
    'rooms',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
