import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { can, type SupervisionSession, type SupervisionSettings } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';

/** The supervised sessions running now (a teacher's own; the DSL and admins see all). */
export function SupervisionPage() {
  const user = useUser();
  usePageTitle('Supervision');
  const [sessions, setSessions] = useState<SupervisionSession[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.get<{ sessions: SupervisionSession[] }>('/api/supervision').then(
        (r) => live && setSessions(r.sessions),
        (err: unknown) => live && setError(err),
      );
    void load();
    const timer = window.setInterval(() => void load(), 15_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <>
      <h1>Supervision</h1>
      <p className="lead">
        {user.role === 'teacher'
          ? 'Your supervised sessions running now.'
          : 'Every supervised session running now.'}
      </p>
      <ErrorAlert error={error} />
      {sessions !== null &&
        (sessions.length === 0 ? (
          <p className="empty">No room is being supervised right now.</p>
        ) : (
          <table className="session-table">
            <thead>
              <tr>
                <th scope="col">Room</th>
                <th scope="col">Supervised by</th>
                <th scope="col">Started</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/rooms/${s.roomId}`}>{s.roomName}</Link>
                  </td>
                  <td>{s.teacherName}</td>
                  <td>{formatDateTime(s.startedAt)}</td>
                  <td>{formatDateTime(s.endsAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {can(user.role, 'manageSupervision') && <SettingsForm />}
    </>
  );
}

function SettingsForm() {
  const [settings, setSettings] = useState<SupervisionSettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api.get<SupervisionSettings>('/api/supervision-settings').then(setSettings, setError);
  }, []);

  const save = async (change: Partial<SupervisionSettings>) => {
    setError(null);
    setSaved(false);
    try {
      setSettings(await api.patch<SupervisionSettings>('/api/supervision-settings', change));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  if (!settings) return <ErrorAlert error={error} />;
  return (
    <section aria-labelledby="settings-heading" className="supervision-panel">
      <h2 id="settings-heading">Live screen pictures</h2>
      <p>
        While a teacher supervises a room, each computer can send a small picture of its screen every few
        seconds. Pictures are shown live and never stored.
      </p>
      <label>
        <input
          type="checkbox"
          checked={settings.thumbnailsEnabled}
          onChange={(e) => void save({ thumbnailsEnabled: e.target.checked })}
        />{' '}
        Show live screen pictures to the supervising teacher
      </label>
      <div className="field field-inline">
        <label htmlFor="thumb-interval">Seconds between pictures</label>
        <select
          id="thumb-interval"
          value={settings.thumbnailIntervalSeconds}
          onChange={(e) => void save({ thumbnailIntervalSeconds: Number(e.target.value) })}
        >
          {[3, 5, 10, 20, 30].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert error={error} />
      <p className="hint" aria-live="polite">
        {saved ? 'Saved.' : ''}
      </p>
    </section>
  );
}
