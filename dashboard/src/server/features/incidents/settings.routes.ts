import {
  okSchema,
  safeguardingSettingsSchema,
  schoolParamsSchema,
  setStaffPinRequestSchema,
  updateSafeguardingSettingsSchema,
  updateSchoolSafeguardingSettingsSchema,
} from '@harbour/shared';
import { hashPassword } from '../../core/passwords.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { usedCategories } from './incidents.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { schoolExists, schoolLabel } from '../../core/schools.js';
import type { SmtpSettings } from './mail.js';
import { getSchoolOwn, getSetting, publicSettings, setSchoolSetting, setSetting } from './settings.js';

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
    // A school's staff see the values that apply to their school (and which are the trust's).
    async (request) => publicSettings(db, currentUser(request).schoolId),
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
        await audit(trx, {
          actor: actor.id,
          action: 'safeguarding.settings',
          detail: { ...recorded, school: null },
        });
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
      await audit(db, { actor: actor.id, action: 'safeguarding.staff_pin', detail: { school: null } });
      return { ok: true as const };
    },
  );

  schoolSafeguardingRoutes(app, db);
}

/** The masked password sent back by GET means "keep the one stored"; the audit says only "(set)". */
function keepPassword(next: SmtpSettings | null, previous: SmtpSettings | null | undefined) {
  return next && next.password === '********' ? { ...next, password: previous?.password } : next;
}
const recordedSmtp = (smtp: SmtpSettings | null | undefined) =>
  smtp ? { ...smtp, password: smtp.password ? '(set)' : undefined } : smtp;

/**
 * A school's own staff PIN, SMTP server and pupilsMayRelease (docs/trust.md): they override
 * the trust's, and clearing one (null, or DELETE for the PIN) lets the trust's apply again.
 * `perSchool` (http/plumbing.ts) refuses a school's staff naming another school (403) before
 * anything is read, written or audited; trust-level staff name any school.
 */
function schoolSafeguardingRoutes(app: App, db: Db): void {
  const existing = async (id: number) => {
    if (!(await schoolExists(db, id))) throw notFound('This school');
    return id;
  };

  app.get(
    '/api/safeguarding/schools/:id/settings',
    {
      config: { access: 'manageIncidents', perSchool: true },
      schema: {
        summary: 'The safeguarding settings that apply to one school, and which are the trust’s',
        tags,
        params: schoolParamsSchema,
        response: { 200: safeguardingSettingsSchema },
      },
    },
    async (request) => publicSettings(db, await existing(request.params.id)),
  );

  app.patch(
    '/api/safeguarding/schools/:id/settings',
    {
      config: { access: 'manageIncidents', perSchool: true },
      schema: {
        summary: 'Set or clear a school’s own SMTP server and pupilsMayRelease (recorded)',
        tags,
        params: schoolParamsSchema,
        body: updateSchoolSafeguardingSettingsSchema,
        response: { 200: safeguardingSettingsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const schoolId = await existing(request.params.id);
      const b = request.body;
      if (b.smtp === undefined && b.pupilsMayRelease === undefined)
        throw new HarbourError('validation_failed', 'Name smtp or pupilsMayRelease to change.');
      await db.transaction().execute(async (trx) => {
        if (b.smtp !== undefined) {
          const previous = await getSchoolOwn(trx, schoolId, 'smtp');
          await setSchoolSetting(
            trx,
            schoolId,
            'smtp',
            keepPassword(b.smtp, previous) ?? undefined,
            actor.id,
          );
        }
        if (b.pupilsMayRelease !== undefined)
          await setSchoolSetting(
            trx,
            schoolId,
            'pupilsMayRelease',
            b.pupilsMayRelease ?? undefined,
            actor.id,
          );
        await audit(trx, {
          actor: actor.id,
          action: 'safeguarding.settings',
          detail: {
            ...(b.smtp !== undefined && { smtp: recordedSmtp(b.smtp) }),
            ...(b.pupilsMayRelease !== undefined && { pupilsMayRelease: b.pupilsMayRelease }),
            school: await schoolLabel(trx, schoolId),
          },
        });
      });
      return publicSettings(db, schoolId);
    },
  );

  app.put(
    '/api/safeguarding/schools/:id/staff-pin',
    {
      config: { access: 'manageIncidents', perSchool: true },
      schema: {
        summary: 'Set a school’s own staff PIN for its computers (only its argon2 hash is kept)',
        tags,
        params: schoolParamsSchema,
        body: setStaffPinRequestSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const schoolId = await existing(request.params.id);
      const hash = await hashPassword(request.body.pin);
      await db.transaction().execute(async (trx) => {
        await setSchoolSetting(trx, schoolId, 'staffPinHash', hash, actor.id);
        await audit(trx, {
          actor: actor.id,
          action: 'safeguarding.staff_pin',
          detail: { school: await schoolLabel(trx, schoolId) },
        });
      });
      return { ok: true as const };
    },
  );

  app.delete(
    '/api/safeguarding/schools/:id/staff-pin',
    {
      config: { access: 'manageIncidents', perSchool: true },
      schema: {
        summary: 'Clear a school’s own staff PIN: the trust’s applies to its computers again (recorded)',
        tags,
        params: schoolParamsSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const schoolId = await existing(request.params.id);
      await db.transaction().execute(async (trx) => {
        await setSchoolSetting(trx, schoolId, 'staffPinHash', undefined, actor.id);
        await audit(trx, {
          actor: actor.id,
          action: 'safeguarding.staff_pin',
          detail: { school: await schoolLabel(trx, schoolId), cleared: true },
        });
      });
      return { ok: true as const };
    },
  );
}
