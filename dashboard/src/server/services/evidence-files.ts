/**
 * The evidence files themselves: content-addressed (the file name is the SHA-256 of its
 * bytes), written once and never altered, re-hashed on every read so a changed or damaged
 * file is refused rather than shown. Screenshots from agents and attachments staff add
 * live side by side in DATA_DIR/evidence.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HarbourError } from '../http/errors.js';

export const evidenceDir = (dataDir: string) => path.join(dataDir, 'evidence');

export function evidencePath(dataDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new HarbourError('bad_request', 'Not an evidence hash.');
  return path.join(evidenceDir(dataDir), sha256);
}

export const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function evidenceReceived(dataDir: string, sha256: string): boolean {
  return fs.existsSync(evidencePath(dataDir, sha256));
}

/** What the bytes really are, from their first bytes (never from what the sender claims). */
export function sniffMime(data: Buffer): 'image/png' | 'image/jpeg' | 'application/pdf' | null {
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

/** Stores bytes once under their hash (write to a temp file, then rename). Returns the hash. */
export function storeEvidenceFile(dataDir: string, data: Buffer): string {
  const sha256 = sha256Of(data);
  const file = evidencePath(dataDir, sha256);
  if (fs.existsSync(file)) return sha256;
  fs.mkdirSync(evidenceDir(dataDir), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o400 });
  fs.renameSync(tmp, file);
  return sha256;
}

/** Reads an evidence file and checks its hash; refuses a missing or altered file. */
export function readVerifiedEvidence(dataDir: string, sha256: string): Buffer {
  const file = evidencePath(dataDir, sha256);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    throw new HarbourError('not_found', 'This evidence has not reached the server yet.');
  }
  if (sha256Of(data) !== sha256) {
    throw new HarbourError(
      'conflict',
      'This evidence file no longer matches its recorded hash: it has been altered or damaged.',
    );
  }
  return data;
}
