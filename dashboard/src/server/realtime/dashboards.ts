/**
 * Staff live views: the handshake (the same session cookie as the REST API), then
 * validated dispatch of dashboard requests to the features that answer them, each checked
 * against the access it declares. A live connection lives no longer than the sign-in it
 * was opened with: it is closed when that session is signed out (channel `session`),
 * when it expires (a timer), when the account is disabled or its role changes (channel
 * `user`, from the accounts feature), and a request on a connection whose session has
 * gone for any other reason closes it too.
 */
import { dashboardRequests } from '@harbour/shared';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { allows } from '../core/access.js';
import type { DashboardRequestHandlers, Handlers, ServerFeature } from '../core/feature.js';
import { HarbourError } from '../core/errors.js';
import { sessionCookie, type Authenticators } from '../core/identity.js';
import type { RateLimit } from '../core/rate-limit.js';
import { channel, type Push, type StaffConnection } from '../core/ports.js';
import { dispatch } from './dispatch.js';
import type { DashboardNamespace } from './socket-push.js';

export interface DashboardTransport {
  push: Push;
  log: Logger;
  authenticate: Authenticators;
  features: readonly ServerFeature[];
  /** Requests one sign-in's live connections may send a minute. */
  rate?: RateLimit;
}

type Declared = Required<DashboardRequestHandlers>;

/** Every dashboard request, with its declared access, from the one feature that answers it. */
export function dashboardHandlers(features: readonly ServerFeature[]): Declared {
  const declared: DashboardRequestHandlers = {};
  const owner = new Map<string, string>();
  for (const feature of features) {
    for (const [event, handler] of Object.entries(feature.dashboardRequests ?? {})) {
      const other = owner.get(event);
      if (other)
        throw new Error(`dashboard request ${event} is answered by both ${other} and ${feature.name}`);
      owner.set(event, feature.name);
      Object.assign(declared, { [event]: handler });
    }
  }
  const missing = Object.keys(dashboardRequests).filter((e) => !owner.has(e));
  if (missing.length > 0) throw new Error(`no feature answers dashboard requests ${missing.join(', ')}`);
  return declared as Declared;
}

export function setUpDashboardNamespace(
  nsp: DashboardNamespace,
  app: FastifyInstance,
  t: DashboardTransport,
): void {
  const { log } = t;
  const declared = dashboardHandlers(t.features);
  const tokenOf = (socket: { handshake: { headers: { cookie?: string | undefined } } }) =>
    app.parseCookie(socket.handshake.headers.cookie ?? '')[sessionCookie];
  // Timers can wait at most about 24.8 days; a session ends long before that.
  const maxTimerMs = 2 ** 31 - 1;

  nsp.use((socket, next) => {
    t.authenticate
      .staffSession(tokenOf(socket))
      .then((session) => {
        if (!session) {
          log.warn({ ip: socket.handshake.address }, 'dashboard connection refused: not signed in');
          return next(Object.assign(new Error('Sign in first.'), { data: { code: 'unauthenticated' } }));
        }
        socket.data.user = session.user;
        socket.data.sessionId = session.id;
        const ends = Date.parse(session.expiresAt) - Date.now();
        const expiry = setTimeout(() => socket.disconnect(true), Math.min(Math.max(ends, 0), maxTimerMs));
        expiry.unref();
        socket.once('disconnect', () => clearTimeout(expiry));
        next();
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'dashboard authentication failed');
        next(new Error('Server error'));
      });
  });

  nsp.on('connection', (socket) => {
    const user = socket.data.user;
    const connection: StaffConnection = { kind: 'staff', id: socket.id, user };
    const userLog = log.child({ userId: user.id });
    const own = [channel.user(user.id), channel.session(socket.data.sessionId)];
    // The DSL receives every new incident and pupil's report live.
    if (user.role === 'dsl') own.push(channel.dsl(user.schoolId));
    for (const c of own) {
      t.push.join(connection, c).catch((error: unknown) => {
        userLog.error({ err: error, channel: c.kind }, 'could not open a live channel');
        socket.disconnect(true);
      });
    }
    /** The sign-in this connection was opened with is still there, for the same person in the same role. */
    const stillSignedIn = async () => {
      const session = await t.authenticate.staffSession(tokenOf(socket));
      if (session?.id === socket.data.sessionId && session.user.role === user.role) return;
      // Closed once this refusal's acknowledgement has gone out.
      setImmediate(() => socket.disconnect(true));
      throw new HarbourError('unauthenticated', 'Your session has ended. Sign in again.');
    };
    const handlers = Object.fromEntries(
      Object.entries(declared).map(([event, d]) => [
        event,
        async (payload: never, caller: StaffConnection) => {
          await stillSignedIn();
          return (d.handle as (p: never, c: StaffConnection) => Promise<unknown>)(payload, caller);
        },
      ]),
    ) as unknown as Handlers<typeof dashboardRequests, StaffConnection>;
    dispatch(
      socket,
      dashboardRequests,
      handlers,
      connection,
      userLog,
      (event) => allows(declared[event].access, user.role),
      t.rate && { rate: t.rate, key: `session:${socket.data.sessionId}` },
    );
  });
}
