import { z } from 'zod';
import { limits } from './limits.js';
import { safeText } from './text.js';

export const idSchema = z.uuid({ error: 'must be an id (UUID)' });
export const isoTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const emailSchema = z
  .string({ error: 'email must be text' })
  .trim()
  .toLowerCase()
  .max(limits.email, { error: `email must be at most ${limits.email} characters` })
  .pipe(z.email({ error: 'email must be a valid address' }));

export const passwordSchema = z
  .string({ error: 'password must be text' })
  .min(limits.passwordMin, { error: `password must be at least ${limits.passwordMin} characters` })
  .max(limits.passwordMax, { error: `password must be at most ${limits.passwordMax} characters` });

export const nameSchema = safeText(limits.name, 'name');
export const hostnameSchema = safeText(limits.hostname, 'hostname');

/** An operating-system account as the agent sees it. */
export const osUserSchema = z.strictObject({
  username: safeText(limits.osUser, 'username'),
  domain: safeText(limits.osUser, 'domain').optional(),
  displayName: safeText(limits.name, 'display name').optional(),
});
export type OsUser = z.infer<typeof osUserSchema>;

/** `DOMAIN\user` or plain `user`: how staff read an OS account. */
export function formatOsUser(user: OsUser): string {
  return user.domain ? `${user.domain}\\${user.username}` : user.username;
}
