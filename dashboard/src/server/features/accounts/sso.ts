/**
 * Staff single sign-on with OpenID Connect (issue 17, item 1), through openid-client: the
 * authorization code flow with PKCE, a one-use state bound to the browser by a cookie, and a
 * nonce; the ID token's issuer, audience, signature and nonce are checked by the library.
 * Accounts are matched by the provider's subject, else by a verified email, or made on first
 * sign-in with a role from the school's rules. A provider that says the sign-in used several
 * factors (`amr` has `mfa`) counts as the second factor; otherwise Harbour's own is asked.
 */
import { createHash } from 'node:crypto';
import type { Role, SsoConfig, SsoConfigView, SsoRoleRule } from '@harbour/shared';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { audit } from '../../core/audit.js';
import { HarbourError } from '../../core/errors.js';
import { seal, unseal, type ServerKeys } from '../../core/keys.js';
import type { Db } from '../../db/database.js';
import { noPassword } from './accounts.js';
import { insertUser, updateUser, userByEmail, type UserRow } from './users.repository.js';

/** The school's SSO settings: the client secret sealed with a key kept outside the database. */
interface StoredSso extends Omit<SsoConfig, 'clientSecret'> {
  sealedSecret?: string | undefined;
}
/** What the environment gives an unattended install (HARBOUR_SSO_*); it wins over the dashboard. */
export type SsoFromEnvironment = SsoConfig;

const settingsKey = 'sso';
const secretPurpose = 'sso-client-secret';
const requestMinutes = 10;
export const ssoCookie = 'harbour_sso';
export const callbackPath = '/api/auth/sso/callback';

export type SsoFailure =
  | 'not_configured'
  | 'state'
  | 'replay'
  | 'expired'
  | 'provider'
  | 'token'
  | 'unverified'
  | 'no_account'
  | 'disabled'
  | 'other_identity';

export class SsoError extends Error {
  constructor(
    readonly reason: SsoFailure,
    detail: string,
  ) {
    super(detail);
  }
}

export function issuerOf(config: Pick<SsoConfig, 'preset' | 'tenant' | 'issuer'>): string | undefined {
  if (config.preset === 'entra')
    return config.tenant ? `https://login.microsoftonline.com/${config.tenant}/v2.0` : undefined;
  if (config.preset === 'google') return 'https://accounts.google.com';
  return config.issuer;
}

const loopback = (hostname: string) =>
  hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';

/** The first rule that fits: a group in the token, or the email's domain. */
export function roleFor(
  rules: readonly SsoRoleRule[],
  groups: readonly string[],
  email: string,
): Role | null {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  for (const rule of rules) {
    if (rule.kind === 'group' && groups.includes(rule.value)) return rule.role;
    if (rule.kind === 'domain' && rule.value.toLowerCase() === domain) return rule.role;
  }
  return null;
}

export function ssoService(deps: {
  db: Db;
  keys: ServerKeys;
  log: Logger;
  fromEnvironment?: SsoFromEnvironment | undefined;
}) {
  const { db, log } = deps;
  const secretKey = deps.keys.derive(secretPurpose);
  const discovered = new Map<string, Promise<oidc.Configuration>>();

  async function stored(): Promise<StoredSso | null> {
    const row = await db
      .selectFrom('identity_settings')
      .select('value')
      .where('key', '=', settingsKey)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as StoredSso) : null;
  }

  /** The settings in force, with the client secret in the clear (never leaves this module). */
  async function current(): Promise<{ config: SsoConfig; fromEnvironment: boolean } | null> {
    if (deps.fromEnvironment) return { config: deps.fromEnvironment, fromEnvironment: true };
    const saved = await stored();
    if (!saved) return null;
    const { sealedSecret, ...rest } = saved;
    const secret = sealedSecret ? unseal(secretKey, sealedSecret, settingsKey) : null;
    return { config: { ...rest, ...(secret && { clientSecret: secret }) }, fromEnvironment: false };
  }

  async function client(config: SsoConfig): Promise<oidc.Configuration> {
    const issuer = issuerOf(config);
    if (!config.enabled || !issuer) throw new SsoError('not_configured', 'single sign-on is not set up');
    const server = new URL(issuer);
    // Plain HTTP only to a provider on this machine (tests, a local gateway); never across a network.
    const insecure = server.protocol === 'http:';
    if (insecure && !loopback(server.hostname)) {
      throw new SsoError('not_configured', 'the issuer must use https');
    }
    const key = createHash('sha256')
      .update(JSON.stringify([issuer, config.clientId, config.clientSecret ?? '']))
      .digest('hex');
    let found = discovered.get(key);
    if (!found) {
      found = oidc.discovery(
        server,
        config.clientId,
        undefined,
        config.clientSecret ? oidc.ClientSecretBasic(config.clientSecret) : oidc.None(),
        { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
      );
      discovered.set(key, found);
      // A provider that was down is asked again next time.
      found.catch(() => discovered.delete(key));
    }
    try {
      return await found;
    } catch (error) {
      log.warn({ issuer, err: error }, 'single sign-on: the provider’s discovery document could not be read');
      throw new SsoError('provider', 'the sign-in provider could not be reached');
    }
  }

  return {
    async status(): Promise<{ enabled: boolean; label: string | null }> {
      const c = await current();
      return { enabled: Boolean(c?.config.enabled), label: c?.config.label ?? null };
    },

    async view(redirectUri: string): Promise<SsoConfigView> {
      const c = await current();
      const config = c?.config;
      return {
        enabled: config?.enabled ?? false,
        preset: config?.preset ?? 'oidc',
        ...(config?.tenant && { tenant: config.tenant }),
        ...(config?.issuer && { issuer: config.issuer }),
        clientId: config?.clientId ?? '',
        hasClientSecret: Boolean(config?.clientSecret),
        ...(config?.label && { label: config.label }),
        createAccounts: config?.createAccounts ?? false,
        roles: config?.roles ?? [],
        fromEnvironment: c?.fromEnvironment ?? false,
        redirectUri,
      };
    },

    async update(actorId: string, change: SsoConfig): Promise<void> {
      if (deps.fromEnvironment) {
        throw new HarbourError(
          'conflict',
          'Single sign-on is set by the environment (HARBOUR_SSO_*) on this server.',
        );
      }
      if (change.preset === 'entra' && !change.tenant)
        throw new HarbourError('validation_failed', 'Give the Entra ID directory (tenant) id.', [
          { path: 'body.tenant', message: 'required for Microsoft Entra ID' },
        ]);
      if (change.preset === 'oidc' && !change.issuer)
        throw new HarbourError('validation_failed', 'Give the provider’s issuer URL.', [
          { path: 'body.issuer', message: 'required' },
        ]);
      const before = await stored();
      const { clientSecret, ...rest } = change;
      const sealedSecret = clientSecret ? seal(secretKey, clientSecret, settingsKey) : before?.sealedSecret;
      const value: StoredSso = { ...rest, ...(sealedSecret && { sealedSecret }) };
      const row = {
        key: settingsKey,
        value: JSON.stringify(value),
        updated_at: new Date().toISOString(),
        updated_by: actorId,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('identity_settings')
          .values(row)
          .onConflict((oc) => oc.column('key').doUpdateSet(row))
          .execute();
        await audit(trx, {
          actor: actorId,
          action: 'identity.sso_settings',
          detail: { ...rest, clientSecret: clientSecret ? 'changed' : 'kept' },
        });
      });
      discovered.clear();
    },

    /** Begins a sign-in: where to send the browser, and the state its cookie must carry back. */
    async start(redirectUri: string): Promise<{ url: string; state: string }> {
      const c = await current();
      if (!c) throw new SsoError('not_configured', 'single sign-on is not set up');
      const config = await client(c.config);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const verifier = oidc.randomPKCECodeVerifier();
      const now = new Date();
      await db
        .deleteFrom('sso_requests')
        .where('created_at', '<', new Date(now.getTime() - requestMinutes * 60_000).toISOString())
        .execute();
      await db
        .insertInto('sso_requests')
        .values({
          state,
          nonce,
          code_verifier: verifier,
          created_at: now.toISOString(),
          redirect_uri: redirectUri,
        })
        .execute();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(c.config.preset === 'entra' && { response_mode: 'query' }),
      });
      return { url: url.href, state };
    },

    /**
     * Finishes a sign-in from the provider's redirect. Throws SsoError for anything that must
     * sign nobody in: a state that is not this browser's, a replayed or expired one, a code
     * the provider will not exchange, an ID token with the wrong issuer, audience or nonce,
     * an unverified email, no account and no rule to make one.
     */
    async finish(
      query: URLSearchParams,
      cookieState: string | undefined,
    ): Promise<{ user: UserRow; mfa: boolean }> {
      const c = await current();
      if (!c) throw new SsoError('not_configured', 'single sign-on is not set up');
      const state = query.get('state') ?? '';
      if (!state || !cookieState || state !== cookieState) {
        throw new SsoError('state', 'the sign-in was not started in this browser');
      }
      const row = await db
        .selectFrom('sso_requests')
        .selectAll()
        .where('state', '=', state)
        .executeTakeFirst();
      // One use: whoever deletes the row is the only one who may go on.
      const taken =
        row && (await db.deleteFrom('sso_requests').where('state', '=', state).executeTakeFirst());
      if (!row || Number(taken?.numDeletedRows ?? 0) !== 1) {
        throw new SsoError('replay', 'this sign-in response has been used already');
      }
      if (new Date(row.created_at).getTime() < Date.now() - requestMinutes * 60_000) {
        throw new SsoError('expired', 'the sign-in took too long');
      }
      if (query.has('error')) {
        throw new SsoError('provider', `the provider answered ${query.get('error')?.slice(0, 100)}`);
      }
      // The address the provider was given, exactly, whatever Host this request came with.
      const currentUrl = new URL(row.redirect_uri);
      currentUrl.search = query.toString();
      const config = await client(c.config);
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: row.code_verifier,
          expectedState: state,
          expectedNonce: row.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (error) {
        throw new SsoError('token', error instanceof Error ? error.message : String(error));
      }
      if (!claims) throw new SsoError('token', 'no ID token');
      const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
      // Entra ID sends no email_verified; its optional claim xms_edov says the same.
      const verified =
        claims.email_verified === true || (c.config.preset === 'entra' && claims.xms_edov === true);
      if (!email || !verified)
        throw new SsoError('unverified', `the provider has not verified the email ${email}`);
      const subject = `${claims.iss} ${claims.sub}`;
      const groups = Array.isArray(claims.groups)
        ? claims.groups.filter((g): g is string => typeof g === 'string')
        : [];
      const mfa = Array.isArray(claims.amr) && claims.amr.includes('mfa');

      let user =
        (await db.selectFrom('users').selectAll().where('sso_subject', '=', subject).executeTakeFirst()) ??
        (await userByEmail(db, email));
      if (user?.sso_subject && user.sso_subject !== subject) {
        throw new SsoError('other_identity', `${email} signs in with another identity`);
      }
      if (!user) {
        const role = c.config.createAccounts ? roleFor(c.config.roles, groups, email) : null;
        if (!role) throw new SsoError('no_account', `no account for ${email}, and no rule gives it a role`);
        const name =
          typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 120) : email;
        user = await insertUser(db, {
          email,
          displayName: name,
          role,
          passwordHash: noPassword,
          ssoSubject: subject,
        });
        await audit(db, {
          actor: user.id,
          action: 'user.create_sso',
          subject: user.id,
          detail: { role, groups: groups.length },
        });
      }
      if (user.disabled_at !== null) throw new SsoError('disabled', `${email} is disabled`);
      if (!user.sso_subject) user = await updateUser(db, user.id, { sso_subject: subject });
      return { user, mfa };
    },
  };
}
export type SsoService = ReturnType<typeof ssoService>;
