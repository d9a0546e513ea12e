import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { ActivityInterval, Device, Room } from '@harbour/shared';
import { api, withQuery } from '../api';
import { ActivityTable, dayRange, formatDuration, today } from '../components/activity';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';

interface Result {
  intervals: ActivityInterval[];
  truncated: boolean;
}

interface DomainTotal {
  domain: string;
  seconds: number;
  visits: number;
}

function useRoomsAndDevices() {
  const [rooms, setRooms] = useState<Room[]>([]);
  const [devices, setDevices] = useState<Device[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    Promise.all([
      api.get<{ rooms: Room[] }>('/api/rooms'),
      api.get<{ devices: Device[] }>('/api/devices'),
    ]).then(
      ([r, d]) => {
        if (cancelled) return;
        setRooms(r.rooms);
        setDevices(d.devices);
      },
      (e: unknown) => {
        if (!cancelled) setError(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return { rooms, devices, error };
}

/** A look-up form: `search` shows what the look-up finds, or its error and no result. */
function useSearch<T>() {
  const { busy, error, run } = useSubmit();
  const [result, setResult] = useState<T | null>(null);
  const search = (lookUp: () => Promise<T>) =>
    run(async () => {
      try {
        setResult(await lookUp());
      } catch (err) {
        setResult(null);
        throw err;
      }
    });
  return { busy, error, result, search };
}

/** Timeline of a computer or a pupil for a day, search, and top websites per room. Every read is audited. */
export function ActivityPage() {
  usePageTitle('Activity');
  const { rooms, devices, error } = useRoomsAndDevices();
  return (
    <>
      <h1>Activity</h1>
      <p className="lead">
        What each computer showed: the application, the window title and the website. Pupils never see this.
        Harbour records every time staff look at it.
      </p>
      <ErrorAlert error={error} />
      <Timeline devices={devices} />
      <Search rooms={rooms} />
      <TopDomains rooms={rooms} />
    </>
  );
}

function Timeline({ devices }: { devices: Device[] }) {
  const [who, setWho] = useState<'device' | 'user'>('device');
  const [deviceId, setDeviceId] = useState('');
  const [user, setUser] = useState('');
  const [date, setDate] = useState(today());
  const { busy, error, result, search } = useSearch<Result>();
  const options = useMemo(
    () => [
      { value: '', label: 'Choose a computer' },
      ...devices.map((d) => ({ value: d.id, label: d.hostname })),
    ],
    [devices],
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      const query = who === 'device' ? { deviceId } : { user };
      return api.get<Result>(withQuery('/api/activity', { ...query, ...dayRange(date) }));
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline for a day</h2>
      <form onSubmit={submit} noValidate className="inline-form">
        <SelectField
          label="Show"
          value={who}
          onChange={(v) => setWho(v === 'user' ? 'user' : 'device')}
          options={[
            { value: 'device', label: 'A computer' },
            { value: 'user', label: 'A pupil (sign-in name)' },
          ]}
        />
        {who === 'device' ? (
          <SelectField label="Computer" value={deviceId} onChange={setDeviceId} options={options} />
        ) : (
          <TextField
            label="Pupil’s sign-in name"
            hint="As the computer shows it, e.g. SCHOOL\jsmith"
            value={user}
            onChange={setUser}
          />
        )}
        <DateField label="Day" value={date} onChange={setDate} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Show timeline
        </button>
      </form>
      <ErrorAlert error={error} />
      {result && (
        <>
          <ActivityTable intervals={result.intervals} caption="Timeline" showDevice={who === 'user'} />
          {result.truncated && (
            <p className="notice">Only the first {result.intervals.length} entries are shown.</p>
          )}
        </>
      )}
    </section>
  );
}

function Search({ rooms }: { rooms: Room[] }) {
  const [domain, setDomain] = useState('');
  const [user, setUser] = useState('');
  const [roomId, setRoomId] = useState('');
  const [date, setDate] = useState(today());
  const [fromTime, setFromTime] = useState('00:00');
  const [toTime, setToTime] = useState('23:59');
  const { busy, error, result, search } = useSearch<Result>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      const from = new Date(`${date}T${fromTime}`).toISOString();
      const to = new Date(`${date}T${toTime}`).toISOString();
      return api.get<Result>(withQuery('/api/activity/search', { domain, user, roomId, from, to }));
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="search-heading">
      <h2 id="search-heading">Search</h2>
      <form onSubmit={submit} noValidate className="inline-form">
        <TextField
          label="Website"
          hint="e.g. example.org (its sub-sites too)"
          value={domain}
          onChange={setDomain}
        />
        <TextField label="Pupil’s sign-in name" value={user} onChange={setUser} />
        <SelectField
          label="Room"
          value={roomId}
          onChange={setRoomId}
          options={[{ value: '', label: 'All rooms' }, ...rooms.map((r) => ({ value: r.id, label: r.name }))]}
        />
        <DateField label="Day" value={date} onChange={setDate} />
        <TimeField label="From" value={fromTime} onChange={setFromTime} />
        <TimeField label="To" value={toTime} onChange={setToTime} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Search
        </button>
      </form>
      <ErrorAlert error={error} />
      {result && <ActivityTable intervals={result.intervals} caption="Search results" showDevice />}
    </section>
  );
}

function TopDomains({ rooms }: { rooms: Room[] }) {
  const [roomId, setRoomId] = useState('');
  const [date, setDate] = useState(today());
  const { busy, error, result: domains, search } = useSearch<DomainTotal[]>();
  const room = roomId || rooms[0]?.id || '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      const data = await api.get<{ domains: DomainTotal[] }>(
        withQuery('/api/activity/top-domains', { roomId: room, ...dayRange(date) }),
      );
      return data.domains;
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="top-heading">
      <h2 id="top-heading">Top websites in a room</h2>
      <form onSubmit={submit} noValidate className="inline-form">
        <SelectField
          label="Room"
          value={room}
          onChange={setRoomId}
          options={rooms.map((r) => ({ value: r.id, label: r.name }))}
        />
        <DateField label="Day" value={date} onChange={setDate} />
        <button type="submit" className="button button-primary" disabled={busy || room === ''}>
          Show top websites
        </button>
      </form>
      <ErrorAlert error={error} />
      {domains &&
        (domains.length === 0 ? (
          <p className="empty">No websites were visited in this room on that day.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption>Top websites</caption>
              <thead>
                <tr>
                  <th scope="col">Website</th>
                  <th scope="col">Time</th>
                  <th scope="col">Visits</th>
                </tr>
              </thead>
              <tbody>
                {domains.map((d) => (
                  <tr key={d.domain}>
                    <th scope="row">{d.domain}</th>
                    <td>{formatDuration(d.seconds)}</td>
                    <td>{d.visits}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function DateField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="date" value={value} onChange={(e) => onChange(e.target.value)} required />
    </div>
  );
}

function TimeField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="time" value={value} onChange={(e) => onChange(e.target.value)} required />
    </div>
  );
}
