import { useState, type FormEvent } from 'react';
import {
  can,
  maxControlMessage,
  type ControlAction,
  type ControlKind,
  type Room,
  type SupervisionSession,
} from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from './ErrorAlert';
import { formatDateTime } from './time';
import { useSubmit } from './useAction';

const kindLabel: Record<ControlKind, string> = {
  cover: 'Eyes on me',
  release: 'Screens released',
  message: 'Message',
};

const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

/**
 * The teacher's bar above the room grid: start or end supervising, and the controls
 * (eyes on me, release, message) for the whole room or the chosen computers.
 */
export function SupervisionPanel({
  room,
  mayStart,
  session,
  actions,
  chosen,
  hostnames,
}: {
  room: Room;
  /** Whether this member of staff may supervise this room (a teacher: only if assigned to it). */
  mayStart: boolean;
  session: SupervisionSession | null;
  actions: ControlAction[];
  /** Device ids the teacher ticked; empty means the whole room. */
  chosen: string[];
  hostnames: Record<string, string>;
}) {
  const user = useUser();
  const [minutes, setMinutes] = useState('60');
  const [message, setMessage] = useState('');
  const { busy, error, run } = useSubmit();
  const mayControl = session !== null && (user.role === 'dsl' || session.teacherId === user.id);

  const start = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post('/api/supervision', { roomId: room.id, durationMinutes: Number(minutes) });
    });
  };
  const control = (kind: ControlKind, text?: string) =>
    run(async () => {
      if (!session) return;
      await api.post(`/api/supervision/${session.id}/controls`, {
        kind,
        ...(chosen.length > 0 && { deviceIds: chosen }),
        ...(text !== undefined && { message: text }),
      });
      if (kind === 'message') setMessage('');
    });
  const sendMessage = (event: FormEvent) => {
    event.preventDefault();
    void control('message', message);
  };

  if (!session) {
    return (
      <section className="supervision-panel" aria-labelledby="supervision-heading">
        <h2 id="supervision-heading">Supervision</h2>
        <p>Nobody is supervising this room now.</p>
        {can(user.role, 'supervise') && !mayStart && (
          <p className="muted">
            You are not assigned to supervise this room. The designated safeguarding lead or an administrator
            can add you on this page.
          </p>
        )}
        {can(user.role, 'supervise') && mayStart && (
          <form className="inline-form" onSubmit={start} noValidate>
            <div className="field">
              <label htmlFor="lesson-length">Lesson length</label>
              <select id="lesson-length" value={minutes} onChange={(e) => setMinutes(e.target.value)}>
                {[30, 45, 60, 90, 120].map((m) => (
                  <option key={m} value={m}>
                    {m} minutes
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button-primary" disabled={busy}>
              Start supervising
            </button>
          </form>
        )}
        <ErrorAlert error={error} />
      </section>
    );
  }

  const target =
    chosen.length === 0
      ? 'the whole room'
      : chosen.length === 1
        ? (hostnames[chosen[0] ?? ''] ?? '1 computer')
        : `${chosen.length} chosen computers`;

  return (
    <section className="supervision-panel supervision-on" aria-labelledby="supervision-heading">
      <h2 id="supervision-heading">
        Supervised by {session.teacherName} until {time.format(new Date(session.endsAt))}
      </h2>
      {mayControl ? (
        <>
          <p className="hint" aria-live="polite">
            Controls act on {target}. Tick computers below to choose some.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() => void control('cover')}
            >
              Eyes on me
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => void control('release')}>
              Release screens
            </button>
            <button
              type="button"
              className="button button-quiet"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await api.post(`/api/supervision/${session.id}/end`);
                })
              }
            >
              End supervision
            </button>
          </div>
          <form className="inline-form" onSubmit={sendMessage} noValidate>
            <div className="field">
              <label htmlFor="teacher-message">Message to {target}</label>
              <input
                id="teacher-message"
                value={message}
                maxLength={maxControlMessage}
                onChange={(e) => setMessage(e.target.value)}
              />
            </div>
            <button type="submit" className="button" disabled={busy || message.trim() === ''}>
              Send message
            </button>
          </form>
        </>
      ) : (
        <p>Only {session.teacherName} or the DSL can use this room’s controls.</p>
      )}
      <ErrorAlert error={error} />
      {actions.length > 0 && (
        <div className="control-log">
          <h3>What the computers did</h3>
          <ul aria-label="Controls sent">
            {actions.map((a) => (
              <ControlLine key={a.id} action={a} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function ControlLine({ action }: { action: ControlAction }) {
  const done = action.targets.filter((t) => t.state === 'acknowledged');
  const waiting = action.targets.filter((t) => t.state === 'sent');
  const missed = action.targets.filter((t) => t.state === 'not_reached');
  return (
    <li data-action-id={action.id}>
      <strong>{kindLabel[action.kind]}</strong>
      {action.message !== null && <> “{action.message}”</>} ·{' '}
      <span title={formatDateTime(action.createdAt)}>{time.format(new Date(action.createdAt))}</span> ·{' '}
      {done.length} done
      {waiting.length > 0 && <> · {waiting.length} waiting</>}
      {missed.length > 0 && (
        <span className="did-not-reach"> · did not reach: {missed.map((t) => t.hostname).join(', ')}</span>
      )}
    </li>
  );
}
