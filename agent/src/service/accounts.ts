import { execFile } from 'node:child_process';

/**
 * An OS account as the service knows it from the system (never from a helper). `id` is
 * what the service keys a user's state, reports and doors by: the uid as text on Linux and
 * macOS, `DOMAIN\\user` on Windows.
 */
export interface OsAccount {
  id: string;
  username: string;
  home: string;
  uid?: number;
  gid?: number;
}

/** A Linux or macOS account: a uid and gid the service can start a helper as. */
export interface UnixAccount extends OsAccount {
  uid: number;
  gid: number;
}

/** Parses one passwd(5) line; null if it is not one. */
export function parsePasswdLine(line: string): UnixAccount | null {
  const parts = line.trim().split(':');
  if (parts.length < 7) return null;
  const [username, , uid, gid, , home] = parts;
  const u = Number(uid);
  const g = Number(gid);
  if (!username || !Number.isInteger(u) || !Number.isInteger(g) || u < 0 || g < 0) return null;
  return { id: String(u), username, uid: u, gid: g, home: home ?? '/' };
}

/** The account with `uid`, through NSS (`getent passwd`: local, LDAP and directory users alike). */
export function lookupAccount(uid: number): Promise<UnixAccount | null> {
  if (!Number.isInteger(uid) || uid < 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile('getent', ['passwd', String(uid)], { timeout: 5000 }, (error, stdout) => {
      const account = error ? null : parsePasswdLine(stdout.split('\n')[0] ?? '');
      resolve(account && account.uid === uid ? account : null);
    });
  });
}

/**
 * `dscacheutil -q user -a uid <uid>` (macOS has no getent): "key: value" lines for the
 * account through Directory Services (local and directory users alike).
 */
export function parseDscacheutil(text: string): UnixAccount | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !fields.has(line.slice(0, colon).trim()))
      fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const username = fields.get('name');
  const uid = Number(fields.get('uid'));
  const gid = Number(fields.get('gid'));
  if (!username || !Number.isInteger(uid) || !Number.isInteger(gid) || uid < 0 || gid < 0) return null;
  return { id: String(uid), username, uid, gid, home: fields.get('dir') || '/' };
}

export function lookupDarwinAccount(uid: number): Promise<UnixAccount | null> {
  if (!Number.isInteger(uid) || uid < 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile('dscacheutil', ['-q', 'user', '-a', 'uid', String(uid)], { timeout: 5000 }, (error, stdout) => {
      const account = error ? null : parseDscacheutil(stdout);
      resolve(account && account.uid === uid ? account : null);
    });
  });
}

/** An account id of Linux or macOS (a uid as text) as a number; null for anything else. */
export function uidOf(id: string): number | null {
  return /^\d{1,10}$/.test(id) && Number(id) <= 2 ** 31 ? Number(id) : null;
}
