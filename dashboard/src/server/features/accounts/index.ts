/**
 * Accounts: staff accounts, sign-in (a password or the school's SSO, then a second factor),
 * sessions, password rules and resets, the school's sign-in settings (tables `users`,
 * `sessions`, `recovery_codes`, `password_resets`, `identity_settings`, `sso_requests`).
 * Other features read accounts through the functions exported here.
 */
import type { Logger } from 'pino';
import type { ServerFeature } from '../../core/feature.js';
import type { Authenticators, SessionUser, StaffSession } from '../../core/identity.js';
import type { ServerKeys } from '../../core/keys.js';
import type { Push } from '../../core/ports.js';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import { createFirstAdmin, type AccountDeps } from './accounts.js';
import { authRoutes } from './auth.routes.js';
import { passwordPolicy } from './password-policy.js';
import { purgeExpiredSessions, sessionIdOf, userForSession } from './sessions.repository.js';
import { identitySettingsStore } from './settings.js';
import { ssoService, type SsoFromEnvironment } from './sso.js';
import { ssoRoutes } from './sso.routes.js';
import { needsSetup } from './users.repository.js';
import { userRoutes } from './users.routes.js';
import { schoolRoutes } from './schools.routes.js';

export {
  activeStaff,
  countExisting,
  longestServingDsl,
  schoolsOfAccounts,
  userByEmail,
  userNames,
  userStanding,
} from './users.repository.js';

export interface AccountsFeature extends ServerFeature {
  /** Recognises a staff session cookie's secret (for the HTTP plumbing and the dashboard socket). */
  readonly staff: Authenticators['staff'];
  /** The same with the session's id and end (live connections end with their sign-in). */
  readonly staffSession: Authenticators['staffSession'];
}

export function accountsFeature(deps: {
  db: Db;
  push: Push;
  log: Logger;
  keys: ServerKeys;
  loginRateLimit: number;
  /** The first administrator, from the environment, made when there is no account yet. */
  bootstrapAdmin?: { email: string; password: string } | undefined;
  /** The HIBP-style range API to check new passwords against (off when unset). */
  breachCheckUrl?: string | undefined;
  /** The address staff use (the SSO redirect is made from it). */
  publicUrl?: string | undefined;
  /** SSO set by the environment (HARBOUR_SSO_*), for unattended installs. */
  ssoFromEnvironment?: SsoFromEnvironment | undefined;
  /** The hourly sweep of ended sign-ins runs on one node of several (default: this one). */
  lease?: Lease;
}): AccountsFeature {
  const { db, push, log } = deps;
  const settings = identitySettingsStore(db);
  const account: AccountDeps = {
    db,
    push,
    keys: deps.keys,
    policy: passwordPolicy({ breachCheckUrl: deps.breachCheckUrl }),
    settings,
  };
  /** The user behind a full session's cookie, with what they must do first, and the session. */
  async function session(token: string | undefined): Promise<StaffSession | null> {
    const found = await userForSession(db, token);
    if (!found || !token) return null;
    const { mustChangePassword, via, id, email, displayName, role, schoolId, secondFactor, expiresAt } =
      found;
    const user = { id, email, displayName, role, schoolId, secondFactor };
    const everyone = (await settings.get()).secondFactorForEveryone;
    const restriction =
      mustChangePassword && via !== 'sso'
        ? ('password_change' as const)
        : everyone && !user.secondFactor
          ? ('second_factor_enrolment' as const)
          : null;
    return { user: { ...user, restriction }, id: sessionIdOf(token), expiresAt };
  }
  const sso = ssoService({ db, keys: deps.keys, log, fromEnvironment: deps.ssoFromEnvironment });
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'accounts',
    async staff(token): Promise<SessionUser | null> {
      return (await session(token))?.user ?? null;
    },
    staffSession: session,
    async start() {
      const admin = deps.bootstrapAdmin;
      if (admin && (await needsSetup(db))) {
        await createFirstAdmin(account, { ...admin, displayName: 'Administrator' });
        log.info({ email: admin.email }, 'first administrator created from the environment');
      }
      const sweep = onceAcrossNodes(deps.lease ?? soleNode, 'session-sweep', 3600_000, async () => {
        await purgeExpiredSessions(db);
      });
      sweeper = setInterval(() => void sweep().catch(() => undefined), 3600_000);
      sweeper.unref();
    },
    stop() {
      clearInterval(sweeper);
    },
    routes(app) {
      authRoutes(app, account, deps.loginRateLimit);
      userRoutes(app, account);
      schoolRoutes(app, account.db);
      ssoRoutes(app, { db, sso, publicUrl: deps.publicUrl });
    },
  };
}
