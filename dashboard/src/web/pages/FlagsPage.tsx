import { useEffect, useMemo, useState } from 'react';
import type { Flag, Room } from '@harbour/shared';
import { api, withQuery } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { FlagList } from '../components/FlagList';
import { usePageTitle } from '../components/usePageTitle';

/** Every flag raised by watch lists, newest first. */
export function FlagsPage() {
  usePageTitle('Flags');
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
      <h1>Flags</h1>
      <p className="lead">
        Each flag is a moment a pupil’s screen matched a watch list, with a screenshot taken at that moment.
      </p>
      <div className="toolbar">
        <SelectField
          label="Room"
          value={roomId}
          onChange={setRoomId}
          options={[{ value: '', label: 'All rooms' }, ...rooms.map((r) => ({ value: r.id, label: r.name }))]}
        />
      </div>
      <ErrorAlert error={error} />
      {flags === null ? (
        error === null && <p className="muted">Loading flags…</p>
      ) : (
        <FlagList flags={flags} showRoom={(id) => names.get(id) ?? 'an unknown room'} />
      )}
    </>
  );
}
