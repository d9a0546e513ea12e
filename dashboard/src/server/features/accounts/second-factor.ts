/**
 * The second factor: TOTP (RFC 6238, 6 digits, 30 s, SHA-1: what every authenticator app
 * reads from a QR code) through the `otpauth` library, and one-time recovery codes.
 *
 * The server keeps only what it needs: the TOTP secret sealed with a key derived from the
 * server key outside the database (`totp-at-rest`), bound to the account's id, and the
 * recovery codes as SHA-256 hashes (each is 80 random bits, so a fast hash is enough).
 * A code is good once: the last accepted time step is remembered and nothing at or before
 * it is accepted again, so a code read over a shoulder is useless once used.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { ServerKeys } from '../../core/keys.js';
import { seal, unseal } from '../../core/keys.js';
import { hashSecret, secretMatches } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';

export const totpPurpose = 'totp-at-rest';
const period = 30;

function totpFor(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Harbour',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function otpauthUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}

export function sealTotpSecret(keys: ServerKeys, userId: string, secretBase32: string): string {
  return seal(keys.derive(totpPurpose), secretBase32, `totp:${userId}`);
}

export function unsealTotpSecret(keys: ServerKeys, userId: string, sealed: string): string | null {
  return unseal(keys.derive(totpPurpose), sealed, `totp:${userId}`);
}

/**
 * The time step a code belongs to, if it is right within one step either way (clock drift)
 * and later than `lastStep`; otherwise null.
 */
export function acceptedStep(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32, 'x').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / period) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** Recovery codes look like `k7f2-9xq4-mm3d-p8ra`: 16 of 32 symbols (Crockford's base 32), 80 bits. */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
export function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += alphabet[b % 32];
  return s.match(/.{4}/g)!.join('-');
}

export const looksLikeRecoveryCode = (code: string) => /^[a-z0-9]{4}(-?[a-z0-9]{4}){3}$/i.test(code.trim());
const normalise = (code: string) => code.trim().toLowerCase().replace(/-/g, '');

/** Replaces a user's recovery codes with `count` new ones; returns them (shown once). */
export async function replaceRecoveryCodes(db: Db, userId: string, count = 10): Promise<string[]> {
  const codes = Array.from({ length: count }, newRecoveryCode);
  const at = new Date().toISOString();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(
      codes.map((code) => ({
        id: randomUUID(),
        user_id: userId,
        code_hash: hashSecret(normalise(code)),
        created_at: at,
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/** Uses up one recovery code; true if it was one of the user's unused codes. */
export async function useRecoveryCode(db: Db, userId: string, code: string): Promise<boolean> {
  const rows = await db
    .selectFrom('recovery_codes')
    .select(['id', 'code_hash'])
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
  const hit = rows.find((r) => secretMatches(normalise(code), r.code_hash));
  if (!hit) return false;
  const used = await db
    .updateTable('recovery_codes')
    .set({ used_at: new Date().toISOString() })
    .where('id', '=', hit.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

export async function unusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
