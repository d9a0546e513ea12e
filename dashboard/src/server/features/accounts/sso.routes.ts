import { ssoConfigSchema, ssoConfigViewSchema, ssoStatusSchema, okSchema } from '@harbour/shared';
import type { FastifyRequest } from 'fastify';
import { audit } from '../../core/audit.js';
import type { App } from '../../core/feature.js';
import { currentUser } from '../../http/plumbing.js';
import { setSessionCookie } from './auth.routes.js';
import { createSession } from './sessions.repository.js';
import { callbackPath, SsoError, ssoCookie, type SsoService } from './sso.js';
import type { Db } from '../../db/database.js';

const tags = ['auth'];
const stateCookie = {
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: 'auto' as const,
  path: '/api/auth/sso',
};

export function ssoRoutes(app: App, deps: { db: Db; sso: SsoService; publicUrl?: string | undefined }): void {
  const { db, sso } = deps;
  // Where the provider sends the browser back: the public address when set, else this request's.
  const redirectUri = (request: FastifyRequest) =>
    new URL(callbackPath, deps.publicUrl ?? `${request.protocol}://${request.host}`).href;

  app.get(
    '/api/auth/sso',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Whether the school signs in with SSO, for the sign-in page',
        tags,
        response: { 200: ssoStatusSchema },
      },
    },
    () => sso.status(),
  );

  app.get(
    '/api/auth/sso/start',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { summary: 'Begin signing in with the school’s SSO provider (a redirect)', tags },
    },
    async (request, reply) => {
      try {
        const { url, state } = await sso.start(redirectUri(request));
        // The state comes back only to the browser that began: another browser's is refused.
        void reply.setCookie(ssoCookie, state, { ...stateCookie, maxAge: 600 });
        return reply.redirect(url, 302);
      } catch (error) {
        if (!(error instanceof SsoError)) throw error;
        return reply.redirect(`/login?sso_error=${error.reason}`, 302);
      }
    },
  );

  app.get(
    callbackPath,
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { summary: 'The provider’s redirect back: signs in, or says why not (a redirect)', tags },
    },
    async (request, reply) => {
      void reply.clearCookie(ssoCookie, { path: stateCookie.path });
      const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1));
      try {
        const { user, mfa } = await sso.finish(query, request.cookies[ssoCookie]);
        if (mfa || !user.totp_enrolled_at) {
          const token = await createSession(db, user.id, {
            via: 'sso',
            secondFactorAt: mfa ? new Date().toISOString() : null,
          });
          setSessionCookie(reply, token);
          await audit(db, {
            actor: user.id,
            action: 'auth.login',
            detail: { via: 'sso', secondFactor: mfa ? 'provider' : null },
          });
          return reply.redirect('/', 302);
        }
        // The provider did not say it asked for a second factor: Harbour asks for its own.
        const token = await createSession(db, user.id, { stage: 'second_factor', via: 'sso' });
        setSessionCookie(reply, token, true);
        await audit(db, { actor: user.id, action: 'auth.sso_ok' });
        return reply.redirect('/login?step=code', 302);
      } catch (error) {
        if (!(error instanceof SsoError)) throw error;
        request.log.warn({ reason: error.reason, detail: error.message }, 'single sign-on refused');
        await audit(db, {
          actor: 'anonymous',
          action: 'auth.sso_failed',
          detail: { reason: error.reason, detail: error.message.slice(0, 300) },
        });
        return reply.redirect(`/login?sso_error=${error.reason}`, 302);
      }
    },
  );

  app.get(
    '/api/identity/sso',
    {
      config: { access: 'manageUsers' },
      schema: {
        summary: 'The school’s SSO settings (the client secret is never sent)',
        tags: ['users'],
        response: { 200: ssoConfigViewSchema },
      },
    },
    (request) => sso.view(redirectUri(request)),
  );

  app.put(
    '/api/identity/sso',
    {
      config: { access: 'manageUsers', trustWide: true },
      schema: {
        summary: 'Set up SSO: a preset or any issuer, the client, and role rules',
        tags: ['users'],
        body: ssoConfigSchema,
        response: { 200: okSchema },
      },
    },
    async (request) => {
      await sso.update(currentUser(request).id, request.body);
      return { ok: true as const };
    },
  );
}
