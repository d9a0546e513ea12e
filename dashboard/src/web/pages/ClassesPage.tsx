/**
 * The roster's classes (issue 17, item 5): who teaches each, how many pupils it has and the room
 * it is taught in. Admins and the DSL give a class its room (its teachers may then supervise
 * that room); a teacher sees their own classes and starts supervising one of them.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { can, type Room, type RosterClass, type SupervisionSession } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { usePageTitle } from '../components/usePageTitle';
import { useSubmit } from '../components/useAction';
import { useLoad } from '../incidents/useLoad';
import { classYearLabel } from '../labels';

export function ClassesPage() {
  const { t } = useTranslation();
  usePageTitle(t('classes.title'));
  const user = useUser();
  const mayAssign = can(user.role, 'manageSupervision');
  const classes = useLoad<{ classes: RosterClass[] }>('/api/classes');
  const rooms = useLoad<{ rooms: Room[] }>('/api/rooms');
  const roomName = (id: string | null) =>
    id === null
      ? t('classes.noRoom')
      : (rooms.data?.rooms.find((r) => r.id === id)?.name ?? t('common.unknownRoom'));
  const list = classes.data?.classes ?? null;
  const teaches = (c: RosterClass) => c.teachers.some((x) => x.id === user.id);
  const showStart = user.role === 'teacher';

  return (
    <>
      <h1>{t('classes.title')}</h1>
      <p className="lead">{user.role === 'teacher' ? t('classes.leadTeacher') : t('classes.lead')}</p>
      <ErrorAlert error={classes.error ?? rooms.error} />
      {list === null && classes.error === null && <p className="muted">{t('common.loading')}</p>}
      {list && list.length === 0 && <NoClasses />}
      {list && list.length > 0 && (
        <DataTable
          rows={list}
          rowKey={(c) => c.id}
          label={t('classes.title')}
          className="classes-table"
          rowProps={(c) => ({ 'data-class-id': c.id })}
          columns={[
            { key: 'name', header: t('classes.class'), cell: (c) => c.name, rowHeader: true },
            { key: 'year', header: t('classes.yearGroup'), cell: (c) => classYearLabel(t, c.yearGroup) },
            {
              key: 'teachers',
              header: t('classes.teachers'),
              cell: (c) =>
                c.teachers.length > 0 ? c.teachers.map((x) => x.name).join(', ') : t('classes.noTeachers'),
            },
            {
              key: 'pupils',
              header: t('classes.pupils'),
              cell: (c) => t('classes.pupilCount', { count: c.pupils }),
            },
            {
              key: 'room',
              header: t('classes.room'),
              cell: (c) =>
                mayAssign && rooms.data ? (
                  <RoomPicker
                    schoolClass={c}
                    rooms={rooms.data.rooms}
                    roomName={roomName}
                    onSaved={(roomId) =>
                      classes.set((d) =>
                        d ? { classes: d.classes.map((x) => (x.id === c.id ? { ...x, roomId } : x)) } : d,
                      )
                    }
                  />
                ) : (
                  roomName(c.roomId)
                ),
            },
            ...(showStart
              ? [
                  {
                    key: 'start',
                    header: t('classes.lesson'),
                    cell: (c: RosterClass) =>
                      teaches(c) ? <StartForClass schoolClass={c} /> : t('common.dash'),
                  },
                ]
              : []),
          ]}
        />
      )}
    </>
  );
}

/** No roster yet: say where the classes come from and how to import them. */
function NoClasses() {
  const { t } = useTranslation();
  const user = useUser();
  return (
    <section className="empty" aria-labelledby="classes-empty">
      <h2 id="classes-empty">{t('classes.empty.title')}</h2>
      {can(user.role, 'manageRoster') ? (
        <p>
          {t('classes.empty.admin')} <Link to="/pupils">{t('classes.empty.importLink')}</Link>
        </p>
      ) : (
        <p>{user.role === 'teacher' ? t('classes.empty.teacher') : t('classes.empty.other')}</p>
      )}
    </section>
  );
}

/**
 * The room a class is taught in. Saving says so; a refusal is shown in plain words on the field,
 * the choice stays in the select to try again, and the room shown as saved stays the server's.
 */
function RoomPicker({
  schoolClass,
  rooms,
  roomName,
  onSaved,
}: {
  schoolClass: RosterClass;
  rooms: Room[];
  roomName: (id: string | null) => string;
  onSaved: (roomId: string | null) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [choice, setChoice] = useState(schoolClass.roomId ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    void run(async () => {
      const roomId = choice === '' ? null : choice;
      await api.put(`/api/classes/${schoolClass.id}/room`, { roomId });
      onSaved(roomId);
      setSaved(
        roomId === null
          ? t('classes.savedNoRoom', { name: schoolClass.name })
          : t('classes.saved', { name: schoolClass.name, room: roomName(roomId) }),
      );
    });
  };
  const sorted = [...rooms].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <form className="room-picker" onSubmit={save} noValidate>
      <label htmlFor={`${id}-room`} className="visually-hidden">
        {t('classes.roomFor', { name: schoolClass.name })}
      </label>
      <select
        id={`${id}-room`}
        value={choice}
        aria-invalid={error !== null || undefined}
        aria-describedby={`${id}-now${error !== null ? ` ${id}-error` : ''}`}
        onChange={(e) => {
          setChoice(e.target.value);
          setSaved(null);
        }}
      >
        <option value="">{t('classes.noRoom')}</option>
        {sorted.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      <button type="submit" className="button" disabled={busy}>
        {t('classes.saveRoom')}
        <span className="visually-hidden"> {t('classes.saveRoomFor', { name: schoolClass.name })}</span>
      </button>
      <p id={`${id}-now`} className="hint">
        {t('classes.taughtIn', { room: roomName(schoolClass.roomId) })}
      </p>
      <div id={`${id}-error`}>
        <ErrorAlert error={error} />
      </div>
      <p className="hint" role="status">
        {saved}
      </p>
    </form>
  );
}

/** "Start supervising Year 5 Owls": a lesson in the class's room, then its live view. */
export function StartForClass({ schoolClass }: { schoolClass: RosterClass }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { busy, error, run } = useSubmit();
  if (schoolClass.roomId === null) return <span className="muted">{t('classes.needsRoom')}</span>;
  return (
    <div className="start-for-class">
      <button
        type="button"
        className="button button-primary"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            const session = await api.post<SupervisionSession>('/api/supervision', {
              classId: schoolClass.id,
            });
            void navigate(`/rooms/${session.roomId}`);
          })
        }
      >
        {t('classes.start', { name: schoolClass.name })}
      </button>
      <ErrorAlert error={error} />
    </div>
  );
}
