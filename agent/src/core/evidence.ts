import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  apiErrorSchema,
  maxEvidenceBytes,
  parseWith,
  sniffEvidenceMime,
  type EvidenceMime,
  type EvidenceRef,
} from '@harbour/shared';
import type { Credentials } from './credentials.js';

const extension: Record<EvidenceMime, string> = { 'image/png': 'png', 'image/jpeg': 'jpg' };

/**
 * Evidence waiting on this computer to be uploaded. Files are named by their SHA-256 and
 * kept until the event that refers to them has been acknowledged by the server, so a
 * screenshot survives the agent or the network going down.
 */
export class EvidenceStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'evidence');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Saves bytes durably and returns the reference an event carries. */
  save(bytes: Buffer, mime: EvidenceMime): EvidenceRef {
    if (bytes.length === 0 || bytes.length > maxEvidenceBytes) {
      throw new Error(`evidence must be 1 to ${maxEvidenceBytes} bytes, got ${bytes.length}`);
    }
    if (sniffEvidenceMime(bytes) !== mime) throw new Error(`evidence is not a ${mime} image`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.file(sha256, mime);
    if (!fs.existsSync(file)) {
      const temp = `${file}.tmp`;
      const fd = fs.openSync(temp, 'w', 0o600);
      try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
    }
    return { sha256, mime, bytes: bytes.length };
  }

  read(ref: EvidenceRef): Buffer | undefined {
    try {
      return fs.readFileSync(this.file(ref.sha256, ref.mime));
    } catch {
      return undefined;
    }
  }

  remove(ref: EvidenceRef): void {
    fs.rmSync(this.file(ref.sha256, ref.mime), { force: true });
  }

  private file(sha256: string, mime: EvidenceMime): string {
    return path.join(this.dir, `${sha256}.${extension[mime]}`);
  }
}

export type UploadResult = { ok: true } | { ok: false; permanent: boolean; reason: string };

/** Uploads one evidence file; safe to repeat (the server stores each hash once). */
export async function uploadEvidence(
  credentials: Credentials,
  ref: EvidenceRef,
  bytes: Buffer,
  fetchImpl: typeof fetch = fetch,
): Promise<UploadResult> {
  let response: Response;
  try {
    response = await fetchImpl(new URL(`/api/agent/evidence?sha256=${ref.sha256}`, credentials.serverUrl), {
      method: 'POST',
      headers: {
        'content-type': ref.mime,
        authorization: `Device ${credentials.deviceId}:${credentials.credential}`,
      },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { ok: false, permanent: false, reason: (error as Error).message };
  }
  if (response.ok) return { ok: true };
  const body = parseWith(apiErrorSchema, await response.json().catch(() => undefined));
  const reason = body.ok ? body.value.error.message : `HTTP ${response.status}`;
  // 4xx (but not 401/429) means these bytes will never be accepted: don't retry forever.
  const permanent =
    response.status >= 400 && response.status < 500 && ![401, 408, 429].includes(response.status);
  return { ok: false, permanent, reason };
}

/** The evidence references an event body carries, if any. */
export function evidenceOf(body: object): EvidenceRef[] {
  const refs = (body as { evidence?: unknown }).evidence;
  return Array.isArray(refs) ? (refs as EvidenceRef[]) : [];
}
