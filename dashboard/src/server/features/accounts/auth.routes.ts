import {
  loginRequestSchema,
  meSchema,
  okSchema,
  setupRequestSchema,
  setupStatusSchema,
} from '@harbour/shared';
import { HarbourError } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import { sessionCookie } from '../../core/identity.js';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { schoolLanguage } from '../aup/index.js';
import { createFirstAdmin, signIn } from './accounts.js';
import { createSession, deleteSession, sessionHours, sessionIdOf } from './sessions.repository.js';
import { needsSetup, toUser, userById } from './users.repository.js';

export function authRoutes(app: App, db: Db, push: Push, loginRateLimit: number): void {
  const loginLimit = { max: loginRateLimit, timeWindow: '1 minute' };
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
    async () => ({ needsSetup: await needsSetup(db), language: await schoolLanguage(db) }),
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
      const row = await createFirstAdmin(db, request.body);
      if (!row) throw new HarbourError('conflict', 'Harbour is already set up. Sign in instead.');
      const token = await createSession(db, row.id);
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
      const { row, token } = await signIn(db, email, password);
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
      if (token) {
        await deleteSession(db, token);
        // The live channel opened with this sign-in ends with it.
        push.disconnect(channel.session(sessionIdOf(token)));
      }
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
      const row = await userById(db, me.id);
      if (!row) throw new Error(`the signed-in user ${me.id} has no account`);
      return { user: toUser(row) };
    },
  );
}
