/**
 * The server's own secret, kept outside the database: whoever copies or edits the database
 * file does not get it. One master key, read from HARBOUR_KEY_FILE (default
 * DATA_DIR/keys/master.key, made on first start: 32 random bytes, file 0600 in a 0700
 * directory); for a school that runs Harbour in a container, point it at a secret mount.
 * Every use gets its own sub-key, derived with HKDF-SHA256 from the master and the
 * purpose's name, so no two uses ever share a key and none reveals another.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ServerKeys {
  /** A 32-byte key for one purpose (e.g. 'audit-hmac', 'totp-at-rest'); the same purpose always gives the same key. */
  derive(purpose: string): Buffer;
}

export const defaultKeyFile = (dataDir: string) => path.join(dataDir, 'keys', 'master.key');

/** The master key's text: 32 bytes as base64url (what Harbour writes), or 64 hex digits. */
function parseMasterKey(text: string, file: string): Buffer {
  const t = text.trim();
  if (/^[A-Za-z0-9_-]{43}=?$/.test(t)) return Buffer.from(t.replace(/=$/, ''), 'base64url');
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  throw new Error(
    `The key file ${file} does not hold a key (32 bytes, as base64url or 64 hex digits). ` +
      'Restore it from the backup: without it the audit trail cannot be verified.',
  );
}

/**
 * Reads the master key, creating it if the file does not exist yet. `forbidden` is a path
 * the key must never be (the database file). Returns a warning when the file is readable
 * by others, for the caller to log.
 */
export function openServerKeys(
  file: string,
  options: { forbidden?: string[] } = {},
): { keys: ServerKeys; created: boolean; warning: string | null } {
  const resolved = path.resolve(file);
  for (const f of options.forbidden ?? []) {
    if (path.resolve(f) === resolved) throw new Error(`The key file cannot be the database file (${f}).`);
  }
  let created = false;
  if (!fs.existsSync(resolved)) {
    fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(resolved, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    created = true;
  }
  const master = parseMasterKey(fs.readFileSync(resolved, 'utf8'), resolved);
  const mode = fs.statSync(resolved).mode & 0o777;
  const warning =
    mode & 0o007
      ? `The key file ${resolved} can be read by every user of this computer (mode ${mode.toString(8)}); make it 0600.`
      : null;
  const cache = new Map<string, Buffer>();
  return {
    created,
    warning,
    keys: {
      derive(purpose) {
        let key = cache.get(purpose);
        if (!key) {
          key = Buffer.from(hkdfSync('sha256', master, Buffer.from('harbour'), Buffer.from(purpose), 32));
          cache.set(purpose, key);
        }
        return Buffer.from(key);
      },
    },
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
