import { randomUUID } from 'node:crypto';
import {
  createUserRequestSchema,
  idParamsSchema,
  meSchema,
  updateUserRequestSchema,
  userListSchema,
} from '@harbour/shared';
import { hashPassword } from '../../core/passwords.js';
import { deleteSessionsOf } from './sessions.js';
import type { App, ServerContext } from '../../context.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import { toUser } from './auth.routes.js';

export function userRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/users',
    {
      config: { access: 'manageUsers' },
      schema: { summary: 'List staff accounts', tags: ['users'], response: { 200: userListSchema } },
    },
    async () => {
      const rows = await ctx.db.selectFrom('users').selectAll().orderBy('display_name').execute();
      return { users: rows.map(toUser) };
    },
  );

  app.post(
    '/api/users',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary: 'Create a staff account',
        tags: ['users'],
        body: createUserRequestSchema,
        response: { 201: meSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const { email, displayName, role, password } = request.body;
      const existing = await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst();
      if (existing) throw new HarbourError('conflict', `An account with the email ${email} already exists.`);
      const row = {
        id: randomUUID(),
        email,
        display_name: displayName,
        role,
        password_hash: await hashPassword(password),
        disabled_at: null,
        created_at: new Date().toISOString(),
      };
      await ctx.db.insertInto('users').values(row).execute();
      await audit(ctx.db, { actor: actor.id, action: 'user.create', subject: row.id, detail: { role } });
      return reply.status(201).send({ user: toUser(row) });
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary: 'Change a staff account (name, role, or disable/enable it)',
        tags: ['users'],
        params: idParamsSchema,
        body: updateUserRequestSchema,
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const { id } = request.params;
      const change = request.body;
      if (id === actor.id && (change.disabled === true || (change.role && change.role !== 'admin'))) {
        throw new HarbourError(
          'conflict',
          'You cannot disable your own account or remove your own admin role.',
        );
      }
      const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('User');
      const updated = await ctx.db
        .updateTable('users')
        .set({
          ...(change.displayName !== undefined && { display_name: change.displayName }),
          ...(change.role !== undefined && { role: change.role }),
          ...(change.disabled !== undefined && {
            disabled_at: change.disabled ? (row.disabled_at ?? new Date().toISOString()) : null,
          }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (change.disabled === true || (change.role !== undefined && change.role !== row.role)) {
        // A disabled user, or one whose role changed, is signed out everywhere at once.
        await deleteSessionsOf(ctx.db, id);
        ctx.disconnectUser(id);
      }
      await audit(ctx.db, { actor: actor.id, action: 'user.update', subject: id, detail: change });
      return { user: toUser(updated) };
    },
  );
}
