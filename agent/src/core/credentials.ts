import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { idSchema, parseWith } from '@harbour/shared';

/** What the agent keeps after enrolling: which server, which device, and its secret. */
export const credentialsSchema = z.object({
  serverUrl: z.url(),
  deviceId: idSchema,
  credential: z.string().min(16),
  roomId: idSchema,
  enrolledAt: z.iso.datetime({ offset: true }),
});
export type Credentials = z.infer<typeof credentialsSchema>;

const fileName = 'device.json';

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, fileName);
}

export class CorruptCredentialsError extends Error {}

/** Reads the stored credentials; undefined if the agent has never enrolled. */
export function loadCredentials(dataDir: string): Credentials | undefined {
  let text: string;
  try {
    text = fs.readFileSync(credentialsPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CorruptCredentialsError(`${credentialsPath(dataDir)} is not valid JSON`);
  }
  const parsed = parseWith(credentialsSchema, json);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    throw new CorruptCredentialsError(
      `${credentialsPath(dataDir)} is invalid: ${first?.path}: ${first?.message}`,
    );
  }
  return parsed.value;
}

/** Writes the credentials atomically (temp file, fsync, rename), readable by this user only. */
export function saveCredentials(dataDir: string, credentials: Credentials): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const target = credentialsPath(dataDir);
  const temp = `${target}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(credentials, null, 2));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, target);
}
