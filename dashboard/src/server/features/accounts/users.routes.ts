import {
  adminPasswordResetRequestSchema,
  adminPasswordResetSchema,
  createUserRequestSchema,
  identitySettingsSchema,
  identitySettingsUpdateSchema,
  idParamsSchema,
  meSchema,
  okSchema,
  updateUserRequestSchema,
  userListSchema,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import { currentUser } from '../../http/plumbing.js';
import {
  adminResetPassword,
  adminResetSecondFactor,
  changeUser,
  createUser,
  type AccountDeps,
} from './accounts.js';
import { listUsers, toUser } from './users.repository.js';

export function userRoutes(app: App, deps: AccountDeps): void {
  const { db, push } = deps;
  app.get(
    '/api/users',
    {
      config: { access: 'manageUsers' },
      schema: { summary: 'List staff accounts', tags: ['users'], response: { 200: userListSchema } },
    },
    async (request) => {
      // A school's admin lists their school's accounts; a trust-level admin every account.
      return { users: (await listUsers(db, currentUser(request).schoolId)).map(toUser) };
    },
  );

  app.post(
    '/api/users',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary: 'Create a staff account (the password is temporary unless temporaryPassword is false)',
        tags: ['users'],
        body: createUserRequestSchema,
        response: { 201: meSchema },
      },
    },
    async (request, reply) => {
      const row = await createUser(deps, currentUser(request), request.body);
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

  app.post(
    '/api/users/:id/password-reset',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary:
          'Reset a password: a one-use link, or a temporary password changed at next sign-in (audited)',
        tags: ['users'],
        params: idParamsSchema,
        body: adminPasswordResetRequestSchema,
        response: { 200: adminPasswordResetSchema },
      },
    },
    (request) => adminResetPassword(deps, currentUser(request), request.params.id, request.body.mode),
  );

  app.post(
    '/api/users/:id/second-factor/reset',
    {
      // Whoever can remove a second factor can take the account: the admin proves their own.
      config: { access: 'manageUsers', secondFactor: true },
      schema: {
        summary: 'Remove someone’s lost second factor (another admin; audited)',
        tags: ['users'],
        params: idParamsSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      await adminResetSecondFactor(deps, currentUser(request), request.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/identity/settings',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary: 'The school’s sign-in settings',
        tags: ['users'],
        response: { 200: identitySettingsSchema },
      },
    },
    () => deps.settings.get(),
  );

  app.patch(
    '/api/identity/settings',
    {
      config: { access: 'manageUsers', trustWide: true },
      schema: {
        summary: 'Change the school’s sign-in settings',
        tags: ['users'],
        body: identitySettingsUpdateSchema,
        response: { 200: identitySettingsSchema },
      },
    },
    (request) => deps.settings.update(currentUser(request).id, request.body),
  );
}
