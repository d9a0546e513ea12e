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

/**
 * The settings a school may have of its own (table `school_settings`, migration 0018). The
 * trust is the data controller: categories and retention are one list and one schedule, the
 * trust's only.
 */
export const perSchoolKeys = ['staffPinHash', 'smtp', 'pupilsMayRelease'] as const;
export type SchoolKey = (typeof perSchoolKeys)[number];

/** The school's own value, or undefined when it has none (then the trust's applies). */
export async function getSchoolOwn<K extends SchoolKey>(
  db: Db,
  schoolId: number,
  key: K,
): Promise<Stored[K] | undefined> {
  const row = await db
    .selectFrom('school_settings')
    .select('value')
    .where('school_id', '=', schoolId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  const parsed = stored[key].safeParse(JSON.parse(row.value));
  return parsed.success ? (parsed.data as Stored[K]) : undefined;
}

/**
 * The value that applies to a school: its own, else the trust's. A null school (a device or
 * record of no school) gets the trust's.
 */
export async function effectiveSetting<K extends SchoolKey>(
  db: Db,
  schoolId: number | null,
  key: K,
): Promise<Stored[K]> {
  const own = schoolId === null ? undefined : await getSchoolOwn(db, schoolId, key);
  return own === undefined ? getSetting(db, key) : own;
}

/** Sets the school's own value, or with `undefined` clears it (the trust's applies again). */
export async function setSchoolSetting<K extends SchoolKey>(
  db: Db,
  schoolId: number,
  key: K,
  value: Stored[K] | undefined,
  by: string,
): Promise<void> {
  if (value === undefined) {
    await db.deleteFrom('school_settings').where('school_id', '=', schoolId).where('key', '=', key).execute();
    return;
  }
  const row = {
    school_id: schoolId,
    key,
    value: JSON.stringify(value),
    updated_at: new Date().toISOString(),
    updated_by: by,
  };
  await db
    .insertInto('school_settings')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['school_id', 'key'])
        .doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: by }),
    )
    .execute();
}

export async function categories(db: Db): Promise<IncidentCategory[]> {
  return getSetting(db, 'categories');
}

export async function categoryLabel(db: Db, id: string): Promise<string> {
  return (await categories(db)).find((c) => c.id === id)?.label ?? id;
}

const masked = (smtp: Stored['smtp']) =>
  smtp && { ...smtp, password: smtp.password ? '********' : undefined };

/**
 * The settings as the DSL sees them: secrets left out (the SMTP password is never sent back).
 * With a school: the values that apply to it (its own, else the trust's) and which of them
 * are inherited from the trust; without: the trust's own.
 */
export async function publicSettings(db: Db, schoolId: number | null = null): Promise<SafeguardingSettings> {
  const trust = {
    categories: await getSetting(db, 'categories'),
    retention: await getSetting(db, 'retention'),
  };
  if (schoolId === null) {
    return {
      ...trust,
      smtp: masked(await getSetting(db, 'smtp')),
      pupilsMayRelease: await getSetting(db, 'pupilsMayRelease'),
      staffPinSet: (await getSetting(db, 'staffPinHash')) !== null,
    };
  }
  const own = {
    smtp: await getSchoolOwn(db, schoolId, 'smtp'),
    pupilsMayRelease: await getSchoolOwn(db, schoolId, 'pupilsMayRelease'),
    staffPinHash: await getSchoolOwn(db, schoolId, 'staffPinHash'),
  };
  return {
    ...trust,
    smtp: masked(own.smtp === undefined ? await getSetting(db, 'smtp') : own.smtp),
    pupilsMayRelease: own.pupilsMayRelease ?? (await getSetting(db, 'pupilsMayRelease')),
    staffPinSet:
      (own.staffPinHash === undefined ? await getSetting(db, 'staffPinHash') : own.staffPinHash) !== null,
    school: schoolId,
    inherited: {
      staffPin: own.staffPinHash === undefined,
      smtp: own.smtp === undefined,
      pupilsMayRelease: own.pupilsMayRelease === undefined,
    },
  };
}
