import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { can, type InventoryDevice, type Room, type UpdateDeviceRequest } from '@harbour/shared';
import { api, withQuery } from '../api';
import { useUser } from '../auth';
import { EditDevicePanel } from '../components/EditDevicePanel';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { HealthList } from '../components/HealthList';
import { OnlineStatus } from '../components/OnlineStatus';
import { DateTime, RelativeTime, useNow } from '../components/time';
import { useRowAction } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';

/** Shown where a feature that fills a column is not installed yet. */
const notAvailable = (
  <>
    <span aria-hidden="true">—</span>
    <span className="visually-hidden">Not available yet</span>
  </>
);

export function DevicesPage() {
  usePageTitle('Devices');
  const user = useUser();
  const canManage = can(user.role, 'manageDevices');
  const now = useNow();
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomId, setRoomId] = useState('');
  const [show, setShow] = useState<'all' | 'problems'>('all');
  const [devices, setDevices] = useState<InventoryDevice[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const rows = useRowAction();
  const [editing, setEditing] = useState<InventoryDevice | null>(null);

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
    api.get<{ devices: InventoryDevice[] }>(withQuery('/api/devices', { roomId })).then(
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
  const needAttention = devices?.filter((d) => d.health.length > 0).length ?? 0;
  const shown = devices?.filter((d) => show === 'all' || d.health.length > 0) ?? [];

  async function revoke(device: InventoryDevice) {
    const sure = window.confirm(
      `Revoke ${device.hostname}?\n\nIt will stop reporting to Harbour at once. To use it again it must be enrolled again with a new token.`,
    );
    if (!sure) return;
    await rows.run(device.id, async () => {
      await api.post(`/api/devices/${device.id}/revoke`);
      setDevices((current) => (current ?? []).filter((d) => d.id !== device.id));
      if (editing?.id === device.id) setEditing(null);
      return `${device.hostname} has been revoked.`;
    });
  }

  function saved(before: InventoryDevice, after: InventoryDevice, change: UpdateDeviceRequest) {
    setEditing(null);
    setDevices((current) =>
      (current ?? [])
        .map((d) => (d.id === after.id ? after : d))
        .filter((d) => roomId === '' || d.roomId === roomId),
    );
    const parts = [];
    if (change.hostname !== undefined) parts.push(`renamed to ${after.hostname}`);
    if (change.roomId !== undefined) parts.push(`moved to ${roomNames.get(after.roomId) ?? 'another room'}`);
    rows.setConfirmation(`${before.hostname} ${parts.join(' and ')}.`);
  }

  return (
    <>
      <h1>Devices</h1>
      <p className="lead">
        Every enrolled computer, with anything that needs a technician&rsquo;s attention. Open a room to watch
        its computers live.
      </p>
      <div className="toolbar">
        <SelectField label="Room" value={roomId} onChange={setRoomId} options={roomOptions} />
        <SelectField
          label="Show"
          value={show}
          onChange={(v) => setShow(v === 'problems' ? 'problems' : 'all')}
          options={[
            { value: 'all', label: 'All devices' },
            { value: 'problems', label: 'Only devices with problems' },
          ]}
        />
      </div>
      <ErrorAlert error={loadError} />
      <ErrorAlert error={rows.error} />
      <div role="status" className="confirmation">
        {rows.confirmation !== null && <p>{rows.confirmation}</p>}
      </div>
      {editing && (
        <EditDevicePanel
          key={editing.id}
          device={editing}
          rooms={rooms}
          onSaved={(after, change) => saved(editing, after, change)}
          onCancel={() => setEditing(null)}
        />
      )}
      {devices === null ? (
        loadError === null && <p className="muted">Loading devices…</p>
      ) : devices.length === 0 ? (
        <p className="empty">
          {roomId === '' ? 'No computers have been enrolled yet.' : 'No computers are enrolled in this room.'}
          {canManage && (
            <>
              {' '}
              Enrol one from the <Link to="/enrolment">Enrolment page</Link>.
            </>
          )}
        </p>
      ) : (
        <>
          <p className={needAttention > 0 ? 'notice' : 'muted'} data-testid="attention-summary">
            {needAttention === 0
              ? 'No device needs attention.'
              : `${needAttention} ${needAttention === 1 ? 'device needs' : 'devices need'} attention.`}
          </p>
          <div className="table-wrap">
            <table className="inventory">
              <caption id="devices-caption">
                {shown.length} {shown.length === 1 ? 'device' : 'devices'}
                {roomId === '' ? '' : ` in ${roomNames.get(roomId) ?? 'this room'}`}
                {show === 'problems' ? ' with problems' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Room</th>
                  <th scope="col">Computer</th>
                  <th scope="col">Status</th>
                  <th scope="col">Acceptable use</th>
                  <th scope="col">Browser extension</th>
                  <th scope="col">Health</th>
                  {canManage && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {shown.map((device) => (
                  <tr key={device.id} data-device-id={device.id}>
                    <th scope="row">{device.hostname}</th>
                    <td>
                      <Link to={`/rooms/${device.roomId}`}>
                        {roomNames.get(device.roomId) ?? 'Unknown room'}
                      </Link>
                    </td>
                    <td>
                      <dl className="cell-facts">
                        <dt>Operating system</dt>
                        <dd>{device.os}</dd>
                        <dt>Serial number</dt>
                        <dd>{device.serial ?? <span className="muted">Not known</span>}</dd>
                        <dt>Agent version</dt>
                        <dd>{device.agentVersion}</dd>
                        <dt>Enrolled</dt>
                        <dd>
                          <DateTime iso={device.enrolledAt} />
                        </dd>
                      </dl>
                    </td>
                    <td>
                      <OnlineStatus online={device.online} />
                      <span className="cell-sub">
                        Last seen{' '}
                        {device.online ? (
                          'now'
                        ) : device.lastSeen === null ? (
                          'never'
                        ) : (
                          <RelativeTime iso={device.lastSeen} now={now} />
                        )}
                      </span>
                    </td>
                    <td>{device.aup ? device.aup.label : notAvailable}</td>
                    <td>
                      {device.extension === null
                        ? notAvailable
                        : device.extension.reporting
                          ? 'Reporting'
                          : 'Not reporting'}
                    </td>
                    <td>
                      <HealthList health={device.health} />
                    </td>
                    {canManage && (
                      <td>
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => {
                              rows.setConfirmation(null);
                              setEditing(device);
                            }}
                            aria-label={`Change ${device.hostname}`}
                          >
                            Change
                          </button>
                          <button
                            type="button"
                            className="button button-danger button-small"
                            onClick={() => void revoke(device)}
                            disabled={rows.busyId === device.id}
                            aria-label={`Revoke ${device.hostname}`}
                          >
                            Revoke
                          </button>
                        </div>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
