/**
 * The evidence rules, in one place: every route that returns an evidence file (a flag's
 * screenshot, an incident's evidence) asks `EvidenceRules.open`, which
 *
 * 1. checks the file belongs to the record's device (a device can cite only screenshots it
 *    uploaded itself; staff attachments have no device);
 * 2. runs every rule other features registered (features/incidents: an image marked as a
 *    suspected illegal image is shown to nobody, ever; an image held with a safeguarding
 *    record is shown only to those who may see that record's evidence, whichever route
 *    asks for it);
 * 3. reads the file with its hash re-checked, and records the read in the audit trail
 *    (a refusal is recorded too).
 *
 * The route keeps only what is about its own context: that the flag or incident exists,
 * cites this file, and that the viewer may see it.
 */
import { HarbourError } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import { audit } from '../../core/audit.js';
import type { Db } from '../../db/database.js';
import { holdsEvidence, readVerifiedEvidence } from './verified.js';

/** Where a file is being shown from. `deviceId` is the record's device (null: added by staff). */
export type EvidenceUse =
  | { kind: 'flag'; flagId: string; deviceId: string }
  | { kind: 'incident'; incidentId: string; deviceId: string | null };

/** A rule: throws a HarbourError (with the reason staff see) when `viewer` may not see `sha256` here. */
export type EvidenceRule = (db: Db, viewer: SessionUser, sha256: string, use: EvidenceUse) => Promise<void>;

/** Whether `deviceId` uploaded the file `sha256`. */
export async function deviceHolds(db: Db, sha256: string, deviceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('evidence_holders')
    .select('sha256')
    .where('sha256', '=', sha256)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return row !== undefined;
}

export class EvidenceRules {
  private readonly rules: EvidenceRule[] = [];

  constructor(
    private readonly db: Db,
    private readonly evidenceDir: string,
  ) {}

  /** For other features: a rule every evidence read must pass. */
  add(rule: EvidenceRule): void {
    this.rules.push(rule);
  }

  /** Checks every rule; a refusal is recorded and thrown. */
  async check(viewer: SessionUser, sha256: string, use: EvidenceUse): Promise<void> {
    try {
      // A file not here at all is reported by the read below ("not reached the server yet").
      if (
        use.deviceId !== null &&
        (await holdsEvidence(this.db, sha256)) &&
        !(await deviceHolds(this.db, sha256, use.deviceId))
      ) {
        throw new HarbourError(
          'not_found',
          'This screenshot was not sent by the computer this record is about.',
        );
      }
      for (const rule of this.rules) await rule(this.db, viewer, sha256, use);
    } catch (error) {
      if (error instanceof HarbourError) {
        await audit(this.db, {
          actor: viewer.id,
          action: 'evidence.view_refused',
          subject: use.kind === 'flag' ? sha256 : use.incidentId,
          detail: { sha256, reason: error.message, ...(use.kind === 'flag' && { flagId: use.flagId }) },
        });
      }
      throw error;
    }
  }

  /** The file's bytes for display, once every rule allows it; the read is recorded. */
  async open(viewer: SessionUser, sha256: string, use: EvidenceUse): Promise<Buffer> {
    await this.check(viewer, sha256, use);
    const bytes = await readVerifiedEvidence(this.db, this.evidenceDir, sha256);
    await audit(
      this.db,
      use.kind === 'flag'
        ? { actor: viewer.id, action: 'evidence.read', subject: sha256, detail: { flagId: use.flagId } }
        : { actor: viewer.id, action: 'evidence.view', subject: use.incidentId, detail: { sha256 } },
    );
    return bytes;
  }
}
