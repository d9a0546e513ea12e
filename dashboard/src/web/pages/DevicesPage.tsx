import { useEffect, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { can, type InventoryDevice, type Room, type UpdateDeviceRequest } from '@harbour/shared';
import { api, withQuery } from '../api';
import { useUser } from '../auth';
import { DataTable } from '../components/DataTable';
import { EditDevicePanel } from '../components/EditDevicePanel';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { HealthList } from '../components/HealthList';
import { DeviceNotes } from '../components/DeviceNotes';
import { OnlineStatus } from '../components/OnlineStatus';
import { DateTime, RelativeTime, useNow } from '../components/time';
import { useRowAction } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';

/** Shown where a feature that fills a column is not installed yet. */
function NotAvailable() {
  const { t } = useTranslation();
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">{t('devices.notAvailable')}</span>
    </>
  );
}

export function DevicesPage() {
  const { t } = useTranslation();
  usePageTitle(t('devices.title'));
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
    () => [{ value: '', label: t('common.allRooms') }, ...rooms.map((r) => ({ value: r.id, label: r.name }))],
    [rooms, t],
  );
  const needAttention = devices?.filter((d) => d.health.length > 0).length ?? 0;
  const shown = devices?.filter((d) => show === 'all' || d.health.length > 0) ?? [];

  async function revoke(device: InventoryDevice) {
    const sure = window.confirm(t('devices.revokeConfirm', { name: device.hostname }));
    if (!sure) return;
    await rows.run(device.id, async () => {
      await api.post(`/api/devices/${device.id}/revoke`);
      setDevices((current) => (current ?? []).filter((d) => d.id !== device.id));
      if (editing?.id === device.id) setEditing(null);
      return t('devices.revoked', { name: device.hostname });
    });
  }

  function saved(before: InventoryDevice, after: InventoryDevice, change: UpdateDeviceRequest) {
    setEditing(null);
    setDevices((current) =>
      (current ?? [])
        .map((d) => (d.id === after.id ? after : d))
        .filter((d) => roomId === '' || d.roomId === roomId),
    );
    const room = roomNames.get(after.roomId) ?? t('devices.anotherRoom');
    rows.setConfirmation(
      change.hostname !== undefined && change.roomId !== undefined
        ? t('devices.renamedAndMoved', { before: before.hostname, after: after.hostname, room })
        : change.hostname !== undefined
          ? t('devices.renamed', { before: before.hostname, after: after.hostname })
          : t('devices.moved', { before: before.hostname, room }),
    );
  }

  return (
    <>
      <h1>{t('devices.title')}</h1>
      <p className="lead">{t('devices.lead')}</p>
      <div className="toolbar">
        <SelectField label={t('common.room')} value={roomId} onChange={setRoomId} options={roomOptions} />
        <SelectField
          label={t('common.show')}
          value={show}
          onChange={(v) => setShow(v === 'problems' ? 'problems' : 'all')}
          options={[
            { value: 'all', label: t('devices.showAll') },
            { value: 'problems', label: t('devices.showProblems') },
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
        loadError === null && <p className="muted">{t('devices.loading')}</p>
      ) : devices.length === 0 ? (
        <p className="empty">
          {roomId === '' ? t('devices.noneAtAll') : t('devices.noneInRoom')}
          {canManage && (
            <>
              {' '}
              <Trans i18nKey="devices.enrolOne" components={{ link: <Link to="/enrolment" /> }} />
            </>
          )}
        </p>
      ) : (
        <>
          <p className={needAttention > 0 ? 'notice' : 'muted'} data-testid="attention-summary">
            {needAttention === 0
              ? t('devices.noAttention')
              : t('devices.attention', { count: needAttention })}
          </p>
          <DataTable
            className="inventory"
            cards="wide"
            caption={
              roomId === ''
                ? show === 'problems'
                  ? t('devices.captionProblems', { count: shown.length })
                  : t('devices.caption', { count: shown.length })
                : show === 'problems'
                  ? t('devices.captionRoomProblems', {
                      count: shown.length,
                      room: roomNames.get(roomId) ?? t('devices.thisRoom'),
                    })
                  : t('devices.captionRoom', {
                      count: shown.length,
                      room: roomNames.get(roomId) ?? t('devices.thisRoom'),
                    })
            }
            rows={shown}
            rowKey={(d) => d.id}
            rowProps={(d) => ({ 'data-device-id': d.id })}
            columns={[
              { key: 'name', header: t('devices.columns.name'), rowHeader: true, cell: (d) => d.hostname },
              {
                key: 'room',
                header: t('common.room'),
                cell: (d) => (
                  <Link to={`/rooms/${d.roomId}`}>{roomNames.get(d.roomId) ?? t('common.unknownRoom')}</Link>
                ),
              },
              {
                key: 'computer',
                header: t('devices.columns.computer'),
                cell: (d) => (
                  <dl className="cell-facts">
                    <dt>{t('devices.os')}</dt>
                    <dd>{d.os}</dd>
                    <dt>{t('devices.serial')}</dt>
                    <dd>{d.serial ?? <span className="muted">{t('devices.notKnown')}</span>}</dd>
                    <dt>{t('devices.agentVersion')}</dt>
                    <dd>{d.agentVersion}</dd>
                    <dt>{t('devices.enrolled')}</dt>
                    <dd>
                      <DateTime iso={d.enrolledAt} />
                    </dd>
                  </dl>
                ),
              },
              {
                key: 'status',
                header: t('devices.columns.status'),
                cell: (d) => (
                  <>
                    <OnlineStatus online={d.online} />
                    <DeviceNotes device={d} />
                    <span className="cell-sub">
                      {t('devices.lastSeen')}{' '}
                      {d.online ? (
                        t('devices.now')
                      ) : d.lastSeen === null ? (
                        t('devices.never')
                      ) : (
                        <RelativeTime iso={d.lastSeen} now={now} />
                      )}
                    </span>
                  </>
                ),
              },
              {
                key: 'aup',
                header: t('devices.columns.aup'),
                cell: (d) =>
                  d.aup ? (
                    isAupStatus(d.aup.state) ? (
                      t(`enums.aupStatus.${d.aup.state}`)
                    ) : d.aup.state === 'not_shown' ? (
                      t('device.aupNotShown')
                    ) : (
                      d.aup.label
                    )
                  ) : (
                    <NotAvailable />
                  ),
              },
              {
                key: 'extension',
                header: t('devices.columns.extension'),
                cell: (d) =>
                  d.extension === null ? (
                    <NotAvailable />
                  ) : d.extension.reporting ? (
                    t('devices.reporting')
                  ) : (
                    t('devices.notReporting')
                  ),
              },
              {
                key: 'health',
                header: t('devices.columns.health'),
                cell: (d) => <HealthList health={d.health} />,
              },
              ...(canManage
                ? [
                    {
                      key: 'actions',
                      header: t('common.actions'),
                      hideHeader: true,
                      cell: (d: InventoryDevice) => (
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => {
                              rows.setConfirmation(null);
                              setEditing(d);
                            }}
                            aria-label={t('devices.changeLabel', { name: d.hostname })}
                          >
                            {t('devices.change')}
                          </button>
                          <button
                            type="button"
                            className="button button-danger button-small"
                            onClick={() => void revoke(d)}
                            disabled={rows.busyId === d.id}
                            aria-label={t('devices.revokeLabel', { name: d.hostname })}
                          >
                            {t('devices.revoke')}
                          </button>
                        </div>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </>
      )}
    </>
  );
}

const aupStates = ['current', 'outdated', 'never', 'declined'] as const;
function isAupStatus(value: string): value is (typeof aupStates)[number] {
  return (aupStates as readonly string[]).includes(value);
}
