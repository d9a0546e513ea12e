import { io, type Socket } from 'socket.io-client';
import type {
  AgentClientToServer,
  AgentServerToClient,
  DashboardClientToServer,
  DashboardServerToClient,
} from '@harbour/shared';

export type DashboardSocket = Socket<DashboardServerToClient, DashboardClientToServer>;
export type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

/** Connects and resolves once connected, or rejects with the server's connect_error. */
export function connected<S extends Socket>(socket: S): Promise<S> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function dashboardSocket(url: string, cookie: string): DashboardSocket {
  return io(`${url}/dashboard`, {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    reconnection: false,
    forceNew: true,
  });
}

export function agentSocket(url: string, auth: Record<string, unknown>): AgentSocket {
  return io(`${url}/agent`, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
}
