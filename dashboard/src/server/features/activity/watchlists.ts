/** Watch-list entries: CRUD, CSV import and export, the starter list. */
import { randomUUID } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  parseWith,
  watchEntryInputSchema,
  watchLimits,
  watchlistCsvColumns,
  type Issue,
  type WatchEntry,
  type WatchEntryInput,
  type Watchlist,
} from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { WatchlistEntriesTable } from '../../db/schema.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { bumpWatchlistVersion, getFlag, putValue, watchlistVersion } from './settings.js';
import { starterWatchlist } from './watchlist-starter.js';

const toEntry = (r: Selectable<WatchlistEntriesTable>): WatchEntry => ({
  id: r.id,
  kind: r.kind,
  pattern: r.pattern,
  category: r.category,
  severity: r.severity,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function getWatchlist(db: Db): Promise<Watchlist> {
  const rows = await db
    .selectFrom('watchlist_entries')
    .selectAll()
    .orderBy('category')
    .orderBy('kind')
    .orderBy('pattern')
    .execute();
  return { version: await watchlistVersion(db), entries: rows.map(toEntry) };
}

/** Adds Harbour's starter list once, on a school's first start (never again, even if emptied). */
export async function seedStarterWatchlist(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (await getFlag(trx, 'watchlist.seeded')) return;
    const now = new Date().toISOString();
    for (const s of starterWatchlist) {
      const e = watchEntryInputSchema.parse(s);
      await trx
        .insertInto('watchlist_entries')
        .values({ id: randomUUID(), ...e, created_at: now, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await putValue(trx, 'watchlist.seeded', 'true', null);
    await bumpWatchlistVersion(trx, null);
  });
}

async function clash(db: Db, e: WatchEntryInput, exceptId?: string): Promise<void> {
  let q = db
    .selectFrom('watchlist_entries')
    .select('id')
    .where('kind', '=', e.kind)
    .where('pattern', '=', e.pattern);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) {
    throw new HarbourError('conflict', `The watch list already has the ${e.kind} “${e.pattern}”.`);
  }
}

export async function createEntry(db: Db, e: WatchEntryInput, by: string): Promise<WatchEntry> {
  return db.transaction().execute(async (trx) => {
    await clash(trx, e);
    const now = new Date().toISOString();
    const row = { id: randomUUID(), ...e, created_at: now, updated_at: now };
    await trx.insertInto('watchlist_entries').values(row).execute();
    await bumpWatchlistVersion(trx, by);
    return toEntry(row);
  });
}

export async function updateEntry(db: Db, id: string, e: WatchEntryInput, by: string): Promise<WatchEntry> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('watchlist_entries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!existing) throw notFound('Watch-list entry');
    await clash(trx, e, id);
    const updated = { ...existing, ...e, updated_at: new Date().toISOString() };
    await trx.updateTable('watchlist_entries').set(updated).where('id', '=', id).execute();
    await bumpWatchlistVersion(trx, by);
    return toEntry(updated);
  });
}

export async function deleteEntry(db: Db, id: string, by: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('watchlist_entries').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('Watch-list entry');
    await bumpWatchlistVersion(trx, by);
  });
}

// ---- CSV --------------------------------------------------------------------
// Spreadsheet programs run cells that start with these as formulas; exported cells get
// a leading apostrophe (which spreadsheets hide) and imports drop it again.
const formulaStart = /^[=+\-@\t\r]/;
const defuse = (cell: string) => (formulaStart.test(cell) ? `'${cell}` : cell);
const restore = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

export function watchlistToCsv(entries: readonly WatchEntry[]): string {
  return stringify(
    entries.map((e) => [e.kind, e.pattern, e.category, e.severity, e.note ?? ''].map(defuse)),
    { header: true, columns: [...watchlistCsvColumns], record_delimiter: 'windows' },
  );
}

/**
 * Reads a CSV file of entries. Every problem is reported with its line number; if there is
 * any, nothing is returned (and so nothing is imported).
 */
export function parseWatchlistCsv(csv: string): WatchEntryInput[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim().toLowerCase());
        const unknown = names.filter((n) => !(watchlistCsvColumns as readonly string[]).includes(n));
        const missing = watchlistCsvColumns.filter((c) => c !== 'note' && !names.includes(c));
        if (unknown.length > 0 || missing.length > 0) {
          const parts = [];
          if (missing.length > 0) parts.push(`missing column(s): ${missing.join(', ')}`);
          if (unknown.length > 0) parts.push(`unknown column(s): ${unknown.join(', ')}`);
          throw new HarbourError(
            'validation_failed',
            `The first line must name the columns ${watchlistCsvColumns.join(', ')}: ${parts.join('; ')}.`,
            [{ path: 'line 1', message: parts.join('; ') }],
          );
        }
        return names;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (error) {
    if (error instanceof HarbourError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new HarbourError('validation_failed', `The file is not valid CSV: ${error.message}`, [
        { path: line ? `line ${line}` : 'file', message: error.message },
      ]);
    }
    throw error;
  }
  if (records.length > watchLimits.entries) {
    throw new HarbourError('validation_failed', `A file may hold at most ${watchLimits.entries} entries.`);
  }
  const issues: Issue[] = [];
  const entries: WatchEntryInput[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = `line ${info.lines}`;
    const Line = `Line ${info.lines}`;
    const input = Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, k === 'note' && v === '' ? undefined : restore(v)]),
    );
    const parsed = parseWith(watchEntryInputSchema, input);
    if (!parsed.ok) {
      for (const i of parsed.issues) issues.push({ path: line, message: `${Line}: ${i.path}: ${i.message}` });
      continue;
    }
    const key = `${parsed.value.kind} ${parsed.value.pattern}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: line, message: `${Line}: the same ${parsed.value.kind} as line ${first}` });
      continue;
    }
    seen.set(key, info.lines);
    entries.push(parsed.value);
  }
  if (issues.length > 0) {
    const lines = new Set(issues.map((i) => i.path)).size;
    throw new HarbourError(
      'validation_failed',
      `${lines} ${lines === 1 ? 'row has' : 'rows have'} problems; nothing was imported. Fix them and import the file again.`,
      issues,
    );
  }
  return entries;
}

/** Imports parsed rows in one transaction: added, or updated when the pattern exists; optionally replacing all. */
export async function importEntries(
  db: Db,
  entries: WatchEntryInput[],
  replace: boolean,
  by: string,
): Promise<{ added: number; updated: number; removed: number }> {
  return db.transaction().execute(async (trx) => {
    let removed = 0;
    if (replace) {
      const keep = new Set(entries.map((e) => `${e.kind} ${e.pattern}`));
      const existing = await trx.selectFrom('watchlist_entries').select(['id', 'kind', 'pattern']).execute();
      const gone = existing.filter((r) => !keep.has(`${r.kind} ${r.pattern}`)).map((r) => r.id);
      for (let i = 0; i < gone.length; i += 500) {
        await trx
          .deleteFrom('watchlist_entries')
          .where('id', 'in', gone.slice(i, i + 500))
          .execute();
      }
      removed = gone.length;
    }
    let added = 0;
    let updated = 0;
    const now = new Date().toISOString();
    for (const e of entries) {
      const existing = await trx
        .selectFrom('watchlist_entries')
        .select('id')
        .where('kind', '=', e.kind)
        .where('pattern', '=', e.pattern)
        .executeTakeFirst();
      if (existing) {
        await trx
          .updateTable('watchlist_entries')
          .set({ category: e.category, severity: e.severity, note: e.note, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
        updated++;
      } else {
        await trx
          .insertInto('watchlist_entries')
          .values({ id: randomUUID(), ...e, created_at: now, updated_at: now })
          .execute();
        added++;
      }
    }
    await bumpWatchlistVersion(trx, by);
    return { added, updated, removed };
  });
}
