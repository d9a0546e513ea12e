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
import { Address, notMonitored } from './activity';
import { DataTable } from './DataTable';
import { ErrorAlert } from './ErrorAlert';
import { FlagList } from './FlagList';

/** The room's live activity; connects only when `enabled` (staff who may read it). */
export function useRoomActivity(roomId: string, enabled = true) {
  const [current, setCurrent] = useState<Map<string, DeviceActivity>>(new Map());
  const [flags, setFlags] = useState<Flag[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!enabled) return;
    const socket = createDashboardSocket();
    socket.on('connect', () => {
      socket.emit('activity:watch', { roomId }, (result) => {
        if (!result.ok) return setError(new ApiRequestError(400, result.error.code, result.error.message));
        setError(null);
        setCurrent(new Map(result.data.current.map((a) => [a.deviceId, a])));
        setFlags(result.data.flags);
      });
    });
    // Changes come batched, oldest first: the last of each device's is what it shows now.
    socket.on('activity:changes', ({ changes }) => {
      const mine = changes.filter((a) => a.roomId === roomId);
      if (mine.length === 0) return;
      setCurrent((m) => {
        const next = new Map(m);
        for (const a of mine) next.set(a.deviceId, a);
        return next;
      });
    });
    socket.on('flag:raised', (f) => {
      if (f.roomId === roomId) setFlags((list) => [f, ...list.filter((x) => x.id !== f.id)]);
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [roomId, enabled]);
  return { current, flags, error };
}

export type RoomActivityLive = ReturnType<typeof useRoomActivity>;

export function RoomActivity({ devices, live }: { devices: Device[]; live: RoomActivityLive }) {
  const { t } = useTranslation();
  const { current, flags, error } = live;
  /** Words for a computer whose screen is not monitored now (null: it is). */
  const state = (d: Device) => {
    const a = current.get(d.id);
    if (!d.online) return t('device.offline');
    if (!a) return t('room.activity.notMonitored');
    const why = notMonitored(t, a);
    if (why?.part === 'screen' && a.state !== 'active') return why.text;
    if (a.reason === 'harbour_screen') return why?.text ?? null;
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
                  if (!a || state(d) !== null) return <span className="muted">–</span>;
                  const why = notMonitored(t, a);
                  return why ? (
                    <span className="not-monitored">{why.text}</span>
                  ) : (
                    <Address url={a.url} domain={a.domain} isPrivate={a.private} />
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
