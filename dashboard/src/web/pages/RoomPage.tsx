import { useEffect, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { can, type Device, type SupervisionSettings } from '@harbour/shared';
import { api } from '../api';
import { useAlerts } from '../alerts/AlertsContext';
import { useUser } from '../auth';
import { DeviceCard, latestControls } from '../components/DeviceCard';
import { DeviceDialog } from '../components/DeviceDialog';
import { RoomStaff } from '../components/RoomStaff';
import { SupervisionPanel } from '../components/SupervisionPanel';
import { RoomActivity, useRoomActivity } from '../components/RoomActivity';
import { usePageTitle } from '../components/usePageTitle';
import { useNow } from '../components/time';
import { useRoomLive } from '../live';
import { ErrorText } from '../components/ErrorAlert';

const byName = (a: Device, b: Device) =>
  a.hostname.localeCompare(b.hostname, undefined, { numeric: true, sensitivity: 'base' });

/** Online first, then by hostname. */
function byPresence(a: Device, b: Device): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return byName(a, b);
}

const sorts = {
  presence: byPresence,
  name: byName,
} as const;
type SortKey = keyof typeof sorts;
const filters = {
  all: () => true,
  signedIn: (d: Device) => d.online && d.user !== null,
  offline: (d: Device) => !d.online,
} as const;
type FilterKey = keyof typeof filters;

/** Whether the school shows live pictures while a room is supervised. */
function useThumbnailsOn(supervised: boolean): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    if (!supervised) return;
    let cancelled = false;
    api.get<SupervisionSettings>('/api/supervision-settings').then(
      (s) => {
        if (!cancelled) setOn(s.thumbnailsEnabled);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [supervised]);
  return supervised && on;
}

export function RoomPage() {
  const { roomId = '' } = useParams();
  const { t } = useTranslation();
  const user = useUser();
  const { room, devices, status, error, supervision, access, thumbnails, actions } = useRoomLive(roomId);
  const now = useNow();
  const [sort, setSort] = useState<SortKey>('presence');
  const [filter, setFilter] = useState<FilterKey>('all');
  const [chosen, setChosen] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const sorted = useMemo(() => devices.filter(filters[filter]).sort(sorts[sort]), [devices, filter, sort]);
  const hostnames = useMemo(() => Object.fromEntries(devices.map((d) => [d.id, d.hostname])), [devices]);
  const mayChoose = supervision !== null && (user.role === 'dsl' || supervision.teacherId === user.id);
  const openDevice = devices.find((d) => d.id === open);
  const onlineCount = devices.filter((d) => d.online).length;
  const notAgreed = devices.filter((d) => d.online && d.aup && d.aup.status !== 'current');
  usePageTitle(room?.name ?? t('room.title'));
  const mayReadActivity = can(user.role, 'readActivity') && (access?.readActivity ?? false);
  const activityHook = useRoomActivity(roomId, mayReadActivity);
  const activityLive = mayReadActivity ? activityHook : null;
  const { tell } = useAlerts();
  const live = status === 'live';
  const controls = useMemo(() => latestControls(actions), [actions]);
  const picturesOn = useThumbnailsOn(supervision !== null);
  const help = useMemo(
    () => new Map(tell.filter((a) => a.roomId === roomId).map((a) => [a.deviceId, a.status])),
    [tell, roomId],
  );

  return (
    <>
      <p className="breadcrumb">
        <Link to="/rooms">{t('room.back')}</Link>
      </p>
      <div className="page-heading">
        <h1>{room?.name ?? (error === null ? t('room.loading') : t('room.title'))}</h1>
        {(room !== null || error === null) && (
          <div role="status" className={`live-status live-status-${status}`}>
            <span className="live-dot" aria-hidden="true" />
            {t(`room.status.${status}`)}
          </div>
        )}
      </div>
      {error !== null && (
        <div role="alert" className="alert alert-error">
          <p>{error === 'notFound' ? t('room.notFound') : <ErrorText error={error} />}</p>
          <p>
            <Link to="/rooms">{t('room.backToRooms')}</Link>
          </p>
        </div>
      )}
      {room !== null && (
        <>
          <p className="lead">
            {devices.length === 0
              ? t('room.noComputers')
              : t('room.online', { count: devices.length, online: onlineCount })}
          </p>
          {notAgreed.length > 0 && (
            <p className="notice" data-testid="aup-pending">
              {t('room.notAgreed', {
                list: notAgreed
                  .map((d) => t('room.userAt', { user: d.user ?? '', device: d.hostname }))
                  .join(', '),
              })}
            </p>
          )}
          {devices.length === 0 ? (
            <div className="empty">
              <p>{t('room.emptyHelp')}</p>
              {can(user.role, 'manageDevices') ? (
                <p>
                  <Trans i18nKey="room.emptyManage" components={{ link: <Link to="/enrolment" /> }} />
                </p>
              ) : (
                <p>{t('room.emptyAsk')}</p>
              )}
            </div>
          ) : null}
          {!live && (
            <p className="alert alert-error" role="alert" data-testid="room-unreachable">
              {t('room.unreachable')}
            </p>
          )}
          <SupervisionPanel
            room={room}
            live={live}
            mayStart={access?.supervise ?? false}
            session={supervision}
            actions={actions}
            chosen={mayChoose ? chosen.filter((id) => id in hostnames) : []}
            hostnames={hostnames}
          />
          {devices.length > 0 && (
            <div className="grid-tools">
              <div className="field field-inline">
                <label htmlFor="room-sort">{t('room.sort')}</label>
                <select id="room-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
                  {(Object.keys(sorts) as SortKey[]).map((key) => (
                    <option key={key} value={key}>
                      {t(`room.sorts.${key}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field field-inline">
                <label htmlFor="room-filter">{t('common.show')}</label>
                <select
                  id="room-filter"
                  value={filter}
                  onChange={(e) => setFilter(e.target.value as FilterKey)}
                >
                  {(Object.keys(filters) as FilterKey[]).map((key) => (
                    <option key={key} value={key}>
                      {t(`room.filters.${key}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          <ul role="list" aria-label={t('room.devicesLabel')} className="device-grid">
            {sorted.map((device) => (
              <DeviceCard
                key={device.id}
                device={device}
                activity={activityLive ? (activityLive.current.get(device.id) ?? null) : undefined}
                now={now}
                thumbnail={thumbnails[device.id]}
                live={live}
                control={supervision ? controls.get(device.id) : undefined}
                awaitingPicture={picturesOn && live}
                help={(() => {
                  const status = help.get(device.id);
                  return status === 'covered' || status === 'acknowledged' ? status : undefined;
                })()}
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
            (activityLive ? (
              <RoomActivity devices={sorted} live={activityLive} />
            ) : (
              access && (
                <p className="muted" data-testid="activity-not-yours">
                  {t('room.activityNotYours')}
                </p>
              )
            ))}
        </>
      )}
    </>
  );
}
