import {
  createUserRequestSchema,
  idParamsSchema,
  meSchema,
  updateUserRequestSchema,
  userListSchema,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { changeUser, createUser } from './accounts.js';
import { listUsers, toUser } from './users.repository.js';

export function userRoutes(app: App, db: Db, push: Push): void {
  app.get(
    '/api/users',
    {
      config: { access: 'manageUsers' },
      schema: { summary: 'List staff accounts', tags: ['users'], response: { 200: userListSchema } },
    },
    async () => {
      return { users: (await listUsers(db)).map(toUser) };
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
      const row = await createUser(db, currentUser(request), request.body);
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
      const updated = await changeUser(db, push, currentUser(request), request.params.id, request.body);
      return { user: toUser(updated) };
    },
  );
}
