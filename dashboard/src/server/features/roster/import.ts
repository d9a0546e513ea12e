/**
 * One roster import, from an upload or the folder, into one school's roster: checked whole,
 * stored in one transaction only when no row is bad, recorded (with its report and school)
 * and audited either way.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RosterImportResult } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import type { Db } from '../../db/database.js';
import { parseRoster } from './oneroster.js';
import { applySnapshot } from './roster.repository.js';

export type RosterSource = 'upload' | 'folder';

/** The same files in any order hash the same: the folder is imported again only when it changed. */
export function contentHash(files: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) {
    hash
      .update(name)
      .update('\0')
      .update(createHash('sha256').update(files.get(name)!).digest());
  }
  return hash.digest('hex');
}

export function refusedResult(
  problems: RosterImportResult['problems'],
  errors = problems.length,
): RosterImportResult {
  return { pupils: 0, classes: 0, staff: 0, errors, problems, changes: null, added: [], left: [] };
}

export async function recordRefusal(
  db: Db,
  input: {
    source: RosterSource;
    actor: string;
    hash: string;
    result: RosterImportResult;
    /** The school the import was for; null: refused before one was known. */
    schoolId: number | null;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('roster_imports')
      .values({
        id: randomUUID(),
        at: new Date().toISOString(),
        source: input.source,
        actor: input.actor,
        ok: 0,
        content_hash: input.hash,
        result: JSON.stringify(input.result),
        school_id: input.schoolId,
      })
      .execute();
    await audit(trx, {
      actor: input.actor,
      action: 'roster.import_refused',
      detail: { source: input.source, errors: input.result.errors, school: input.schoolId },
    });
  });
}

export async function importRoster(
  db: Db,
  files: ReadonlyMap<string, Buffer>,
  source: RosterSource,
  actor: string,
  schoolId: number,
): Promise<{ ok: boolean; result: RosterImportResult }> {
  const hash = contentHash(files);
  const parsed = parseRoster(files);
  if (!parsed.ok) {
    const result = refusedResult(parsed.problems, parsed.errors);
    await recordRefusal(db, { source, actor, hash, result, schoolId });
    return { ok: false, result };
  }
  const at = new Date().toISOString();
  return { ok: true, result: await store(db, parsed.snapshot, { source, actor, hash, at, schoolId }) };
}

async function store(
  db: Db,
  snapshot: Parameters<typeof applySnapshot>[1],
  input: { source: RosterSource; actor: string; hash: string; at: string; schoolId: number },
): Promise<RosterImportResult> {
  const { source, actor, hash, at, schoolId } = input;
  return db.transaction().execute(async (trx) => {
    const applied = await applySnapshot(trx, snapshot, at, schoolId);
    const result: RosterImportResult = {
      ...applied.counts,
      errors: 0,
      problems: [],
      changes: applied.changes,
      added: applied.added,
      left: applied.left,
    };
    await trx
      .insertInto('roster_imports')
      .values({
        id: randomUUID(),
        at,
        source,
        actor,
        ok: 1,
        content_hash: hash,
        result: JSON.stringify(result),
        school_id: schoolId,
      })
      .execute();
    // Counts only: the audit trail names no pupil.
    await audit(trx, {
      actor,
      action: 'roster.import',
      detail: { source, school: schoolId, ...applied.counts, changes: applied.changes },
    });
    return result;
  });
}

/**
 * The last folder import's content hash (refused or not) for one school, or of the refusals
 * recorded for no school (null): an unchanged folder is not read twice.
 */
export async function lastFolderHash(db: Db, schoolId: number | null): Promise<string | undefined> {
  const row = await db
    .selectFrom('roster_imports')
    .select('content_hash')
    .where('source', '=', 'folder')
    .where('school_id', schoolId === null ? 'is' : '=', schoolId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.content_hash;
}

/** Whether a folder import with this hash was ever recorded (a refusal for no school is recorded once). */
export async function folderHashSeen(db: Db, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom('roster_imports')
    .select('id')
    .where('source', '=', 'folder')
    .where('content_hash', '=', hash)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
