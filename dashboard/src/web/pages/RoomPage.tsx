import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { can, type Device } from '@harbour/shared';
import { useUser } from '../auth';
import { DeviceCard } from '../components/DeviceCard';
import { DeviceDialog } from '../components/DeviceDialog';
import { RoomStaff } from '../components/RoomStaff';
import { SupervisionPanel } from '../components/SupervisionPanel';
import { RoomActivity } from '../components/RoomActivity';
import { usePageTitle } from '../components/usePageTitle';
import { useNow } from '../components/time';
import { useRoomLive, type LiveStatus } from '../live';

const statusText: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

const byName = (a: Device, b: Device) =>
  a.hostname.localeCompare(b.hostname, 'en-GB', { numeric: true, sensitivity: 'base' });

/** Online first, then by hostname. */
function byPresence(a: Device, b: Device): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return byName(a, b);
}

const sorts = {
  presence: { label: 'Online first', fn: byPresence },
  name: { label: 'Name', fn: byName },
} as const;
type SortKey = keyof typeof sorts;
const filters = {
  all: { label: 'All computers', fn: () => true },
  signedIn: { label: 'Someone signed in', fn: (d: Device) => d.online && d.user !== null },
  offline: { label: 'Offline', fn: (d: Device) => !d.online },
} as const;
type FilterKey = keyof typeof filters;

export function RoomPage() {
  const { roomId = '' } = useParams();
  const user = useUser();
  const { room, devices, status, error, supervision, access, thumbnails, actions } = useRoomLive(roomId);
  const now = useNow();
  const [sort, setSort] = useState<SortKey>('presence');
  const [filter, setFilter] = useState<FilterKey>('all');
  const [chosen, setChosen] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const sorted = useMemo(
    () => devices.filter(filters[filter].fn).sort(sorts[sort].fn),
    [devices, filter, sort],
  );
  const hostnames = useMemo(() => Object.fromEntries(devices.map((d) => [d.id, d.hostname])), [devices]);
  const mayChoose = supervision !== null && (user.role === 'dsl' || supervision.teacherId === user.id);
  const openDevice = devices.find((d) => d.id === open);
  const onlineCount = devices.filter((d) => d.online).length;
  const notAgreed = devices.filter((d) => d.online && d.aup && d.aup.status !== 'current');
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
          {notAgreed.length > 0 && (
            <p className="notice" data-testid="aup-pending">
              Not yet agreed to the computer rules:{' '}
              {notAgreed.map((d) => `${d.user ?? ''} (${d.hostname})`).join(', ')}.
            </p>
          )}
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
          <SupervisionPanel
            room={room}
            mayStart={access?.supervise ?? false}
            session={supervision}
            actions={actions}
            chosen={mayChoose ? chosen.filter((id) => id in hostnames) : []}
            hostnames={hostnames}
          />
          {devices.length > 0 && (
            <div className="grid-tools">
              <div className="field field-inline">
                <label htmlFor="room-sort">Sort</label>
                <select id="room-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
                  {Object.entries(sorts).map(([key, s]) => (
                    <option key={key} value={key}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field field-inline">
                <label htmlFor="room-filter">Show</label>
                <select
                  id="room-filter"
                  value={filter}
                  onChange={(e) => setFilter(e.target.value as FilterKey)}
                >
                  {Object.entries(filters).map(([key, f]) => (
                    <option key={key} value={key}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          <ul role="list" aria-label="Devices" className="device-grid">
            {sorted.map((device) => (
              <DeviceCard
                key={device.id}
                device={device}
                now={now}
                thumbnail={thumbnails[device.id]}
                chooser={
                  mayChoose
                    ? {
                        chosen: chosen.includes(device.id),
                        onChange: (on) =>
                          setChosen((c) => (on ? [...c, device.id] : c.filter((id) => id !== device.id))),
                      }
                    : undefined
                }
                onOpen={() => setOpen(device.id)}
              />
            ))}
          </ul>
          {openDevice && (
            <DeviceDialog
              device={openDevice}
              thumbnail={thumbnails[openDevice.id]}
              onClose={() => setOpen(null)}
            />
          )}
          {can(user.role, 'manageSupervision') && <RoomStaff roomId={room.id} />}
          {can(user.role, 'readActivity') &&
            (access?.readActivity ? (
              <RoomActivity roomId={roomId} devices={sorted} />
            ) : (
              access && (
                <p className="muted" data-testid="activity-not-yours">
                  What pupils are doing here is shown only to the teachers assigned to supervise this room and
                  to the designated safeguarding lead.
                </p>
              )
            ))}
        </>
      )}
    </>
  );
}
