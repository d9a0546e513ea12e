/**
 * Staff live views: the handshake (the same session cookie as the REST API), then
 * validated dispatch of dashboard requests to the features that answer them, each checked
 * against the access it declares.
 */
import { dashboardRequests } from '@harbour/shared';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { allows } from '../core/access.js';
import type { DashboardRequestHandlers, Handlers, ServerFeature } from '../core/feature.js';
import { sessionCookie, type Authenticators } from '../core/identity.js';
import { channel, type Push, type StaffConnection } from '../core/ports.js';
import { dispatch } from './dispatch.js';
import type { DashboardNamespace } from './socket-push.js';

export interface DashboardTransport {
  push: Push;
  log: Logger;
  authenticate: Authenticators;
  features: readonly ServerFeature[];
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
  const handlers = Object.fromEntries(
    Object.entries(declared).map(([event, d]) => [event, d.handle]),
  ) as Handlers<typeof dashboardRequests, StaffConnection>;

  nsp.use((socket, next) => {
    const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '');
    t.authenticate
      .staff(cookies[sessionCookie])
      .then((user) => {
        if (!user) {
          log.warn({ ip: socket.handshake.address }, 'dashboard connection refused: not signed in');
          return next(Object.assign(new Error('Sign in first.'), { data: { code: 'unauthenticated' } }));
        }
        socket.data.user = user;
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
    void t.push.join(connection, channel.user(user.id));
    // The DSL receives every new incident and pupil's report live.
    if (user.role === 'dsl') void t.push.join(connection, channel.dsl);
    dispatch(socket, dashboardRequests, handlers, connection, log.child({ userId: user.id }), (event) =>
      allows(declared[event].access, user.role),
    );
  });
}
