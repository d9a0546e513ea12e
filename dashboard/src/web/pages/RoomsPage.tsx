import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { can, createRoomRequestSchema, type Room, type RoomOverview, type School } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { ShortTime } from '../components/time';
import { schoolName, useTrustSchools } from '../schools';
import { checkFormWithSchool } from '../validate';

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

export function RoomsPage() {
  const { t } = useTranslation();
  usePageTitle(t('rooms.title'));
  const user = useUser();
  const [rooms, setRooms] = useState<RoomOverview[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  // A trust-level member of staff of a trust of several schools: each room's school.
  const schools = useTrustSchools();

  useEffect(() => {
    let cancelled = false;
    api.get<{ rooms: RoomOverview[] }>('/api/rooms/overview').then(
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
        <RoomCards rooms={rooms} showSupervision={can(user.role, 'viewSupervision')} schools={schools} />
      )}
      {can(user.role, 'manageRooms') && (
        <CreateRoomForm
          schools={schools}
          onCreated={(room) =>
            setRooms((current) =>
              [
                ...(current ?? []),
                {
                  id: room.id,
                  name: room.name,
                  schoolId: room.schoolId,
                  computers: 0,
                  online: 0,
                  supervising: null,
                  mine: false,
                },
              ].sort(byName),
            )
          }
        />
      )}
    </>
  );
}

/** Rooms as cards: computers online, and (for staff who may see it) who is supervising now. */
export function RoomCards({
  rooms,
  showSupervision,
  schools = null,
}: {
  rooms: RoomOverview[];
  showSupervision: boolean;
  /** The trust's schools, to name each room's (null: one school, or a school's own staff). */
  schools?: School[] | null;
}) {
  const { t } = useTranslation();
  return (
    <ul className="room-list">
      {rooms.map((room) => (
        <li key={room.id} className="room-card" data-room-id={room.id}>
          <Link to={`/rooms/${room.id}`} className="room-link">
            {room.name}
          </Link>
          {schools !== null && (
            <p className="room-card-school">
              <span className="visually-hidden">{t('schools.column')}: </span>
              {schoolName(schools, room.schoolId)}
            </p>
          )}
          <p className="room-card-online">
            {room.computers === 0
              ? t('rooms.card.noComputers')
              : t('rooms.card.online', { count: room.computers, online: room.online })}
          </p>
          {showSupervision && (
            <p className="room-card-supervision">
              {room.supervising ? (
                <>
                  {t('rooms.card.supervising', { name: room.supervising.teacherName })}{' '}
                  <ShortTime iso={room.supervising.endsAt} />
                </>
              ) : (
                <span className="muted">{t('rooms.card.notSupervised')}</span>
              )}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

function CreateRoomForm({
  schools,
  onCreated,
}: {
  /** Null: no select (one school, or a school's staff: the server puts the room in their school). */
  schools: School[] | null;
  onCreated: (room: Room) => void;
}) {
  const [name, setName] = useState('');
  const [school, setSchool] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const { t } = useTranslation();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      setCreated(null);
      const body = { name, ...(schools !== null && school !== '' && { schoolId: Number(school) }) };
      checkFormWithSchool(
        createRoomRequestSchema,
        body,
        schools !== null && school === '' ? t('schools.chooseInvalid') : null,
      );
      const room = await api.post<Room>('/api/rooms', body);
      onCreated(room);
      setCreated(room.name);
      setName('');
      setSchool('');
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
          {schools !== null && (
            <SelectField
              label={t('schools.column')}
              name="schoolId"
              invalid={t('schools.chooseInvalid')}
              hint={t('schools.roomHint')}
              value={school}
              onChange={setSchool}
              options={[
                { value: '', label: t('schools.choose') },
                ...schools.map((s) => ({ value: String(s.id), label: s.name })),
              ]}
              required
            />
          )}
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
