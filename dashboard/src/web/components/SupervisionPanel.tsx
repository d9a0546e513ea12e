import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
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
import { useFormat } from '../i18n/format';
import { languageNames, languages, type Language } from '../i18n';
import { useSubmit } from './useAction';

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
  live = true,
}: {
  room: Room;
  /** False while the server cannot be reached: nothing sent now would arrive, so the controls wait. */
  live?: boolean;
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
  const { t, i18n } = useTranslation();
  // The voice that reads the message to the pupils: the teacher writes in English or Welsh.
  const [messageLanguage, setMessageLanguage] = useState<Language>(i18n.language === 'cy' ? 'cy' : 'en');
  const f = useFormat();
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
        ...(text !== undefined && { message: text, language: messageLanguage }),
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
        <h2 id="supervision-heading">{t('supervision.panel.title')}</h2>
        <p>{t('supervision.panel.nobody')}</p>
        {can(user.role, 'supervise') && !mayStart && (
          <p className="muted">{t('supervision.panel.notAssigned')}</p>
        )}
        {can(user.role, 'supervise') && mayStart && (
          <form className="inline-form" onSubmit={start} noValidate>
            <div className="field">
              <label htmlFor="lesson-length">{t('supervision.panel.length')}</label>
              <select id="lesson-length" value={minutes} onChange={(e) => setMinutes(e.target.value)}>
                {[30, 45, 60, 90, 120].map((m) => (
                  <option key={m} value={m}>
                    {t('supervision.panel.minutes', { count: m })}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button-primary" disabled={busy || !live}>
              {t('supervision.panel.start')}
            </button>
          </form>
        )}
        <ErrorAlert error={error} />
      </section>
    );
  }

  const target =
    chosen.length === 0
      ? t('supervision.panel.wholeRoom')
      : chosen.length === 1
        ? (hostnames[chosen[0] ?? ''] ?? t('supervision.panel.chosen', { count: 1 }))
        : t('supervision.panel.chosen', { count: chosen.length });

  return (
    <section className="supervision-panel supervision-on" aria-labelledby="supervision-heading">
      <h2 id="supervision-heading">
        {t('supervision.panel.by', { name: session.teacherName, until: f.shortTime(session.endsAt) })}
      </h2>
      {mayControl ? (
        <>
          <p className="hint" aria-live="polite">
            {t('supervision.panel.target', { target })}
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button button-primary"
              disabled={busy || !live}
              onClick={() => void control('cover')}
            >
              {t('supervision.panel.eyes')}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy || !live}
              onClick={() => void control('release')}
            >
              {t('supervision.panel.release')}
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busy || !live}
              onClick={() =>
                void run(async () => {
                  await api.post(`/api/supervision/${session.id}/end`);
                })
              }
            >
              {t('supervision.panel.end')}
            </button>
          </div>
          <form className="inline-form" onSubmit={sendMessage} noValidate>
            <div className="field">
              <label htmlFor="teacher-message">{t('supervision.panel.messageTo', { target })}</label>
              <input
                id="teacher-message"
                value={message}
                maxLength={maxControlMessage}
                onChange={(e) => setMessage(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="teacher-message-language">{t('supervision.panel.messageLanguage')}</label>
              <select
                id="teacher-message-language"
                value={messageLanguage}
                onChange={(e) => setMessageLanguage(e.target.value === 'cy' ? 'cy' : 'en')}
              >
                {languages.map((l) => (
                  <option key={l} value={l} lang={l}>
                    {languageNames[l]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button" disabled={busy || !live || message.trim() === ''}>
              {t('supervision.panel.send')}
            </button>
          </form>
        </>
      ) : (
        <p>{t('supervision.panel.onlyThem', { name: session.teacherName })}</p>
      )}
      <ErrorAlert error={error} />
      {actions.length > 0 && (
        <div className="control-log">
          <h3>{t('supervision.panel.log')}</h3>
          <ul aria-label={t('supervision.panel.logLabel')}>
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
  const { t } = useTranslation();
  const f = useFormat();
  const done = action.targets.filter((t) => t.state === 'acknowledged');
  const waiting = action.targets.filter((t) => t.state === 'sent');
  const missed = action.targets.filter((t) => t.state === 'not_reached');
  return (
    <li data-action-id={action.id}>
      <strong>{t(`enums.controlKind.${action.kind}`)}</strong>
      {action.message !== null && <> “{action.message}”</>} ·{' '}
      <time dateTime={action.createdAt} title={f.full(action.createdAt)}>
        {f.time(action.createdAt)}
      </time>{' '}
      · {t('supervision.panel.done', { count: done.length })}
      {waiting.length > 0 && <> · {t('supervision.panel.waiting', { count: waiting.length })}</>}
      {missed.length > 0 && (
        <span className="did-not-reach">
          {' '}
          · {t('supervision.panel.missed', { names: missed.map((m) => m.hostname).join(', ') })}
        </span>
      )}
    </li>
  );
}
