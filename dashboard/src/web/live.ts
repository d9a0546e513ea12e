/**
 * Live room views over socket.io: one connection per watched room page, which
 * re-asks for a fresh snapshot every time it (re)connects.
 */
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  dashboardNamespace,
  type DashboardClientToServer,
  type DashboardServerToClient,
  type ControlAction,
  type Device,
  type Room,
  type SupervisionSession,
} from '@harbour/shared';
import { api, ApiRequestError } from './api';
import { useAuth } from './auth';

export type DashboardSocket = Socket<DashboardServerToClient, DashboardClientToServer>;

/** The message the server's socket middleware refuses a connection with when the session has ended. */
const signInFirst = 'Sign in first.';

export function createDashboardSocket(): DashboardSocket {
  return io(dashboardNamespace, { withCredentials: true });
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface RoomLive {
  room: Room | null;
  devices: Device[];
  /** True once the server has answered room:watch on the current connection. */
  connected: boolean;
  status: LiveStatus;
  /** 'notFound' for a room that does not exist (or a bad link); else what the server refused. */
  error: 'notFound' | ApiRequestError | null;
  /** The supervised session running now, if any. */
  supervision: SupervisionSession | null;
  /** What the signed-in member of staff may do in this room; null until the server answered. */
  access: { supervise: boolean; readActivity: boolean } | null;
  /** Latest live thumbnail per device (data: URLs; never stored anywhere). */
  thumbnails: Record<string, { src: string; capturedAt: string }>;
  /** The teacher's controls seen on this connection, newest first, with each device's answer. */
  actions: ControlAction[];
}

function upsert(devices: Device[], device: Device): Device[] {
  if (device.revoked) return devices.filter((d) => d.id !== device.id);
  const index = devices.findIndex((d) => d.id === device.id);
  if (index === -1) return [...devices, device];
  const next = devices.slice();
  next[index] = device;
  return next;
}

export function useRoomLive(roomId: string): RoomLive {
  const { sessionEnded, refresh } = useAuth();
  const [room, setRoom] = useState<Room | null>(null);
  const [devices, setDevices] = useState<Device[]>([]);
  const [connected, setConnected] = useState(false);
  const [everConnected, setEverConnected] = useState(false);
  const [error, setError] = useState<RoomLive['error']>(null);
  const [supervision, setSupervision] = useState<SupervisionSession | null>(null);
  const [access, setAccess] = useState<RoomLive['access']>(null);
  const [thumbnails, setThumbnails] = useState<RoomLive['thumbnails']>({});
  const [actions, setActions] = useState<ControlAction[]>([]);

  useEffect(() => {
    let disposed = false;
    setRoom(null);
    setDevices([]);
    setConnected(false);
    setEverConnected(false);
    setError(null);
    setSupervision(null);
    setAccess(null);
    setThumbnails({});
    setActions([]);

    const socket = createDashboardSocket();

    const watch = () => {
      socket.emit('room:watch', { roomId }, (result) => {
        if (disposed) return;
        if (result.ok) {
          setRoom(result.data.room);
          setDevices(result.data.devices.filter((d) => !d.revoked));
          setSupervision(result.data.supervision);
          setAccess(result.data.access);
          setConnected(true);
          setEverConnected(true);
          setError(null);
          // What became of the controls sent before this connection (a reconnect, a reload):
          // the server's record, so "did not reach" and "covered" stay true.
          const session = result.data.supervision;
          if (session) {
            api.get<{ actions: ControlAction[] }>(`/api/supervision/${session.id}/controls`).then(
              (r) => {
                if (disposed) return;
                const newest = r.actions.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
                setActions((seen) => {
                  const ids = new Set(newest.map((a) => a.id));
                  return [...seen.filter((a) => !ids.has(a.id)), ...newest]
                    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                    .slice(0, 20);
                });
              },
              () => undefined,
            );
          }
        } else if (result.error.code === 'not_found' || result.error.code === 'validation_failed') {
          setError('notFound');
        } else {
          setError(new ApiRequestError(400, result.error.code, result.error.message));
        }
      });
    };

    socket.on('connect', watch);
    socket.on('disconnect', (reason) => {
      if (disposed) return;
      setConnected(false);
      if (reason === 'io server disconnect') {
        // The server closed this connection on purpose (for example the account changed):
        // check the session, and reconnect only if it is still good.
        refresh().then(
          () => {
            if (!disposed) socket.connect();
          },
          () => undefined,
        );
      }
    });
    socket.on('connect_error', (err) => {
      if (disposed) return;
      setConnected(false);
      if (err.message === signInFirst) sessionEnded();
    });
    socket.on('device:changed', (device) => {
      if (device.roomId !== roomId) {
        // Moved to another room: it no longer belongs here.
        setDevices((current) => current.filter((d) => d.id !== device.id));
        return;
      }
      setDevices((current) => upsert(current, device));
    });
    socket.on('device:removed', ({ id }) => {
      setDevices((current) => current.filter((d) => d.id !== id));
    });
    socket.on('supervision:changed', (session) => {
      if (session.roomId !== roomId) return;
      const running = session.endedAt === null && Date.parse(session.endsAt) > Date.now();
      setSupervision(running ? session : null);
      if (!running) setThumbnails({});
    });
    socket.on('device:thumbnail', (t) => {
      if (t.roomId !== roomId) return;
      setThumbnails((current) => ({
        ...current,
        [t.deviceId]: { src: `data:image/jpeg;base64,${t.jpegBase64}`, capturedAt: t.capturedAt },
      }));
    });
    socket.on('control:updated', (action) => {
      if (action.roomId !== roomId) return;
      setActions((current) => [action, ...current.filter((a) => a.id !== action.id)].slice(0, 20));
    });
    socket.on('server:error', ({ message }) => {
      if (!disposed) setError(new ApiRequestError(500, 'internal', message));
    });

    return () => {
      disposed = true;
      if (socket.connected) socket.emit('room:unwatch', { roomId }, () => undefined);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [roomId, sessionEnded, refresh]);

  const status: LiveStatus = connected ? 'live' : everConnected ? 'reconnecting' : 'connecting';
  return { room, devices, connected, status, error, supervision, access, thumbnails, actions };
}
