import {
  changePasswordRequestSchema,
  loginRequestSchema,
  loginResponseSchema,
  meSchema,
  mfaRequestSchema,
  okSchema,
  passwordResetRequestSchema,
  recoveryCodesSchema,
  secondFactorSetupSchema,
  secondFactorStatusSchema,
  setupRequestSchema,
  setupStatusSchema,
  type SessionState,
} from '@harbour/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HarbourError } from '../../core/errors.js';
import { severalSchools } from '../../core/schools.js';
import type { App } from '../../core/feature.js';
import { sessionCookie, type SessionUser } from '../../core/identity.js';
import { channel } from '../../core/ports.js';
import { currentUser } from '../../http/plumbing.js';
import { schoolLanguage } from '../aup/index.js';
import {
  changeOwnPassword,
  completeSecondFactor,
  confirmSecondFactor,
  createFirstAdmin,
  newRecoveryCodes,
  signIn,
  startSecondFactor,
  usePasswordResetLink,
  type AccountDeps,
} from './accounts.js';
import { unusedRecoveryCodes } from './second-factor.js';
import {
  createSession,
  deleteSession,
  pendingMinutes,
  sessionHours,
  sessionIdOf,
} from './sessions.repository.js';
import { needsSetup, toUser, userById } from './users.repository.js';

const cookieOptions = {
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: 'auto' as const,
  path: '/',
  maxAge: sessionHours * 3600,
};

export function setSessionCookie(reply: FastifyReply, token: string, pending = false): void {
  void reply.setCookie(sessionCookie, token, {
    ...cookieOptions,
    ...(pending && { maxAge: pendingMinutes * 60 }),
  });
}

/** What this session may do: the page shows the next step from it. */
export function sessionState(user: SessionUser): SessionState {
  return {
    secondFactor: user.secondFactor,
    restriction: user.restriction,
    recordsNeedSecondFactor: !user.secondFactor && (user.role === 'dsl' || user.role === 'teacher'),
  };
}

/** The limit per address and account: one address cannot use up everyone's attempts. */
export function signInLimit(max: number) {
  return {
    max,
    timeWindow: '1 minute',
    hook: 'preHandler' as const,
    keyGenerator: (request: FastifyRequest) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      return `${request.ip}|${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
    },
  };
}

export function authRoutes(app: App, deps: AccountDeps, loginRateLimit: number): void {
  const { db } = deps;
  const perAddress = { max: loginRateLimit, timeWindow: '1 minute' };
  const token = (request: FastifyRequest) => request.cookies[sessionCookie] ?? '';

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
      config: { access: 'public', rateLimit: perAddress },
      schema: {
        summary: 'Create the first administrator (only while there are no users)',
        tags: ['auth'],
        body: setupRequestSchema,
        response: { 201: meSchema },
      },
    },
    async (request, reply) => {
      const row = await createFirstAdmin(deps, request.body);
      if (!row) throw new HarbourError('conflict', 'Harbour is already set up. Sign in instead.');
      setSessionCookie(reply, await createSession(db, row.id, { via: 'setup' }));
      return reply.status(201).send({ user: toUser(row) });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: signInLimit(loginRateLimit) },
      schema: {
        summary:
          'Sign in; sets the session cookie. With a second factor: `{ mfaRequired: true }`, then POST /api/auth/mfa',
        tags: ['auth'],
        body: loginRequestSchema,
        response: { 200: loginResponseSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const result = await signIn(deps, email, password);
      if (result.kind === 'secondFactor') {
        setSessionCookie(reply, result.token, true);
        return { mfaRequired: true as const };
      }
      setSessionCookie(reply, result.token);
      return { user: toUser(result.row) };
    },
  );

  app.post(
    '/api/auth/mfa',
    {
      config: { access: 'public', rateLimit: perAddress },
      schema: {
        summary: 'Complete a sign-in with a TOTP code or a recovery code',
        tags: ['auth'],
        body: mfaRequestSchema,
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const { row, token: full } = await completeSecondFactor(
        deps,
        request.cookies[sessionCookie],
        request.body.code,
      );
      setSessionCookie(reply, full);
      return { user: toUser(row) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'signedIn', duringRestriction: true },
      schema: { summary: 'Sign out', tags: ['auth'], response: { 200: okSchema } },
    },
    async (request, reply) => {
      const t = request.cookies[sessionCookie];
      if (t) {
        await deleteSession(db, t);
        // The live channel opened with this sign-in ends with it.
        deps.push.disconnect(channel.session(sessionIdOf(t)));
      }
      void reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'signedIn', duringRestriction: true },
      schema: {
        summary: 'The signed-in user, and what the session may do',
        tags: ['auth'],
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const me = currentUser(request);
      const row = await userById(db, me.id);
      if (!row) throw new Error(`the signed-in user ${me.id} has no account`);
      // A school's staff of a trust of several schools see the trust's settings read-only.
      const trustSettingsReadOnly = me.schoolId !== null && (await severalSchools(db));
      return { user: toUser(row), session: { ...sessionState(me), trustSettingsReadOnly } };
    },
  );

  app.post(
    '/api/auth/password',
    {
      config: { access: 'signedIn', duringRestriction: true, rateLimit: perAddress },
      schema: {
        summary: 'Change your own password (your other sessions end)',
        tags: ['auth'],
        body: changePasswordRequestSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      await changeOwnPassword(deps, currentUser(request), token(request), request.body);
      return { ok: true as const };
    },
  );

  app.post(
    '/api/auth/password-reset',
    {
      config: { access: 'public', rateLimit: perAddress },
      schema: {
        summary: 'Choose a new password with the link an administrator gave you',
        tags: ['auth'],
        body: passwordResetRequestSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      await usePasswordResetLink(deps, request.body.token, request.body.newPassword);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/second-factor',
    {
      config: { access: 'signedIn', duringRestriction: true },
      schema: { summary: 'Your second factor', tags: ['auth'], response: { 200: secondFactorStatusSchema } },
    },
    async (request) => {
      const me = currentUser(request);
      const row = await userById(db, me.id);
      return {
        enrolled: Boolean(row?.totp_enrolled_at),
        recoveryCodesLeft: await unusedRecoveryCodes(db, me.id),
      };
    },
  );

  app.post(
    '/api/auth/second-factor/setup',
    {
      config: { access: 'signedIn', duringRestriction: true },
      schema: {
        summary: 'Start setting up an authenticator app (TOTP)',
        tags: ['auth'],
        response: { 200: secondFactorSetupSchema },
      },
    },
    (request) => startSecondFactor(deps, currentUser(request)),
  );

  app.post(
    '/api/auth/second-factor/confirm',
    {
      config: { access: 'signedIn', duringRestriction: true, rateLimit: perAddress },
      schema: {
        summary: 'Confirm the authenticator app with its first code; answers the recovery codes, once',
        tags: ['auth'],
        body: mfaRequestSchema,
        response: { 200: recoveryCodesSchema },
      },
    },
    async (request) => ({
      recoveryCodes: await confirmSecondFactor(deps, currentUser(request), token(request), request.body.code),
    }),
  );

  app.post(
    '/api/auth/second-factor/recovery-codes',
    {
      config: { access: 'signedIn', secondFactor: true },
      schema: {
        summary: 'New recovery codes (the old ones stop working)',
        tags: ['auth'],
        response: { 200: recoveryCodesSchema },
      },
    },
    async (request) => ({ recoveryCodes: await newRecoveryCodes(db, currentUser(request)) }),
  );
}
