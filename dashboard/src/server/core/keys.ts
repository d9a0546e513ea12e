/**
 * The server's own secret, kept outside the database, so that a copy of the database file
 * alone does not open what it protects (TOTP secrets, the SSO client secret). One master
 * key in HARBOUR_KEY_FILE (default DATA_DIR/keys/master.key, 32 random bytes made on first
 * start, mode 0600 in a 0700 folder); each use gets its own sub-key by HKDF-SHA256.
 *
 * (A minimal version, written for issue 17 while issue 14 brings the full one.)
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ServerKeys {
  /** A 32-byte key for one purpose; the same purpose always gives the same key. */
  derive(purpose: string): Buffer;
}

export const defaultKeyFile = (dataDir: string) => path.join(dataDir, 'keys', 'master.key');

export function openServerKeys(file: string): ServerKeys {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  const master = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  if (master.length !== 32) throw new Error(`The key file ${file} does not hold a 32-byte key.`);
  return {
    derive: (purpose) =>
      Buffer.from(hkdfSync('sha256', master, Buffer.from('harbour'), Buffer.from(purpose), 32)),
  };
}

/**
 * AES-256-GCM with a fresh 96-bit nonce: `v1.<nonce>.<tag>.<ciphertext>` (base64url). `context`
 * is bound as associated data (e.g. the user's id), so a ciphertext copied onto another row
 * does not decrypt.
 */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The plaintext, or null when the box was changed, belongs to another context or another key. */
export function unseal(key: Buffer, box: string, context: string): string | null {
  const [v, iv, tag, ct] = box.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
