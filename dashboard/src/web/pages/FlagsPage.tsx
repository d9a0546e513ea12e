import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { can, type Flag, type Room } from '@harbour/shared';
import { api, withQuery } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { FlagList } from '../components/FlagList';
import { usePageTitle } from '../components/usePageTitle';

/** Every flag raised by watch lists, newest concern first; the DSL triages them here. */
export function FlagsPage() {
  const { t } = useTranslation();
  const user = useUser();
  usePageTitle(t('flags.title'));
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomId, setRoomId] = useState('');
  const [status, setStatus] = useState<'' | 'open'>('');
  const [flags, setFlags] = useState<Flag[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.get<{ rooms: Room[] }>('/api/rooms').then(
      (r) => setRooms(r.rooms),
      (e: unknown) => setError(e),
    );
  }, []);
  useEffect(() => {
    let cancelled = false;
    setFlags(null);
    api.get<{ flags: Flag[] }>(withQuery('/api/flags', { roomId, status })).then(
      (r) => {
        if (!cancelled) setFlags(r.flags);
      },
      (e: unknown) => {
        if (!cancelled) setError(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [roomId, status]);
  const names = useMemo(() => new Map(rooms.map((r) => [r.id, r.name])), [rooms]);

  return (
    <>
      <h1>{t('flags.title')}</h1>
      <p className="lead">{t('flags.lead')}</p>
      <div className="toolbar">
        <SelectField
          label={t('common.room')}
          value={roomId}
          onChange={setRoomId}
          options={[
            { value: '', label: t('common.allRooms') },
            ...rooms.map((r) => ({ value: r.id, label: r.name })),
          ]}
        />
        <SelectField
          label={t('flags.filterStatus')}
          value={status}
          onChange={(v) => setStatus(v === 'open' ? 'open' : '')}
          options={[
            { value: '', label: t('flags.filterAll') },
            { value: 'open', label: t('flags.filterOpen') },
          ]}
        />
      </div>
      <ErrorAlert error={error} />
      {flags === null ? (
        error === null && <p className="muted">{t('flags.loading')}</p>
      ) : (
        <FlagList
          flags={flags}
          showRoom={(id) => names.get(id) ?? t('common.unknownRoom')}
          onTriage={
            can(user.role, 'manageIncidents')
              ? (changed) => setFlags((list) => list?.map((x) => (x.id === changed.id ? changed : x)) ?? null)
              : undefined
          }
        />
      )}
    </>
  );
}
