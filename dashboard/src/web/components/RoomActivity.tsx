/**
 * Live activity for a room: what each computer shows now, and flags as they are raised.
 * Its own socket connection joins the room's activity channel (`activity:watch`), which
 * only roles allowed to read activity may do.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device, DeviceActivity, Flag } from '@harbour/shared';
import { ApiRequestError } from '../api';
import { createDashboardSocket } from '../live';
import { Address } from './activity';
import { DataTable } from './DataTable';
import { ErrorAlert } from './ErrorAlert';
import { FlagList } from './FlagList';

export function useRoomActivity(roomId: string) {
  const [current, setCurrent] = useState<Map<string, DeviceActivity>>(new Map());
  const [flags, setFlags] = useState<Flag[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const socket = createDashboardSocket();
    socket.on('connect', () => {
      socket.emit('activity:watch', { roomId }, (result) => {
        if (!result.ok) return setError(new ApiRequestError(400, result.error.code, result.error.message));
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

export function RoomActivity({ roomId, devices }: { roomId: string; devices: Device[] }) {
  const { t } = useTranslation();
  const { current, flags, error } = useRoomActivity(roomId);
  const state = (d: Device) => {
    const a = current.get(d.id);
    if (!a || a.state === 'off') return d.online ? t('room.activity.notMonitored') : t('device.offline');
    if (a.state !== 'active') return t(`enums.activityState.${a.state}`);
    return null;
  };
  return (
    <>
      <section aria-labelledby="now-heading">
        <h2 id="now-heading">{t('room.activity.now')}</h2>
        <ErrorAlert error={error} />
        {devices.length === 0 ? (
          <p className="empty">{t('room.noComputers')}</p>
        ) : (
          <DataTable
            label={t('room.activity.now')}
            rows={devices}
            rowKey={(d) => d.id}
            rowProps={(d) => ({ 'data-device-id': d.id })}
            columns={[
              {
                key: 'computer',
                header: t('activity.columns.computer'),
                rowHeader: true,
                cell: (d) => d.hostname,
              },
              {
                key: 'app',
                header: t('activity.columns.app'),
                cell: (d) => state(d) ?? current.get(d.id)?.app ?? '–',
              },
              {
                key: 'title',
                header: t('activity.columns.title'),
                cell: (d) =>
                  state(d) === null ? (current.get(d.id)?.title ?? '–') : <span className="muted">–</span>,
              },
              {
                key: 'website',
                header: t('activity.columns.website'),
                cell: (d) => {
                  const a = current.get(d.id);
                  return a && state(d) === null ? (
                    <Address url={a.url} domain={a.domain} isPrivate={a.private} />
                  ) : (
                    <span className="muted">–</span>
                  );
                },
              },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="flags-heading">
        <h2 id="flags-heading">{t('room.activity.flags')}</h2>
        <FlagList flags={flags} />
      </section>
    </>
  );
}
