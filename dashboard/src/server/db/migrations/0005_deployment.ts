import type { Kysely } from 'kysely';
import { idColumn } from '../portable.js';

// Technician deployment and device inventory (issue 8).
// device_health: the problems an agent reports about itself (config errors, failing
// probes...). One open row per (device, code); a fixed problem gets cleared_at and stays
// as history. Problems the server works out itself (not seen for days, outdated agent)
// are computed when read and never stored.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_health')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('device_health_open')
    .on('device_health')
    .columns(['device_id', 'cleared_at', 'code'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_health').execute();
}
