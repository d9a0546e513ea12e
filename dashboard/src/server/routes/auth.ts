import { randomUUID } from 'node:crypto';
import {
  loginRequestSchema,
  meSchema,
  okSchema,
  setupRequestSchema,
  setupStatusSchema,
  type User,
} from '@harbour/shared';
import type { Selectable } from 'kysely';
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import { createSession, deleteSession, sessionCookie, sessionHours } from '../auth/sessions.js';
import type { App, ServerContext } from '../context.js';
import type { Db } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { HarbourError } from '../http/errors.js';
import { currentUser } from '../http/plumbing.js';
import { audit } from '../services/audit.js';
import { getSettings as getAupSettings } from '../services/aup.js';

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
  };
}

export async function needsSetup(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0) === 0;
}

/** Creates the first admin if there is no user yet; returns undefined if someone beat us to it. */
export async function createFirstAdmin(
  db: Db,
  input: { email: string; displayName: string; password: string },
): Promise<Selectable<UsersTable> | undefined> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    if (!(await needsSetup(trx))) return undefined;
    const row = {
      id: randomUUID(),
      email: input.email,
      display_name: input.displayName,
      role: 'admin' as const,
      password_hash: passwordHash,
      disabled_at: null,
      created_at: new Date().toISOString(),
    };
    await trx.insertInto('users').values(row).execute();
    await audit(trx, { actor: row.id, action: 'user.setup', subject: row.id });
    return row;
  });
}

export function authRoutes(app: App, ctx: ServerContext): void {
  const loginLimit = { max: ctx.rateLimits.login, timeWindow: '1 minute' };
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: 'auto' as const,
    path: '/',
    maxAge: sessionHours * 3600,
  };

  app.get(
    '/api/setup',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Whether first-run setup is needed, and the school’s language',
        tags: ['auth'],
        response: { 200: setupStatusSchema },
      },
    },
    // The school's language is public: the sign-in page is shown in it.
    async () => ({
      needsSetup: await needsSetup(ctx.db),
      language: (await getAupSettings(ctx.db)).language ?? 'en',
    }),
  );

  app.post(
    '/api/setup',
    {
      config: { access: 'public', rateLimit: loginLimit },
      schema: {
        summary: 'Create the first administrator (only while there are no users)',
        tags: ['auth'],
        body: setupRequestSchema,
        response: { 201: meSchema },
      },
    },
    async (request, reply) => {
      const row = await createFirstAdmin(ctx.db, request.body);
      if (!row) throw new HarbourError('conflict', 'Harbour is already set up. Sign in instead.');
      const token = await createSession(ctx.db, row.id);
      void reply.setCookie(sessionCookie, token, cookieOptions);
      return reply.status(201).send({ user: toUser(row) });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: loginLimit },
      schema: {
        summary: 'Sign in; sets the session cookie',
        tags: ['auth'],
        body: loginRequestSchema,
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const row = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
      if (!row || !ok || row.disabled_at !== null) {
        await audit(ctx.db, { actor: 'anonymous', action: 'auth.login_failed', detail: { email } });
        throw new HarbourError('unauthenticated', 'That email and password do not match an active account.');
      }
      const token = await createSession(ctx.db, row.id);
      await audit(ctx.db, { actor: row.id, action: 'auth.login' });
      void reply.setCookie(sessionCookie, token, cookieOptions);
      return { user: toUser(row) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'signedIn' },
      schema: { summary: 'Sign out', tags: ['auth'], response: { 200: okSchema } },
    },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) await deleteSession(ctx.db, token);
      void reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'signedIn' },
      schema: { summary: 'The signed-in user', tags: ['auth'], response: { 200: meSchema } },
    },
    async (request) => {
      const me = currentUser(request);
      const row = await ctx.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', me.id)
        .executeTakeFirstOrThrow();
      return { user: toUser(row) };
    },
  );
}
