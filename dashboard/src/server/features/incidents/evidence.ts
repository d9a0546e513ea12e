/**
 * Evidence attached to incidents: shown only to those allowed, every read audited and
 * hash-checked, and — once marked as a suspected illegal image — never shown again by
 * anyone: it can then leave Harbour only as a sealed package for the police.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachmentMimes, maxAttachmentBytes, sniffEvidenceMime, type EvidenceMime } from '@harbour/shared';
import * as tar from 'tar';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { audit } from '../../core/audit.js';
import {
  readVerifiedEvidence,
  sha256Of,
  storeEvidence,
  type EvidenceRule,
  type EvidenceRules,
} from '../evidence/index.js';
import { canSeeIncident } from './access.js';
import { incidentRef, mayViewEvidence, visibleIncidentRow } from './incidents.js';

const illegalMessage =
  'This image is marked as a suspected illegal image. Nobody can view it in Harbour; it can only be exported as a sealed package for the police.';

export async function isSuspectedIllegal(db: Db, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('incident_evidence')
    .select('sha256')
    .where('sha256', '=', sha256)
    .where('suspected_illegal_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The incidents' part of the evidence rules (registered with the evidence feature, so it
 * applies to every route that shows a file, the flags' included): a suspected illegal
 * image is shown to nobody; an image held with safeguarding records is shown to a teacher
 * only if they may see each of those records and the DSL has shared its evidence.
 */
export const incidentEvidenceRule: EvidenceRule = async (db, viewer, sha256) => {
  if (await isSuspectedIllegal(db, sha256)) throw new HarbourError('forbidden', illegalMessage);
  if (viewer.role !== 'teacher') return;
  const holders = await db
    .selectFrom('incident_evidence')
    .innerJoin('incidents', 'incidents.id', 'incident_evidence.incident_id')
    .selectAll('incidents')
    .where('incident_evidence.sha256', '=', sha256)
    .execute();
  for (const row of holders) {
    if (!(await canSeeIncident(db, row, viewer)) || !mayViewEvidence(row, viewer)) {
      throw new HarbourError('forbidden', 'The DSL has not shared this incident’s evidence with you.');
    }
  }
};

/** The bytes of one piece of evidence, for display: the incident must be visible and cite it; then the evidence rules. */
export async function readEvidenceForDisplay(
  db: Db,
  rules: EvidenceRules,
  incidentId: string,
  sha256: string,
  viewer: SessionUser,
): Promise<{ data: Buffer; mime: string }> {
  const row = await visibleIncidentRow(db, incidentId, viewer);
  const evidence = await db
    .selectFrom('incident_evidence')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (!evidence) throw notFound('Evidence');
  const data = await rules.open(viewer, sha256, {
    kind: 'incident',
    incidentId,
    deviceId: evidence.kind === 'attachment' ? null : row.device_id,
  });
  return { data, mime: evidence.mime };
}

/** Recorded when a member of staff deliberately un-blurs a screenshot in the dashboard. */
export async function recordReveal(
  db: Db,
  rules: EvidenceRules,
  incidentId: string,
  sha256: string,
  viewer: SessionUser,
): Promise<void> {
  const row = await visibleIncidentRow(db, incidentId, viewer);
  const evidence = await db
    .selectFrom('incident_evidence')
    .select('kind')
    .where('incident_id', '=', incidentId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (!evidence) throw notFound('Evidence');
  await rules.check(viewer, sha256, {
    kind: 'incident',
    incidentId,
    deviceId: evidence.kind === 'attachment' ? null : row.device_id,
  });
  await audit(db, { actor: viewer.id, action: 'evidence.reveal', subject: incidentId, detail: { sha256 } });
}

/** Marks an image as a suspected illegal image, everywhere it is attached. Cannot be undone. */
export async function markSuspectedIllegal(
  db: Db,
  incidentId: string,
  sha256: string,
  actor: SessionUser,
  note: string | undefined,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const evidence = await trx
      .selectFrom('incident_evidence')
      .select('suspected_illegal_at')
      .where('incident_id', '=', incidentId)
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!evidence) throw notFound('Evidence');
    if (evidence.suspected_illegal_at) return;
    await trx
      .updateTable('incident_evidence')
      .set({ suspected_illegal_at: new Date().toISOString(), suspected_illegal_by: actor.id })
      .where('sha256', '=', sha256)
      .where('suspected_illegal_at', 'is', null)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: 'evidence.suspected_illegal',
      subject: incidentId,
      detail: { sha256, note },
    });
  });
}

/** Adds a file staff attach by hand (a photo of a note, a PDF letter). Type and size are checked. */
export async function addAttachment(
  db: Db,
  evidenceDir: string,
  incidentId: string,
  actor: SessionUser,
  input: { data: Buffer; contentType: string | undefined; label: string | null },
): Promise<string> {
  const declared = (input.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(attachmentMimes as readonly string[]).includes(declared)) {
    throw new HarbourError(
      'bad_request',
      `Attachments must be PNG or JPEG images; this one is "${declared || 'of no stated type'}".`,
    );
  }
  if (input.data.length === 0) throw new HarbourError('bad_request', 'The attachment is empty.');
  if (input.data.length > maxAttachmentBytes) {
    throw new HarbourError(
      'payload_too_large',
      `Attachments can be at most ${maxAttachmentBytes / 1024 / 1024} MiB.`,
    );
  }
  const actual = sniffEvidenceMime(input.data);
  if (actual !== (declared as EvidenceMime)) {
    throw new HarbourError(
      'bad_request',
      `The file is not really ${declared}: its contents do not match its type.`,
    );
  }
  const row = await db
    .selectFrom('incidents')
    .select('state')
    .where('id', '=', incidentId)
    .executeTakeFirst();
  if (!row) throw notFound('Incident');
  if (row.state === 'closed')
    throw new HarbourError(
      'conflict',
      'This incident is closed. Reopen it first; reopening is recorded with your reason.',
    );
  const { sha256 } = await storeEvidence(db, evidenceDir, {
    deviceId: null,
    bytes: input.data,
    mime: actual,
    claimedSha256: sha256Of(input.data),
  });
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('incident_evidence')
      .values({
        incident_id: incidentId,
        sha256,
        kind: 'attachment',
        mime: actual,
        bytes: input.data.length,
        label: input.label,
        added_at: new Date().toISOString(),
        added_by: actor.id,
        suspected_illegal_at: null,
        suspected_illegal_by: null,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      await audit(trx, {
        actor: actor.id,
        action: 'evidence.attach',
        subject: incidentId,
        detail: { sha256, mime: actual, bytes: input.data.length, label: input.label },
      });
    }
  });
  return sha256;
}

const extensionOf: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

export interface SealedPackage {
  data: Buffer;
  fileName: string;
  manifestSha256: string;
  packageSha256: string;
}

/**
 * The sealed package for the police: every evidence file of the incident (never opened
 * or re-encoded, copied byte for byte), metadata.json, SHA256SUMS and manifest.json
 * (each file's path, size and hash). The manifest's own hash is returned, recorded in
 * the trail and meant to be written on the handover form. Recorded as `evidence.sealed_export`.
 */
export async function sealedExport(
  db: Db,
  evidenceDir: string,
  incidentId: string,
  actor: SessionUser,
): Promise<SealedPackage> {
  const incident = await db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', incidentId)
    .executeTakeFirst();
  if (!incident) throw notFound('Incident');
  const evidence = await db
    .selectFrom('incident_evidence')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('added_at')
    .execute();
  if (evidence.length === 0) throw new HarbourError('conflict', 'This incident has no evidence to export.');
  const exportedAt = new Date().toISOString();
  const ref = incidentRef(incident.seq);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-sealed-'));
  try {
    const root = path.join(dir, ref);
    fs.mkdirSync(path.join(root, 'evidence'), { recursive: true });
    const files: { path: string; sha256: string; bytes: number }[] = [];
    const write = (rel: string, data: Buffer) => {
      fs.writeFileSync(path.join(root, rel), data);
      files.push({ path: rel, sha256: sha256Of(data), bytes: data.length });
    };
    for (const e of evidence) {
      // readVerifiedEvidence refuses a file whose bytes no longer match the recorded hash.
      write(
        `evidence/${e.sha256}.${extensionOf[e.mime] ?? 'bin'}`,
        await readVerifiedEvidence(db, evidenceDir, e.sha256),
      );
    }
    const metadata = {
      format: 'harbour-sealed-evidence/1',
      incident: {
        ref,
        id: incident.id,
        source: incident.source,
        category: incident.category,
        occurredAt: incident.occurred_at,
        recordedAt: incident.created_at,
        device: incident.device_id && {
          id: incident.device_id,
          name: incident.device_name,
          serial: incident.device_serial,
        },
        room: incident.room_name,
        window: incident.window ? (JSON.parse(incident.window) as unknown) : null,
        pupilUsername: incident.subject_username,
      },
      evidence: evidence.map((e) => ({
        sha256: e.sha256,
        mime: e.mime,
        bytes: e.bytes,
        kind: e.kind,
        label: e.label,
        addedAt: e.added_at,
        suspectedIllegal: e.suspected_illegal_at !== null,
        markedAt: e.suspected_illegal_at,
      })),
      exportedAt,
      exportedBy: { id: actor.id, name: actor.displayName },
    };
    write('metadata.json', Buffer.from(JSON.stringify(metadata, null, 2)));
    write('SHA256SUMS', Buffer.from(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')));
    const manifest = Buffer.from(
      JSON.stringify({ format: 'harbour-sealed-manifest/1', ref, exportedAt, files }, null, 2),
    );
    fs.writeFileSync(path.join(root, 'manifest.json'), manifest);
    const manifestSha256 = sha256Of(manifest);
    const archive = path.join(dir, 'package.tar.gz');
    await tar.create({ gzip: true, cwd: dir, file: archive, portable: true }, [ref]);
    const data = fs.readFileSync(archive);
    const packageSha256 = sha256Of(data);
    await audit(db, {
      actor: actor.id,
      action: 'evidence.sealed_export',
      subject: incidentId,
      detail: { manifestSha256, packageSha256, files: files.map((f) => f.path) },
    });
    return { data, fileName: `${ref}-sealed.tar.gz`, manifestSha256, packageSha256 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
