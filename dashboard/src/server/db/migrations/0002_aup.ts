import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalAupText, sampleAudiences, samplePolicies, sampleSettings } from '@harbour/shared';
import type { Database } from '../schema.js';
import { idColumn } from '../portable.js';

// Acceptable use policies (issue 3): audiences, versioned documents, settings (audience
// rules, yearly expiry) and the acceptance register. Seeds Harbour's sample policies as
// published version 1 of each audience.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('aup_audiences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('aup_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('audience_id', 'text', (c) => c.notNull().references('aup_audiences.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('superseded_at', 'text')
    .addUniqueConstraint('aup_documents_audience_version', ['audience_id', 'version'])
    .execute();

  await db.schema
    .createTable('aup_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('aup_decisions')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull().references('aup_documents.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('aup_decisions_event', ['device_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('aup_decisions_user')
    .on('aup_decisions')
    .columns(['username', 'decided_at'])
    .execute();
  await db.schema.createIndex('aup_decisions_room').on('aup_decisions').column('room_id').execute();

  const typed = db as unknown as Kysely<Database>;
  const now = new Date().toISOString();
  for (const [position, audience] of sampleAudiences.entries()) {
    await typed
      .insertInto('aup_audiences')
      .values({ ...audience, position, created_at: now })
      .execute();
    const content = samplePolicies[audience.id];
    if (!content) continue;
    await typed
      .insertInto('aup_documents')
      .values({
        id: randomUUID(),
        audience_id: audience.id,
        version: 1,
        content: JSON.stringify(content),
        text_hash: createHash('sha256').update(canonicalAupText(content)).digest('hex'),
        created_at: now,
        created_by: 'Harbour (sample)',
        published_at: now,
        superseded_at: null,
      })
      .execute();
  }
  await typed
    .insertInto('aup_settings')
    .values({ id: 1, settings: JSON.stringify(sampleSettings), updated_at: now })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['aup_decisions', 'aup_settings', 'aup_documents', 'aup_audiences']) {
    await db.schema.dropTable(table).execute();
  }
}
