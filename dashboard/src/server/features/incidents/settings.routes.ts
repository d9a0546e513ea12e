import {
  okSchema,
  safeguardingSettingsSchema,
  setStaffPinRequestSchema,
  updateSafeguardingSettingsSchema,
} from '@harbour/shared';
import { hashPassword } from '../../core/passwords.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { usedCategories } from './incidents.js';
import { HarbourError } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { getSetting, publicSettings, setSetting } from './settings.js';

const tags = ['safeguarding'];

export function safeguardingRoutes(app: App, db: Db): void {
  app.get(
    '/api/safeguarding/settings',
    {
      config: { access: 'manageIncidents' },
      schema: {
        summary: 'Incident categories, retention, email and screen-release settings',
        tags,
        response: { 200: safeguardingSettingsSchema },
      },
    },
    async () => publicSettings(db),
  );

  app.patch(
    '/api/safeguarding/settings',
    {
      config: { access: 'manageIncidents', trustWide: true },
      schema: {
        summary: 'Change safeguarding settings (recorded)',
        tags,
        body: updateSafeguardingSettingsSchema,
        response: { 200: safeguardingSettingsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const b = request.body;
      await db.transaction().execute(async (trx) => {
        if (b.categories) {
          const ids = b.categories.map((c) => c.id);
          if (new Set(ids).size !== ids.length)
            throw new HarbourError('validation_failed', 'Each category needs its own id.');
          // Categories already used by incidents can be retired but never removed, so old records still read.
          const missing = (await usedCategories(trx)).filter((c) => !ids.includes(c));
          if (missing.length > 0) {
            throw new HarbourError(
              'conflict',
              `Categories in use can be retired but not removed: ${missing.join(', ')}.`,
            );
          }
          await setSetting(trx, 'categories', b.categories, actor.id);
        }
        if (b.retention)
          await setSetting(
            trx,
            'retention',
            { ...(await getSetting(trx, 'retention')), ...b.retention },
            actor.id,
          );
        if (b.smtp !== undefined) {
          const previous = await getSetting(trx, 'smtp');
          // The masked password sent back by GET means "keep the one stored".
          const smtp =
            b.smtp && b.smtp.password === '********' ? { ...b.smtp, password: previous?.password } : b.smtp;
          await setSetting(trx, 'smtp', smtp, actor.id);
        }
        if (b.pupilsMayRelease !== undefined)
          await setSetting(trx, 'pupilsMayRelease', b.pupilsMayRelease, actor.id);
        const recorded = {
          ...b,
          smtp: b.smtp ? { ...b.smtp, password: b.smtp.password ? '(set)' : undefined } : b.smtp,
        };
        await audit(trx, { actor: actor.id, action: 'safeguarding.settings', detail: recorded });
      });
      return publicSettings(db);
    },
  );

  app.put(
    '/api/safeguarding/staff-pin',
    {
      config: { access: 'manageIncidents', trustWide: true },
      schema: {
        summary:
          'Set the staff PIN that releases a covered screen at the computer (only its argon2 hash is kept)',
        tags,
        body: setStaffPinRequestSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await setSetting(db, 'staffPinHash', await hashPassword(request.body.pin), actor.id);
      await audit(db, { actor: actor.id, action: 'safeguarding.staff_pin' });
      return { ok: true as const };
    },
  );
}
