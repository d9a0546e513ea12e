/**
 * The agents' socket: the handshake (a device's credential), then validated dispatch of
 * its requests to the features that answer them. Outbox events go through the registry
 * (realtime/agent-events.ts); everything else is a feature's handler.
 */
import { agentAuthSchema, agentRequests, parseWith } from '@harbour/shared';
import type { Logger } from 'pino';
import type { AgentRequestHandlers, Handlers, ServerFeature } from '../core/feature.js';
import type { Authenticators } from '../core/identity.js';
import type { RateLimit } from '../core/rate-limit.js';
import type { AgentConnection, Clock, Push } from '../core/ports.js';
import { channel } from '../core/ports.js';
import type { Db } from '../db/database.js';
import { storeEvent, type AgentEventRegistry, type ClockSkewed } from './agent-events.js';
import { dispatch } from './dispatch.js';
import type { AgentNamespace } from './socket-push.js';

export interface AgentTransport {
  db: Db;
  push: Push;
  clock: Clock;
  log: Logger;
  authenticate: Authenticators;
  features: readonly ServerFeature[];
  events: AgentEventRegistry;
  /** An event's time was impossible and the time it was received was used (a device health warning). */
  clockSkewed?: ClockSkewed;
  /** Requests a device may send a minute (over all its connections). */
  rate?: RateLimit;
}

/** Every agent request has exactly one handler, from one feature (or the transport, for events). */
function agentHandlers(t: AgentTransport): Handlers<typeof agentRequests, AgentConnection> {
  const handlers: AgentRequestHandlers = {
    'agent:event': async (event, connection) => ({
      duplicate: !(await storeEvent(t.db, t.events, connection.deviceId, event, t.clock, t.clockSkewed)),
    }),
  };
  const owner = new Map<string, string>([['agent:event', 'transport']]);
  for (const feature of t.features) {
    for (const [event, handler] of Object.entries(feature.agentRequests ?? {})) {
      const other = owner.get(event);
      if (other) throw new Error(`agent request ${event} is answered by both ${other} and ${feature.name}`);
      owner.set(event, feature.name);
      Object.assign(handlers, { [event]: handler });
    }
  }
  const missing = Object.keys(agentRequests).filter((e) => !owner.has(e));
  if (missing.length > 0) throw new Error(`no feature answers agent requests ${missing.join(', ')}`);
  return handlers as Handlers<typeof agentRequests, AgentConnection>;
}

/** A device's connection: authenticated by its credential in the handshake. */
export function setUpAgentNamespace(nsp: AgentNamespace, t: AgentTransport): { settled(): Promise<void> } {
  const { log } = t;
  const handlers = agentHandlers(t);
  // Connection hooks write to the database (last seen, online state). Closing the server
  // disconnects every agent at once; the database must stay open until those writes end,
  // or they fail against a closed pool (issue 18).
  const inFlight = new Set<Promise<unknown>>();
  const hook = (run: () => unknown, onError: (error: unknown) => void) => {
    const p = Promise.resolve()
      .then(run)
      .catch(onError)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  nsp.use((socket, next) => {
    const parsed = parseWith(agentAuthSchema, socket.handshake.auth);
    const refuse = (code: string, message: string) => {
      log.warn({ code, ip: socket.handshake.address, reason: message }, 'agent connection refused');
      next(Object.assign(new Error(message), { data: { code } }));
    };
    if (!parsed.ok) return refuse('unauthenticated', 'Device credentials are missing or malformed.');
    const { deviceId, credential } = parsed.value;
    t.authenticate
      .device(deviceId, credential)
      .then((result) => {
        if (!result.ok) return refuse(result.code, result.message);
        socket.data.deviceId = deviceId;
        next();
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'agent authentication failed');
        next(new Error('Server error'));
      });
  });

  nsp.on('connection', (socket) => {
    const connection: AgentConnection = { kind: 'agent', id: socket.id, deviceId: socket.data.deviceId };
    const auth = parseWith(agentAuthSchema, socket.handshake.auth);
    const agentVersion = auth.ok ? auth.value.agentVersion : 'unknown';
    const deviceLog = log.child({ deviceId: connection.deviceId });
    void t.push.join(connection, channel.device(connection.deviceId));
    for (const feature of t.features) {
      hook(
        () => feature.agentConnected?.(connection, agentVersion),
        (error: unknown) =>
          deviceLog.error({ err: error, feature: feature.name }, 'agent connection hook failed'),
      );
    }
    deviceLog.info('agent connected');
    socket.on('disconnect', (reason) => {
      deviceLog.info({ reason }, 'agent disconnected');
      for (const feature of t.features) {
        hook(
          () => feature.agentDisconnected?.(connection),
          (error: unknown) =>
            deviceLog.error({ err: error, feature: feature.name }, 'agent disconnection hook failed'),
        );
      }
    });
    dispatch(
      socket,
      agentRequests,
      handlers,
      connection,
      deviceLog,
      undefined,
      t.rate && { rate: t.rate, key: `device:${connection.deviceId}` },
    );
  });
  return {
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
