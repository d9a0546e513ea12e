import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sniffEvidenceMime, type EvidenceMime } from '@harbour/shared';
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';

const extension: Record<EvidenceMime, string> = { 'image/png': 'png', 'image/jpeg': 'jpg' };

export function evidencePath(evidenceDir: string, sha256: string, mime: EvidenceMime): string {
  return path.join(evidenceDir, sha256.slice(0, 2), `${sha256}.${extension[mime]}`);
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Stores an evidence file once, content-addressed by its SHA-256. The caller's claimed
 * hash must match the bytes, and the bytes must be the image type they claim to be.
 * Files are written to a temporary name, flushed, renamed, and made read-only.
 */
export async function storeEvidence(
  db: Db,
  evidenceDir: string,
  /** deviceId is null for attachments staff add by hand. */
  input: { deviceId: string | null; bytes: Buffer; mime: EvidenceMime; claimedSha256: string },
): Promise<{ sha256: string; bytes: number; duplicate: boolean }> {
  const sha256 = sha256Of(input.bytes);
  if (sha256 !== input.claimedSha256) {
    throw new HarbourError(
      'bad_request',
      `The evidence is corrupt: its SHA-256 is ${sha256}, not ${input.claimedSha256}.`,
    );
  }
  const sniffed = sniffEvidenceMime(input.bytes);
  if (sniffed !== input.mime) {
    throw new HarbourError('bad_request', `The evidence is not a valid ${input.mime} image.`);
  }
  const existing = await db
    .selectFrom('evidence')
    .select('sha256')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (existing) {
    await recordHolder(db, sha256, input.deviceId);
    return { sha256, bytes: input.bytes.length, duplicate: true };
  }

  const file = evidencePath(evidenceDir, sha256, input.mime);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    await handle.writeFile(input.bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await fs.chmod(file, 0o400);
  await db
    .insertInto('evidence')
    .values({
      sha256,
      device_id: input.deviceId,
      mime: input.mime,
      bytes: input.bytes.length,
      received_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await recordHolder(db, sha256, input.deviceId);
  return { sha256, bytes: input.bytes.length, duplicate: false };
}

/** Notes that `deviceId` uploaded this file (a file is stored once, whoever sends it first). */
async function recordHolder(db: Db, sha256: string, deviceId: string | null): Promise<void> {
  if (deviceId === null) return;
  await db
    .insertInto('evidence_holders')
    .values({ sha256, device_id: deviceId, received_at: new Date().toISOString() })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export class EvidenceTampered extends Error {}

/** Reads an evidence file, re-checking its hash: a file that no longer matches is never served. */
export async function readEvidence(
  db: Db,
  evidenceDir: string,
  sha256: string,
): Promise<{ bytes: Buffer; mime: EvidenceMime } | undefined> {
  const row = await db.selectFrom('evidence').selectAll().where('sha256', '=', sha256).executeTakeFirst();
  if (!row) return undefined;
  const mime = row.mime as EvidenceMime;
  const bytes = await fs.readFile(evidencePath(evidenceDir, sha256, mime));
  if (sha256Of(bytes) !== sha256) throw new EvidenceTampered(`evidence ${sha256} no longer matches its hash`);
  return { bytes, mime };
}
