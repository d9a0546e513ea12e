import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Flag, Room } from '@harbour/shared';
import { api, withQuery } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { FlagList } from '../components/FlagList';
import { usePageTitle } from '../components/usePageTitle';

/** Every flag raised by watch lists, newest first. */
export function FlagsPage() {
  const { t } = useTranslation();
  usePageTitle(t('flags.title'));
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomId, setRoomId] = useState('');
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
    api.get<{ flags: Flag[] }>(withQuery('/api/flags', { roomId })).then(
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
  }, [roomId]);
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
      </div>
      <ErrorAlert error={error} />
      {flags === null ? (
        error === null && <p className="muted">{t('flags.loading')}</p>
      ) : (
        <FlagList flags={flags} showRoom={(id) => names.get(id) ?? t('common.unknownRoom')} />
      )}
    </>
  );
}
