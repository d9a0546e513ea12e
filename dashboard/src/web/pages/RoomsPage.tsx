import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { can, createRoomRequestSchema, type Room } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

const byName = (a: Room, b: Room) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

export function RoomsPage() {
  const { t } = useTranslation();
  usePageTitle(t('rooms.title'));
  const user = useUser();
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    api.get<{ rooms: Room[] }>('/api/rooms').then(
      (data) => {
        if (!cancelled) setRooms(data.rooms.slice().sort(byName));
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <>
      <h1>{t('rooms.title')}</h1>
      <p className="lead">{t('rooms.lead')}</p>
      <ErrorAlert error={loadError} />
      {rooms === null ? (
        loadError === null && <p className="muted">{t('rooms.loading')}</p>
      ) : rooms.length === 0 ? (
        <p className="empty">
          {t('rooms.none')} {can(user.role, 'manageRooms') ? t('rooms.noneManage') : t('rooms.noneAsk')}
        </p>
      ) : (
        <ul className="room-list">
          {rooms.map((room) => (
            <li key={room.id}>
              <Link to={`/rooms/${room.id}`} className="room-link">
                {room.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {can(user.role, 'manageRooms') && (
        <CreateRoomForm
          onCreated={(room) => setRooms((current) => [...(current ?? []), room].sort(byName))}
        />
      )}
    </>
  );
}

function CreateRoomForm({ onCreated }: { onCreated: (room: Room) => void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const { t } = useTranslation();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      setCreated(null);
      checkForm(createRoomRequestSchema, { name });
      const room = await api.post<Room>('/api/rooms', { name });
      onCreated(room);
      setCreated(room.name);
      setName('');
    });
  }

  return (
    <section className="panel">
      <h2 id="add-room-heading">{t('rooms.add.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate className="inline-form">
          <TextField
            label={t('rooms.add.name')}
            name="name"
            invalid={t('rooms.add.nameInvalid')}
            hint={t('rooms.add.hint')}
            value={name}
            onChange={setName}
            required
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('rooms.add.submit')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {created !== null && error === null && <p>{t('rooms.add.created', { name: created })}</p>}
      </div>
    </section>
  );
}
