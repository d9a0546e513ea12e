import argon2 from 'argon2';

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): OWASP's recommended
// family, and comfortably above its minimum parameters.
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the email is unknown, so timing does not reveal accounts. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-that-nobody-has');
  return decoy;
}
