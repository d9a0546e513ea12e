import { execFile } from 'node:child_process';

/** An OS account as the service knows it from the system's user database (never from a helper). */
export interface UnixAccount {
  uid: number;
  gid: number;
  username: string;
  home: string;
}

/** Parses one passwd(5) line; null if it is not one. */
export function parsePasswdLine(line: string): UnixAccount | null {
  const parts = line.trim().split(':');
  if (parts.length < 7) return null;
  const [username, , uid, gid, , home] = parts;
  const u = Number(uid);
  const g = Number(gid);
  if (!username || !Number.isInteger(u) || !Number.isInteger(g) || u < 0 || g < 0) return null;
  return { username, uid: u, gid: g, home: home ?? '/' };
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
