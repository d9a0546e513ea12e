/** The school's sign-in settings (table `identity_settings`), with a small cache: every request reads them. */
import type { IdentitySettings } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import type { Db } from '../../db/database.js';

export const defaultIdentitySettings: IdentitySettings = {
  secondFactorForEveryone: false,
  localPasswords: true,
};

export interface IdentitySettingsStore {
  get(): Promise<IdentitySettings>;
  update(actorId: string, change: Partial<IdentitySettings>): Promise<IdentitySettings>;
}

export function identitySettingsStore(db: Db): IdentitySettingsStore {
  let cached: IdentitySettings | undefined;
  const load = async () => {
    const rows = await db.selectFrom('identity_settings').select(['key', 'value']).execute();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    return {
      secondFactorForEveryone:
        typeof stored.secondFactorForEveryone === 'boolean'
          ? stored.secondFactorForEveryone
          : defaultIdentitySettings.secondFactorForEveryone,
      localPasswords:
        typeof stored.localPasswords === 'boolean'
          ? stored.localPasswords
          : defaultIdentitySettings.localPasswords,
    };
  };
  return {
    async get() {
      cached ??= await load();
      return cached;
    },
    async update(actorId, change) {
      const at = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        for (const [key, value] of Object.entries(change)) {
          if (value === undefined) continue;
          const row = { key, value: JSON.stringify(value), updated_at: at, updated_by: actorId };
          await trx
            .insertInto('identity_settings')
            .values(row)
            .onConflict((oc) => oc.column('key').doUpdateSet(row))
            .execute();
        }
        await audit(trx, { actor: actorId, action: 'identity.settings', detail: change });
      });
      cached = undefined;
      return this.get();
    },
  };
}
