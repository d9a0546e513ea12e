import { randomUUID } from 'node:crypto';
import {
  activitySettingsSchema,
  defaultActivitySettings,
  parseWith,
  type ActivitySettings,
} from '@harbour/shared';
import type { Db } from '../../db/database.js';

const settingsKey = 'activity';
const watchlistVersionKey = 'watchlist.version';

/** The school's activity settings; defaults until someone saves them. */
export async function getActivitySettings(db: Db): Promise<ActivitySettings> {
  const row = await db
    .selectFrom('activity_settings')
    .select('value')
    .where('key', '=', settingsKey)
    .executeTakeFirst();
  if (!row) return defaultActivitySettings;
  const parsed = parseWith(activitySettingsSchema, { ...defaultActivitySettings, ...JSON.parse(row.value) });
  return parsed.ok ? parsed.value : defaultActivitySettings;
}

export async function saveActivitySettings(db: Db, settings: ActivitySettings, by: string): Promise<void> {
  await putValue(db, settingsKey, JSON.stringify(settings), by);
}

/** Changes whenever any watch-list entry changes. */
export async function watchlistVersion(db: Db): Promise<string> {
  const row = await db
    .selectFrom('activity_settings')
    .select('value')
    .where('key', '=', watchlistVersionKey)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as string) : 'initial';
}

export async function bumpWatchlistVersion(db: Db, by: string | null): Promise<string> {
  const version = randomUUID();
  await putValue(db, watchlistVersionKey, JSON.stringify(version), by);
  return version;
}

export async function getFlag(db: Db, key: string): Promise<boolean> {
  return Boolean(
    await db.selectFrom('activity_settings').select('key').where('key', '=', key).executeTakeFirst(),
  );
}

export async function putValue(db: Db, key: string, value: string, by: string | null): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('activity_settings')
    .values({ key, value, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: by }))
    .execute();
}
