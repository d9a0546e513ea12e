import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { can, type Device } from '@harbour/shared';
import { useUser } from '../auth';
import { DeviceCard } from '../components/DeviceCard';
import { RoomActivity } from '../components/RoomActivity';
import { usePageTitle } from '../components/usePageTitle';
import { useNow } from '../components/time';
import { useRoomLive, type LiveStatus } from '../live';

const statusText: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** Online first, then by hostname. */
function byPresence(a: Device, b: Device): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return a.hostname.localeCompare(b.hostname, 'en-GB', { numeric: true, sensitivity: 'base' });
}

export function RoomPage() {
  const { roomId = '' } = useParams();
  const user = useUser();
  const { room, devices, status, error } = useRoomLive(roomId);
  const now = useNow();
  const sorted = useMemo(() => devices.slice().sort(byPresence), [devices]);
  const onlineCount = devices.filter((d) => d.online).length;
  usePageTitle(room?.name ?? 'Room');

  return (
    <>
      <p className="breadcrumb">
        <Link to="/rooms">All rooms</Link>
      </p>
      <div className="page-heading">
        <h1>{room?.name ?? (error === null ? 'Loading room…' : 'Room')}</h1>
        {(room !== null || error === null) && (
          <div role="status" className={`live-status live-status-${status}`}>
            <span className="live-dot" aria-hidden="true" />
            {statusText[status]}
          </div>
        )}
      </div>
      {error !== null && (
        <div role="alert" className="alert alert-error">
          <p>{error}</p>
          <p>
            <Link to="/rooms">Back to rooms</Link>
          </p>
        </div>
      )}
      {room !== null && (
        <>
          <p className="lead">
            {devices.length === 0
              ? 'No computers in this room yet.'
              : `${onlineCount} of ${devices.length} ${devices.length === 1 ? 'computer' : 'computers'} online.`}
          </p>
          {devices.length === 0 ? (
            <div className="empty">
              <p>
                When a computer in this room is enrolled it will appear here, and update by itself as pupils
                sign in and out.
              </p>
              {can(user.role, 'manageDevices') ? (
                <p>
                  To add one, create an enrolment token on the <Link to="/enrolment">Enrolment page</Link> and
                  run the Harbour agent on the computer with it.
                </p>
              ) : (
                <p>A technician can enrol computers from the Enrolment page.</p>
              )}
            </div>
          ) : null}
          <ul role="list" aria-label="Devices" className="device-grid">
            {sorted.map((device) => (
              <DeviceCard key={device.id} device={device} now={now} />
            ))}
          </ul>
          {can(user.role, 'readActivity') && <RoomActivity roomId={roomId} devices={sorted} />}
        </>
      )}
    </>
  );
}
