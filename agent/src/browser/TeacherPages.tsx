import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ui } from './api';
import { currentLanguage } from './i18n';
import { ReadAloudButton, useClip } from './pages/ReadAloud';

/** `language`: the one the teacher wrote the words in (null: the school's, the page's own). */
interface TeacherState {
  cover: { message: string | null; teacherName: string; actionId: string; language?: string | null } | null;
  message: { text: string; teacherName: string; actionId: string; language?: string | null } | null;
}

function useTeacherState(): TeacherState | null {
  const [state, setState] = useState<TeacherState | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      ui.get<TeacherState>('/api/teacher/state').then(
        (s) => live && setState(s),
        () => undefined,
      );
    void load();
    const timer = window.setInterval(() => void load(), 1000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return state;
}

/** "Eyes on me": the whole screen asks the class to look at their teacher. */
export function EyesPage() {
  const { t } = useTranslation();
  const state = useTeacherState();
  const cover = state?.cover;
  // The teacher's own words are read by the server's voice; without them, the screen's fixed words.
  const clip = cover?.message ? `control:${cover.actionId}` : `screen:eyes:${currentLanguage()}`;
  const audio = useClip(clip);
  useEffect(() => {
    document.title = t('eyes.title');
  }, [t]);
  return (
    <main className="page page-eyes" aria-live="polite">
      <svg className="eyes-icon" viewBox="0 0 120 60" width="180" height="90" aria-hidden="true">
        <ellipse cx="32" cy="30" rx="26" ry="22" fill="#ffffff" />
        <ellipse cx="88" cy="30" rx="26" ry="22" fill="#ffffff" />
        <circle cx="38" cy="32" r="10" fill="#14202b" />
        <circle cx="94" cy="32" r="10" fill="#14202b" />
      </svg>
      <h1>{t('eyes.title')}</h1>
      {cover?.message ? (
        <p className="big-text" lang={cover.language ?? undefined}>
          {cover.message}
        </p>
      ) : (
        <p className="big-text">{t('eyes.listen')}</p>
      )}
      {cover && <p className="from">{t('eyes.from', { name: cover.teacherName })}</p>}
      <ReadAloudButton key={clip} state={audio.state} src={audio.src} />
    </main>
  );
}

/** A teacher's message, shown on top until the pupil presses OK. */
export function MessagePage() {
  const { t } = useTranslation();
  const state = useTeacherState();
  const message = state?.message;
  const clip = message ? `control:${message.actionId}` : null;
  const audio = useClip(clip);
  const [failed, setFailed] = useState(false);
  const dismiss = () =>
    ui.post('/api/teacher/message/dismiss', {}).then(
      () => setFailed(false),
      () => setFailed(true),
    );
  return (
    <main className="page page-message">
      <div
        className="message-card"
        role="dialog"
        aria-labelledby="message-title"
        aria-describedby="message-text"
      >
        <h1 id="message-title">
          {message ? t('message.from', { name: message.teacherName }) : t('message.fromTeacher')}
        </h1>
        <p id="message-text" className="big-text" lang={message?.language ?? undefined}>
          {message?.text ?? ''}
        </p>
        {/* A new message is a new clip: the first one's audio never plays for the second. */}
        <ReadAloudButton key={clip ?? 'none'} state={audio.state} src={audio.src} />
        <button type="button" className="big-button" onClick={() => void dismiss()} autoFocus>
          {t('message.ok')}
        </button>
        {failed && <p role="alert">{t('errors.askAdult')}</p>}
      </div>
    </main>
  );
}
