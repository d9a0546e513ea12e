/**
 * Live activity for a room: what each computer shows now, and flags as they are raised.
 * Its own socket connection joins the room's activity channel (`activity:watch`), which
 * only roles allowed to read activity may do.
 */
import { useEffect, useState } from 'react';
import type { Device, DeviceActivity, Flag } from '@harbour/shared';
import { createDashboardSocket } from '../live';
import { Address } from './activity';
import { ErrorAlert } from './ErrorAlert';
import { FlagList } from './FlagList';

export function useRoomActivity(roomId: string) {
  const [current, setCurrent] = useState<Map<string, DeviceActivity>>(new Map());
  const [flags, setFlags] = useState<Flag[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const socket = createDashboardSocket();
    socket.on('connect', () => {
      socket.emit('activity:watch', { roomId }, (result) => {
        if (!result.ok) return setError(result.error.message);
        setError(null);
        setCurrent(new Map(result.data.current.map((a) => [a.deviceId, a])));
        setFlags(result.data.flags);
      });
    });
    socket.on('activity:changed', (a) => {
      if (a.roomId === roomId) setCurrent((m) => new Map(m).set(a.deviceId, a));
    });
    socket.on('flag:raised', (f) => {
      if (f.roomId === roomId) setFlags((list) => [f, ...list.filter((x) => x.id !== f.id)]);
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [roomId]);
  return { current, flags, error };
}

const stateText = { idle: 'Idle', locked: 'Screen locked', off: 'Not monitored' } as const;

export function RoomActivity({ roomId, devices }: { roomId: string; devices: Device[] }) {
  const { current, flags, error } = useRoomActivity(roomId);
  return (
    <>
      <section aria-labelledby="now-heading">
        <h2 id="now-heading">On screen now</h2>
        <ErrorAlert error={error} />
        {devices.length === 0 ? (
          <p className="empty">No computers in this room yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="On screen now">
              <thead>
                <tr>
                  <th scope="col">Computer</th>
                  <th scope="col">Application</th>
                  <th scope="col">Title</th>
                  <th scope="col">Website</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => {
                  const a = current.get(d.id);
                  return (
                    <tr key={d.id} data-device-id={d.id}>
                      <th scope="row">{d.hostname}</th>
                      {!a || a.state === 'off' ? (
                        <td colSpan={3} className="muted">
                          {d.online ? 'Not monitored now' : 'Offline'}
                        </td>
                      ) : a.state !== 'active' ? (
                        <td colSpan={3} className="muted">
                          {stateText[a.state]}
                        </td>
                      ) : (
                        <>
                          <td>{a.app}</td>
                          <td>{a.title ?? '–'}</td>
                          <td>
                            <Address url={a.url} domain={a.domain} isPrivate={a.private} />
                          </td>
                        </>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="flags-heading">
        <h2 id="flags-heading">Flags in this room (last 24 hours)</h2>
        <FlagList flags={flags} />
      </section>
    </>
  );
}
