/**
 * Accounts: staff accounts, sign-in and sessions (tables `users`, `sessions`). Other
 * features read accounts through the functions exported here.
 */
import type { Logger } from 'pino';
import type { ServerFeature } from '../../core/feature.js';
import type { Authenticators } from '../../core/identity.js';
import type { Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { createFirstAdmin } from './accounts.js';
import { authRoutes } from './auth.routes.js';
import { purgeExpiredSessions, sessionForToken, userForSession } from './sessions.repository.js';
import { needsSetup } from './users.repository.js';
import { userRoutes } from './users.routes.js';

export {
  activeStaff,
  countExisting,
  longestServingDsl,
  userNames,
  userStanding,
} from './users.repository.js';

export interface AccountsFeature extends ServerFeature {
  /** Recognises a staff session cookie's secret (for the HTTP plumbing and the dashboard socket). */
  readonly staff: Authenticators['staff'];
  readonly staffSession: Authenticators['staffSession'];
}

export function accountsFeature(deps: {
  db: Db;
  push: Push;
  log: Logger;
  loginRateLimit: number;
  /** The first administrator, from the environment, made when there is no account yet. */
  bootstrapAdmin?: { email: string; password: string } | undefined;
}): AccountsFeature {
  const { db, push, log } = deps;
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'accounts',
    staff: (token) => userForSession(db, token),
    staffSession: (token) => sessionForToken(db, token),
    async start() {
      const admin = deps.bootstrapAdmin;
      if (admin && (await needsSetup(db))) {
        await createFirstAdmin(db, { ...admin, displayName: 'Administrator' });
        log.info({ email: admin.email }, 'first administrator created from the environment');
      }
      sweeper = setInterval(() => void purgeExpiredSessions(db).catch(() => undefined), 3600_000);
      sweeper.unref();
    },
    stop() {
      clearInterval(sweeper);
    },
    routes(app) {
      authRoutes(app, db, push, deps.loginRateLimit);
      userRoutes(app, db, push);
    },
  };
}
