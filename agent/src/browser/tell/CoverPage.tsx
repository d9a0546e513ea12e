/**
 * The cover a pupil sees after pressing "help": calm, big, readable by a five-year-old.
 * Nothing here is required; the report has already gone to the teacher.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { TellChoice } from '@harbour/shared';
import { ui } from '../api';
import { pictures } from './pictures';

interface TellState {
  status: 'none' | 'covered' | 'acknowledged';
  by: string | null;
  told: boolean;
  pupilsMayRelease: boolean;
  online: boolean;
}

// The same four choices as shared/src/tell.ts (pupil pages take only types from shared/).
const choices: { id: TellChoice; label: string }[] = [
  { id: 'scary_or_rude', label: 'Something scary or rude' },
  { id: 'unkind', label: 'Someone being unkind' },
  { id: 'stranger', label: 'Someone I don’t know' },
  { id: 'something_else', label: 'Something else' },
];

export function CoverPage() {
  const [state, setState] = useState<TellState | null>(null);
  const [choice, setChoice] = useState<TellChoice | null>(null);
  const [words, setWords] = useState('');
  const [sent, setSent] = useState(false);
  const [adult, setAdult] = useState(false);
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let stop = false;
    const poll = () =>
      ui.get<TellState>('/api/tell/state').then(
        (s) => {
          if (!stop) setState(s);
        },
        () => undefined,
      );
    // A prepared cover waits hidden until a pupil presses "help": it asks nothing while
    // hidden, and asks at once when it is shown.
    const onVisible = () => {
      if (!document.hidden) void poll();
    };
    onVisible();
    const timer = window.setInterval(onVisible, 700);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stop = true;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  async function send(nextChoice: TellChoice | null, text: string) {
    setMessage(null);
    try {
      await ui.post('/api/tell/details', { choice: nextChoice, words: text.trim() === '' ? null : text });
      setSent(true);
    } catch (e) {
      setMessage((e as Error).message);
    }
  }

  async function release(event?: FormEvent) {
    event?.preventDefault();
    setMessage(null);
    try {
      const r = await ui.post<{ released: boolean; message: string }>(
        '/api/tell/release',
        pin ? { pin } : {},
      );
      if (!r.released) setMessage(r.message);
      setPin('');
    } catch (e) {
      setMessage((e as Error).message);
    }
  }

  const onTheWay = state?.status === 'acknowledged';
  useEffect(() => {
    // Screen readers announce the title; the Linux shell and the tests can read it too.
    document.title = onTheWay ? 'Harbour: your teacher is on the way' : 'Harbour: a grown-up is coming';
  }, [onTheWay]);
  return (
    <main className="page cover" data-status={state?.status ?? 'covered'}>
      <div className="cover-hero">{pictures.heart}</div>
      <h1 className="cover-title">You did the right thing.</h1>
      <p className="cover-message" role="status">
        {onTheWay ? 'Your teacher is on the way.' : 'A grown-up is coming.'}
      </p>

      {!sent ? (
        <section aria-labelledby="what-heading" className="cover-choices">
          <h2 id="what-heading">Do you want to tell us what happened? You don’t have to.</h2>
          <div className="choice-grid">
            {choices.map(({ id: c, label }) => (
              <button
                key={c}
                type="button"
                className={`choice ${choice === c ? 'choice-picked' : ''}`}
                aria-pressed={choice === c}
                onClick={() => {
                  setChoice(c);
                }}
              >
                <span className="choice-picture" aria-hidden="true">
                  {pictures[c]}
                </span>
                {label}
              </button>
            ))}
          </div>
          <label htmlFor="words" className="words-label">
            You can type a few words if you want.
          </label>
          <textarea
            id="words"
            rows={2}
            maxLength={280}
            value={words}
            onChange={(e) => setWords(e.target.value)}
          />
          <p>
            <button
              type="button"
              className="button button-agree"
              disabled={choice === null && words.trim() === ''}
              onClick={() => void send(choice, words)}
            >
              Send
            </button>
          </p>
        </section>
      ) : (
        <p className="cover-thanks">Thank you for telling us.</p>
      )}

      <section className="cover-adult" aria-label="For grown-ups">
        {state?.pupilsMayRelease && (
          <button type="button" className="button button-quiet" onClick={() => void release()}>
            I’m OK now
          </button>
        )}
        {!adult ? (
          <button type="button" className="button button-quiet" onClick={() => setAdult(true)}>
            For grown-ups
          </button>
        ) : (
          <form onSubmit={(e) => void release(e)} className="pin-form">
            <label htmlFor="pin">Staff PIN</label>
            <input
              id="pin"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
            />
            <button type="submit" className="button button-quiet">
              Uncover the screen
            </button>
          </form>
        )}
        {message && (
          <p role="alert" className="alert">
            {message}
          </p>
        )}
      </section>
    </main>
  );
}
