import type { Kysely } from 'kysely';

/**
 * One device record per computer (issue 12): a per-user agent's extra record is retired
 * into the machine's (`merged_into`, its history left where it is), and "stopped while in
 * use" is kept on the record, so a server restart does not turn it into a plain "offline";
 * and whether the computer shows the acceptable use policy at logon (its agent says so with
 * its presence), so a computer without the gate is not listed as "not agreed" (issue 15 item 4).
 * Numbered 0012: 0011 is taken by the roster's migration on another branch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('merged_into', 'text').execute();
  await db.schema.alterTable('devices').addColumn('stopped_user', 'text').execute();
  await db.schema.alterTable('devices').addColumn('stopped_at', 'text').execute();
  await db.schema.alterTable('devices').addColumn('aup_gate', 'integer').execute();
  await db.schema.createIndex('devices_merged_into').on('devices').column('merged_into').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('devices_merged_into').execute();
  await db.schema.alterTable('devices').dropColumn('aup_gate').execute();
  await db.schema.alterTable('devices').dropColumn('stopped_at').execute();
  await db.schema.alterTable('devices').dropColumn('stopped_user').execute();
  await db.schema.alterTable('devices').dropColumn('merged_into').execute();
}
