import { randomUUID } from 'node:crypto';
import {
  createdEnrolmentTokenSchema,
  createEnrolmentTokenRequestSchema,
  enrolmentTokenListSchema,
  enrolmentTokenSchema,
  enrolRequestSchema,
  enrolResponseSchema,
  idParamsSchema,
  type EnrolmentToken,
} from '@harbour/shared';
import type { Selectable } from 'kysely';
import { hashSecret, newSecret } from '../../core/secrets.js';
import type { App, ServerContext } from '../../context.js';
import type { EnrolmentTokensTable } from '../../db/schema.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';

const toToken = (row: Selectable<EnrolmentTokensTable>): EnrolmentToken => ({
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

export function enrolmentRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/enrolment-tokens',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'List enrolment tokens',
        tags: ['enrolment'],
        response: { 200: enrolmentTokenListSchema },
      },
    },
    async () => {
      const rows = await ctx.db
        .selectFrom('enrolment_tokens')
        .selectAll()
        .orderBy('created_at', 'desc')
        .execute();
      return { tokens: rows.map(toToken) };
    },
  );

  app.post(
    '/api/enrolment-tokens',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Create an enrolment token for a room; the token is shown only in this response',
        tags: ['enrolment'],
        body: createEnrolmentTokenRequestSchema,
        response: { 201: createdEnrolmentTokenSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const { roomId, label, expiresInHours, maxUses } = request.body;
      const room = await ctx.db.selectFrom('rooms').select('id').where('id', '=', roomId).executeTakeFirst();
      if (!room) throw notFound('Room');
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
        max_uses: maxUses ?? null,
        uses: 0,
      };
      await ctx.db.insertInto('enrolment_tokens').values(row).execute();
      await audit(ctx.db, {
        actor: actor.id,
        action: 'enrolment_token.create',
        subject: row.id,
        detail: { roomId },
      });
      return reply.status(201).send({ ...toToken(row), token });
    },
  );

  app.post(
    '/api/enrolment-tokens/:id/revoke',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Revoke an enrolment token (devices already enrolled stay enrolled)',
        tags: ['enrolment'],
        params: idParamsSchema,
        response: { 200: enrolmentTokenSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const row = await ctx.db
        .updateTable('enrolment_tokens')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(new Date().toISOString())) }))
        .where('id', '=', request.params.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('Enrolment token');
      await audit(ctx.db, { actor: actor.id, action: 'enrolment_token.revoke', subject: row.id });
      return toToken(row);
    },
  );

  app.post(
    '/api/agent/enrol',
    {
      config: { access: 'public', rateLimit: { max: ctx.rateLimits.enrol, timeWindow: '1 minute' } },
      schema: {
        summary: 'Enrol a device with an enrolment token; returns its own credential (shown once)',
        tags: ['agent'],
        body: enrolRequestSchema,
        response: { 201: enrolResponseSchema },
      },
    },
    async (request, reply) => {
      const { token, hostname, os, serial, agentVersion } = request.body;
      const credential = newSecret('hdc_');
      const deviceId = randomUUID();
      const now = new Date().toISOString();
      const roomId = await ctx.db.transaction().execute(async (trx) => {
        const t = await trx
          .selectFrom('enrolment_tokens')
          .selectAll()
          .where('token_hash', '=', hashSecret(token))
          .executeTakeFirst();
        if (!t) throw new HarbourError('unauthenticated', 'This enrolment token is not recognised.');
        if (t.revoked_at) throw new HarbourError('unauthenticated', 'This enrolment token has been revoked.');
        if (t.expires_at <= now)
          throw new HarbourError('unauthenticated', 'This enrolment token has expired.');
        if (t.max_uses !== null && t.uses >= t.max_uses) {
          throw new HarbourError('unauthenticated', 'This enrolment token has been used up.');
        }
        await trx
          .updateTable('enrolment_tokens')
          .set((eb) => ({ uses: eb('uses', '+', 1) }))
          .where('id', '=', t.id)
          .execute();
        await trx
          .insertInto('devices')
          .values({
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
          })
          .execute();
        await audit(trx, {
          actor: `device:${deviceId}`,
          action: 'device.enrol',
          subject: deviceId,
          detail: { hostname },
        });
        return t.room_id;
      });
      request.log.info({ deviceId, hostname, roomId }, 'device enrolled');
      return reply.status(201).send({ deviceId, credential, roomId });
    },
  );
}
