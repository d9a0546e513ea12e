import type { Kysely } from 'kysely';

/**
 * Monitoring a DSL can trust (issue 15): why a moment was not monitored, repeat hits as
 * occurrences of the first flag, and the DSL's triage of a flag.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('activity_intervals').addColumn('reason', 'text').execute();

  // A flag's triage: open until the DSL dismisses it (a false positive, with who and why),
  // escalates it, or links it to another incident.
  await db.schema
    .alterTable('flags')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .execute();
  await db.schema.alterTable('flags').addColumn('triaged_by', 'text').execute();
  await db.schema.alterTable('flags').addColumn('triaged_at', 'text').execute();
  await db.schema.alterTable('flags').addColumn('triage_reason', 'text').execute();
  await db.schema.alterTable('flags').addColumn('incident_id', 'text').execute();
  // Repeat hits until then join this flag (the rest of the lesson, or the DSL's period).
  await db.schema.alterTable('flags').addColumn('group_until', 'text').execute();
  await db.schema
    .alterTable('flags')
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('flags').addColumn('last_occurred_at', 'text').execute();
  await db.schema
    .createIndex('flags_repeat')
    .on('flags')
    .columns(['device_id', 'entry_id', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('flag_occurrences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('flag_id', 'text', (c) => c.notNull().references('flags.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('matched', 'text', (c) => c.notNull())
    .addColumn('app', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('url', 'text')
    .addColumn('domain', 'text')
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addUniqueConstraint('flag_occurrences_event', ['device_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('flag_occurrences_flag')
    .on('flag_occurrences')
    .columns(['flag_id', 'occurred_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('flag_occurrences').execute();
  await db.schema.dropIndex('flags_repeat').execute();
  for (const column of [
    'status',
    'triaged_by',
    'triaged_at',
    'triage_reason',
    'incident_id',
    'group_until',
    'occurrences',
    'last_occurred_at',
  ])
    await db.schema.alterTable('flags').dropColumn(column).execute();
  await db.schema.alterTable('activity_intervals').dropColumn('reason').execute();
}
