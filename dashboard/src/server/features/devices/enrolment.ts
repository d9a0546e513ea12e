/**
 * Enrolment (table `enrolment_tokens`): technicians make tokens for a room; a device
 * presents one once and gets its own credential. Every change is audited here.
 */
import { randomUUID } from 'node:crypto';
import type { EnrolmentToken } from '@harbour/shared';
import type { Selectable } from 'kysely';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import { hashSecret, newSecret } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';
import type { EnrolmentTokensTable } from '../../db/schema.js';
import { insertDevice } from './devices.repository.js';
import { roomVisibleTo } from './rooms.repository.js';

export const toToken = (row: Selectable<EnrolmentTokensTable>): EnrolmentToken => ({
  id: row.id,
  roomId: row.room_id,
  label: row.label,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  maxUses: row.max_uses,
  uses: row.uses,
  createdBy: row.created_by,
});

/** Every token, newest first, each with the computers that enrolled with it. */
export async function listTokens(db: Db, schoolId: number | null = null): Promise<EnrolmentToken[]> {
  let q = db.selectFrom('enrolment_tokens').selectAll();
  // A school's staff see only their school's rooms' tokens (core/tenancy.ts).
  if (schoolId !== null)
    q = q.where('room_id', 'in', (eb) =>
      eb.selectFrom('rooms').select('id').where('school_id', '=', schoolId),
    );
  const rows = await q.orderBy('created_at', 'desc').execute();
  const used = await db
    .selectFrom('devices')
    .select(['id', 'hostname', 'enrolled_at', 'revoked_at', 'enrolment_token_id'])
    .where('enrolment_token_id', 'is not', null)
    .orderBy('enrolled_at')
    .orderBy('id')
    .execute();
  const byToken = new Map<string, NonNullable<EnrolmentToken['usedBy']>>();
  for (const d of used) {
    const list = byToken.get(d.enrolment_token_id ?? '') ?? [];
    list.push({
      deviceId: d.id,
      hostname: d.hostname,
      enrolledAt: d.enrolled_at,
      revoked: d.revoked_at !== null,
    });
    byToken.set(d.enrolment_token_id ?? '', list);
  }
  return rows.map((row) => ({ ...toToken(row), usedBy: byToken.get(row.id) ?? [] }));
}

/** A new token; its secret is returned this once and only its hash is kept. */
export async function createToken(
  db: Db,
  actor: SessionUser,
  input: { roomId: string; label?: string | undefined; expiresInHours: number; maxUses: number },
): Promise<EnrolmentToken & { token: string }> {
  const { roomId, label, expiresInHours, maxUses } = input;
  if (!(await roomVisibleTo(db, actor, roomId))) throw notFound('Room');
  const token = newSecret('het_');
  const now = new Date();
  const row = {
    id: randomUUID(),
    token_hash: hashSecret(token),
    room_id: roomId,
    label: label ?? null,
    created_by: actor.id,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + expiresInHours * 3600_000).toISOString(),
    revoked_at: null,
    max_uses: maxUses,
    uses: 0,
  };
  await db.insertInto('enrolment_tokens').values(row).execute();
  await audit(db, {
    actor: actor.id,
    action: 'enrolment_token.create',
    subject: row.id,
    detail: { roomId, maxUses, expiresAt: row.expires_at },
  });
  return { ...toToken(row), usedBy: [], token };
}

export async function revokeToken(db: Db, actor: SessionUser, id: string): Promise<EnrolmentToken> {
  const existing = await db
    .selectFrom('enrolment_tokens')
    .select('room_id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!existing || !(await roomVisibleTo(db, actor, existing.room_id))) throw notFound('Enrolment token');
  const row = await db
    .updateTable('enrolment_tokens')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(new Date().toISOString())) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Enrolment token');
  await audit(db, { actor: actor.id, action: 'enrolment_token.revoke', subject: row.id });
  return toToken(row);
}

/** Enrols a device with a token: checks and counts the token and records the device, in one transaction. */
export async function enrol(
  db: Db,
  input: { token: string; hostname: string; os: string; serial: string | null; agentVersion: string },
): Promise<{ deviceId: string; credential: string; roomId: string }> {
  const { token, hostname, os, serial, agentVersion } = input;
  const credential = newSecret('hdc_');
  const deviceId = randomUUID();
  const now = new Date().toISOString();
  const roomId = await db.transaction().execute(async (trx) => {
    const t = await trx
      .selectFrom('enrolment_tokens')
      .selectAll()
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!t) throw new HarbourError('unauthenticated', 'This enrolment token is not recognised.');
    if (t.revoked_at) throw new HarbourError('unauthenticated', 'This enrolment token has been revoked.');
    if (t.expires_at <= now) throw new HarbourError('unauthenticated', 'This enrolment token has expired.');
    if (t.max_uses !== null && t.uses >= t.max_uses) {
      throw new HarbourError('unauthenticated', 'This enrolment token has been used up.');
    }
    await trx
      .updateTable('enrolment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', t.id)
      .execute();
    await insertDevice(trx, {
      id: deviceId,
      room_id: t.room_id,
      credential_hash: hashSecret(credential),
      hostname,
      os,
      serial,
      agent_version: agentVersion,
      enrolled_at: now,
      enrolment_token_id: t.id,
      last_seen: null,
      current_user: null,
      revoked_at: null,
      merged_into: null,
      stopped_user: null,
      stopped_at: null,
      aup_gate: null,
    });
    await audit(trx, {
      actor: `device:${deviceId}`,
      action: 'device.enrol',
      subject: deviceId,
      detail: { hostname },
    });
    return t.room_id;
  });
  return { deviceId, credential, roomId };
}
