import {
  defaultIncidentCategories,
  retentionSchema,
  smtpSettingsSchema,
  type IncidentCategory,
  type SafeguardingSettings,
} from '@harbour/shared';
import { z } from 'zod';
import type { Db } from '../../db/database.js';

/** Stored settings (one JSON value per key). The staff PIN is kept only as an argon2 hash. */
const stored = {
  categories: z.array(z.object({ id: z.string(), label: z.string(), retired: z.boolean().default(false) })),
  retention: retentionSchema,
  smtp: smtpSettingsSchema.nullable(),
  pupilsMayRelease: z.boolean(),
  staffPinHash: z.string().nullable(),
} as const;
type Stored = { [K in keyof typeof stored]: z.output<(typeof stored)[K]> };
type Key = keyof Stored;

const defaults: Stored = {
  categories: defaultIncidentCategories.map((c) => ({ ...c, retired: false })),
  retention: retentionSchema.parse({}),
  smtp: null,
  pupilsMayRelease: false,
  staffPinHash: null,
};

export async function getSetting<K extends Key>(db: Db, key: K): Promise<Stored[K]> {
  const row = await db
    .selectFrom('safeguarding_settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return defaults[key];
  const parsed = stored[key].safeParse(JSON.parse(row.value));
  return parsed.success ? (parsed.data as Stored[K]) : defaults[key];
}

export async function setSetting<K extends Key>(db: Db, key: K, value: Stored[K], by: string): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: new Date().toISOString(), updated_by: by };
  await db
    .insertInto('safeguarding_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: by }),
    )
    .execute();
}

export async function categories(db: Db): Promise<IncidentCategory[]> {
  return getSetting(db, 'categories');
}

export async function categoryLabel(db: Db, id: string): Promise<string> {
  return (await categories(db)).find((c) => c.id === id)?.label ?? id;
}

/** The settings as the DSL sees them: secrets left out (the SMTP password is never sent back). */
export async function publicSettings(db: Db): Promise<SafeguardingSettings> {
  const smtp = await getSetting(db, 'smtp');
  return {
    categories: await getSetting(db, 'categories'),
    retention: await getSetting(db, 'retention'),
    smtp: smtp && { ...smtp, password: smtp.password ? '********' : undefined },
    pupilsMayRelease: await getSetting(db, 'pupilsMayRelease'),
    staffPinSet: (await getSetting(db, 'staffPinHash')) !== null,
  };
}
