import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { can, createRoomRequestSchema, type Room } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

const byName = (a: Room, b: Room) => a.name.localeCompare(b.name, 'en-GB', { sensitivity: 'base' });

export function RoomsPage() {
  usePageTitle('Rooms');
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
      <h1>Rooms</h1>
      <p className="lead">Choose a room to see its computers live.</p>
      <ErrorAlert error={loadError} />
      {rooms === null ? (
        loadError === null && <p className="muted">Loading rooms…</p>
      ) : rooms.length === 0 ? (
        <p className="empty">
          There are no rooms yet.
          {can(user.role, 'manageRooms')
            ? ' Add your first room below: a classroom, the ICT suite or the library.'
            : ' A technician or administrator can add them.'}
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
      <h2 id="add-room-heading">Add a room</h2>
      <form onSubmit={submit} noValidate className="inline-form">
        <TextField
          label="Room name"
          hint="For example “Class 4 Oak” or “ICT suite”."
          value={name}
          onChange={setName}
          required
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          Create room
        </button>
      </form>
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {created !== null && <p>Room “{created}” created.</p>}
      </div>
    </section>
  );
}
