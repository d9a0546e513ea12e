import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { can, type Device, type Room } from '@harbour/shared';
import { api, withQuery } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { OnlineStatus } from '../components/OnlineStatus';
import { RelativeTime, useNow } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';

export function DevicesPage() {
  usePageTitle('Devices');
  const user = useUser();
  const canRevoke = can(user.role, 'manageDevices');
  const now = useNow();
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomId, setRoomId] = useState('');
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.get<{ rooms: Room[] }>('/api/rooms').then(
      (data) => {
        if (!cancelled) setRooms(data.rooms);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    setDevices(null);
    setLoadError(null);
    api.get<{ devices: Device[] }>(withQuery('/api/devices', { roomId })).then(
      (data) => {
        if (!cancelled) setDevices(data.devices);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [roomId]);

  const roomNames = useMemo(() => new Map(rooms.map((r) => [r.id, r.name])), [rooms]);
  const roomOptions = useMemo(
    () => [{ value: '', label: 'All rooms' }, ...rooms.map((r) => ({ value: r.id, label: r.name }))],
    [rooms],
  );

  async function revoke(device: Device) {
    const sure = window.confirm(
      `Revoke ${device.hostname}?\n\nIt will stop reporting to Harbour at once. To use it again it must be enrolled again with a new token.`,
    );
    if (!sure) return;
    setBusyId(device.id);
    setActionError(null);
    setConfirmation(null);
    try {
      await api.post<Device>(`/api/devices/${device.id}/revoke`);
      setDevices((current) => (current ?? []).filter((d) => d.id !== device.id));
      setConfirmation(`${device.hostname} has been revoked.`);
    } catch (error) {
      setActionError(error);
    } finally {
      setBusyId(null);
    }
  }

  return (
    <>
      <h1>Devices</h1>
      <p className="lead">Every enrolled computer. Open a room to watch its computers live.</p>
      <div className="toolbar">
        <SelectField label="Room" value={roomId} onChange={setRoomId} options={roomOptions} />
      </div>
      <ErrorAlert error={loadError} />
      <ErrorAlert error={actionError} />
      <div role="status" className="confirmation">
        {confirmation !== null && <p>{confirmation}</p>}
      </div>
      {devices === null ? (
        loadError === null && <p className="muted">Loading devices…</p>
      ) : devices.length === 0 ? (
        <p className="empty">
          {roomId === '' ? 'No computers have been enrolled yet.' : 'No computers are enrolled in this room.'}
          {canRevoke && (
            <>
              {' '}
              Enrol one from the <Link to="/enrolment">Enrolment page</Link>.
            </>
          )}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption id="devices-caption">
              {devices.length} {devices.length === 1 ? 'device' : 'devices'}
              {roomId === '' ? '' : ` in ${roomNames.get(roomId) ?? 'this room'}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Room</th>
                <th scope="col">Operating system</th>
                <th scope="col">Serial number</th>
                <th scope="col">Agent version</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                {canRevoke && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr key={device.id} data-device-id={device.id}>
                  <th scope="row">{device.hostname}</th>
                  <td>
                    <Link to={`/rooms/${device.roomId}`}>
                      {roomNames.get(device.roomId) ?? 'Unknown room'}
                    </Link>
                  </td>
                  <td>{device.os}</td>
                  <td>{device.serial ?? <span className="muted">Not known</span>}</td>
                  <td>{device.agentVersion}</td>
                  <td>
                    <OnlineStatus online={device.online} />
                  </td>
                  <td>
                    {device.online ? (
                      'Now'
                    ) : device.lastSeen === null ? (
                      'Never'
                    ) : (
                      <RelativeTime iso={device.lastSeen} now={now} />
                    )}
                  </td>
                  {canRevoke && (
                    <td>
                      <button
                        type="button"
                        className="button button-danger button-small"
                        onClick={() => void revoke(device)}
                        disabled={busyId === device.id}
                        aria-label={`Revoke ${device.hostname}`}
                      >
                        Revoke
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
