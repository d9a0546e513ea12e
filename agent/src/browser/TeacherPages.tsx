import { useEffect, useState } from 'react';
import { ui } from './api';

interface TeacherState {
  cover: { message: string | null; teacherName: string } | null;
  message: { text: string; teacherName: string } | null;
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
  const state = useTeacherState();
  const cover = state?.cover;
  return (
    <main className="page page-eyes" aria-live="polite">
      <svg className="eyes-icon" viewBox="0 0 120 60" width="180" height="90" aria-hidden="true">
        <ellipse cx="32" cy="30" rx="26" ry="22" fill="#ffffff" />
        <ellipse cx="88" cy="30" rx="26" ry="22" fill="#ffffff" />
        <circle cx="38" cy="32" r="10" fill="#14202b" />
        <circle cx="94" cy="32" r="10" fill="#14202b" />
      </svg>
      <h1>Eyes on your teacher</h1>
      {cover?.message ? (
        <p className="big-text">{cover.message}</p>
      ) : (
        <p className="big-text">Please look up and listen.</p>
      )}
      {cover && <p className="from">— {cover.teacherName}</p>}
    </main>
  );
}

/** A teacher's message, shown on top until the pupil presses OK. */
export function MessagePage() {
  const state = useTeacherState();
  const message = state?.message;
  const [error, setError] = useState<string | null>(null);
  const dismiss = () =>
    ui.post('/api/teacher/message/dismiss', {}).catch((err: unknown) => setError((err as Error).message));
  return (
    <main className="page page-message">
      <div
        className="message-card"
        role="dialog"
        aria-labelledby="message-title"
        aria-describedby="message-text"
      >
        <h1 id="message-title">A message from {message?.teacherName ?? 'your teacher'}</h1>
        <p id="message-text" className="big-text">
          {message?.text ?? ''}
        </p>
        <button type="button" className="big-button" onClick={() => void dismiss()} autoFocus>
          OK
        </button>
        {error && <p role="alert">{error}</p>}
      </div>
    </main>
  );
}
