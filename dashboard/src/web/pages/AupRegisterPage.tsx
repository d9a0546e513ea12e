import { useEffect, useState } from 'react';
import {
  aupStatusSchema,
  type AupRegisterEntry,
  type AupStatus,
  type AupUserStatus,
  type Room,
} from '@harbour/shared';
import { api, withQuery } from '../api';
import { AupBadge, aupStatusText } from '../components/aupStatus';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';

const when = (iso: string | null) =>
  iso === null ? '—' : new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Who has agreed to the computer rules, per user and per decision, with a CSV export. */
export function AupRegisterPage() {
  usePageTitle('Acceptance register');
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomId, setRoomId] = useState('');
  const [status, setStatus] = useState('');
  const [username, setUsername] = useState('');
  const [applied, setApplied] = useState({ roomId: '', status: '', username: '' });
  const [users, setUsers] = useState<AupUserStatus[] | null>(null);
  const [entries, setEntries] = useState<AupRegisterEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.get<{ rooms: Room[] }>('/api/rooms').then((r) => setRooms(r.rooms), setError);
  }, []);

  useEffect(() => {
    let cancelled = false;
    const filter = { roomId: applied.roomId, username: applied.username.trim() };
    Promise.all([
      api.get<{ users: AupUserStatus[] }>(
        withQuery('/api/aup/status', { ...filter, status: applied.status }),
      ),
      api.get<{ entries: AupRegisterEntry[] }>(withQuery('/api/aup/register', filter)),
    ]).then(
      ([s, r]) => {
        if (cancelled) return;
        setUsers(s.users);
        setEntries(r.entries);
        setError(null);
      },
      (err: unknown) => {
        if (!cancelled) setError(err);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [applied]);

  const csv = withQuery('/api/aup/register.csv', {
    roomId: applied.roomId,
    username: applied.username.trim(),
  });

  return (
    <>
      <h1>Acceptance register</h1>
      <p className="lead">
        Who has agreed to the computer rules (the acceptable use policy), which version, when and where. The
        register is kept as evidence: every view and export is recorded.
      </p>
      <form
        className="inline-form"
        aria-label="Filter the register"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ roomId, status, username });
        }}
      >
        <SelectField
          label="Room"
          value={roomId}
          onChange={setRoomId}
          options={[{ value: '', label: 'All rooms' }, ...rooms.map((r) => ({ value: r.id, label: r.name }))]}
        />
        <SelectField
          label="Status"
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: 'Any status' },
            ...aupStatusSchema.options.map((s: AupStatus) => ({ value: s, label: aupStatusText[s] })),
          ]}
        />
        <TextField
          label="User"
          value={username}
          onChange={setUsername}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="button button-primary">
          Show
        </button>
      </form>
      <ErrorAlert error={error} />
      <p>
        <a className="button" href={csv} download>
          Download the register as CSV
        </a>
      </p>

      <h2>People</h2>
      {users === null ? (
        <p className="muted">Loading…</p>
      ) : users.length === 0 ? (
        <p className="empty">Nobody matches these filters.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="People and their standing">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Name</th>
                <th scope="col">Standing</th>
                <th scope="col">Audience</th>
                <th scope="col">Version</th>
                <th scope="col">Decided</th>
                <th scope="col">Last room</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>{u.displayName ?? '—'}</td>
                  <td>
                    <AupBadge status={u.status} />
                  </td>
                  <td>{u.audience ?? '—'}</td>
                  <td>{u.version ?? '—'}</td>
                  <td>{when(u.decidedAt)}</td>
                  <td>{u.lastRoomName ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Decisions</h2>
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="empty">No decisions recorded yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Decisions, newest first">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">User</th>
                <th scope="col">Decision</th>
                <th scope="col">Audience</th>
                <th scope="col">Version</th>
                <th scope="col">Text hash</th>
                <th scope="col">Computer</th>
                <th scope="col">Room</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.decidedAt)}</td>
                  <th scope="row">
                    {e.username}
                    {e.displayName && <span className="muted"> ({e.displayName})</span>}
                  </th>
                  <td>{e.decision === 'accepted' ? 'Agreed' : 'Did not agree'}</td>
                  <td>{e.audience}</td>
                  <td>{e.version}</td>
                  <td>
                    <code title={e.textHash}>{e.textHash.slice(0, 12)}…</code>
                  </td>
                  <td>{e.deviceName}</td>
                  <td>{e.roomName ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
