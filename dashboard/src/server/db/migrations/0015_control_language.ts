import type { Kysely } from 'kysely';

/**
 * The language a teacher's message is written in (issue 16): its read-aloud clip is made
 * with that language's voice, and the pupil's page marks the text with it. Null for
 * controls sent before this (and for those without words): the school's language.
 * Numbered 0015: 0014 is the schools migration on another branch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('control_actions').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('control_actions').dropColumn('language').execute();
}
