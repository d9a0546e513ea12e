import type { Db } from '../db/database.js';

/** Records who did what. Later issues make this trail hash-chained; its writers stay the same. */
export async function audit(
  db: Db,
  entry: { actor: string; action: string; subject?: string | null; detail?: unknown },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: new Date().toISOString(),
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .execute();
}
